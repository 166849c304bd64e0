// The same capture gives the same events, every run and with any number of parser workers. A
// worker keeps per-flow state across batches (SSH directions already parsed, ClientHello fields
// for the session event), so batches must reach each worker in capture order; Piscina's own queue
// does not promise that (a 200k-packet replay lost ~20% of its SSH banners before the pool
// started batches in order).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateBenchPcap } from '../../scripts/gen-bench-pcap.js';
import { replay } from '../helpers/replay.js';

const file = join(mkdtempSync(join(tmpdir(), 'deckscope-det-')), 'mix.pcap');
const manifest = generateBenchPcap({ output: file, packets: 200_000, seed: 5 });

const lines = (events: Array<Record<string, unknown>>) => events.map((e) => JSON.stringify(e)).sort();

describe('deterministic output', () => {
  it('two runs with one worker, and a run with two workers, give the same events', async () => {
    const a = await replay([file], { workers: 1 });
    const b = await replay([file], { workers: 1 });
    const c = await replay([file], { workers: 2 });
    expect(a.events.length).toBeGreaterThan(10_000);
    expect(lines(b.events)).toEqual(lines(a.events));
    expect(lines(c.events)).toEqual(lines(a.events));
  });

  it('SSH sessions of the generator get their banners (all but those the packet count cut short)', async () => {
    const { events } = await replay([file], { workers: 1 });
    const count = (t: string) => events.filter((e) => e.event_type === t).length;
    const ssh = manifest.flows_by_kind.ssh;
    expect(ssh).toBeGreaterThan(100);
    expect(count('ssh_client_banner')).toBeLessThanOrEqual(ssh);
    expect(count('ssh_client_banner')).toBeGreaterThanOrEqual(Math.floor(ssh * 0.97));
  });
});
