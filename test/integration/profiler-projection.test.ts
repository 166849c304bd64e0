// The parser workers' profiler projection (src/profiler/fields.ts, events/build.ts) against the full
// event lines: on every capture of the corpus and a generated busy segment, each projection line
// gives the profiler the same event as its full line, and a profiler fed the projections ends with
// the same snapshots as one fed the full lines.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromSensorEvent } from '../../src/profiler/adapt.js';
import { ProfilerRuntime } from '../../src/profiler/runtime.js';
import type { EventSink } from '../../src/sinks/sink.js';
import { generatedPcap, runPipeline } from '../db/helpers.js';
import { CORPUS } from '../helpers/corpus.js';

/** Keeps each batch's lines and projections. */
class PairSink implements EventSink {
  readonly pairs: Array<{ full: string[]; profile: string[] }> = [];
  readonly closed = false;
  lines = 0;
  async write(chunk: Uint8Array, profile?: Uint8Array): Promise<void> {
    const split = (b: Uint8Array) => Buffer.from(b).toString('utf8').split('\n').filter(Boolean);
    const full = split(chunk);
    this.lines += full.length;
    this.pairs.push({ full, profile: profile ? split(profile) : [] });
  }
  async close(): Promise<void> {}
}

function pcaps(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...pcaps(p));
    else if (/\.(pcap|pcapng|cap)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

describe('profiler projection', () => {
  it('gives the profiler the same events and snapshots as the full lines', async () => {
    const files = [...pcaps(CORPUS), generatedPcap(30_000, 11)];
    const sink = new PairSink();
    await runPipeline(files, sink, { profilerLines: true });
    const full = new ProfilerRuntime({ sensorId: 's', write: async (r) => r.length, attribution: false });
    const proj = new ProfilerRuntime({ sensorId: 's', write: async (r) => r.length, attribution: false });
    const types = new Set<string>();
    let lines = 0;
    let fullBytes = 0;
    let projBytes = 0;
    for (const { full: f, profile: p } of sink.pairs) {
      expect(p).toHaveLength(f.length);
      for (let i = 0; i < f.length; i++) {
        const a = JSON.parse(f[i]!) as Record<string, unknown>;
        const b = JSON.parse(p[i]!) as Record<string, unknown>;
        types.add(a.event_type as string);
        expect(b.ts).toBe(a.ts);
        expect(fromSensorEvent(b), f[i]).toEqual(fromSensorEvent(a));
        full.addSensorLine(f[i]!);
        proj.addSensorLine(p[i]!);
        fullBytes += f[i]!.length;
        projBytes += p[i]!.length;
        lines++;
      }
    }
    // Every kind of event the sensor writes is covered, and the projection is much smaller.
    for (const t of [
      'tcp_syn_fingerprint',
      'tcp_synack_fingerprint',
      'tcp_flow_timing',
      'tcp_syn_repeat',
      'scan_summary',
      'tls_client_hello',
      'tls_session',
      'tls_certificate',
      'ssh_client_banner',
      'ssh_kexinit',
      'http_request',
      'http_response',
      'quic_client_hello',
    ])
      expect(types, t).toContain(t);
    expect(lines).toBeGreaterThan(5000);
    expect(projBytes).toBeLessThan(fullBytes / 2);
    expect(proj.stats).toEqual(full.stats);
    const ips = new Set(
      sink.pairs.flatMap((x) => x.full.map((l) => (JSON.parse(l) as { src_ip?: string }).src_ip)),
    );
    for (const ip of ips) if (ip) expect(proj.snapshot(ip), ip).toEqual(full.snapshot(ip));
  });
});
