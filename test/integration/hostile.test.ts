// Hostile and degenerate input: nothing crashes, memory stays bounded, everything is counted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSynFlood } from '../../scripts/synflood.js';
import { CORPUS } from '../helpers/corpus.js';
import { ofType, replay } from '../helpers/replay.js';

const tmp = mkdtempSync(join(tmpdir(), 'deckscope-hostile-'));

describe('a 100k-flow SYN flood against a small flow table', () => {
  const file = join(tmp, 'flood.pcap');
  writeSynFlood(file, 100_000);

  it('evicts and counts instead of growing, and folds every probe into scan summaries', async () => {
    const { events, summary } = await replay([file], { maxFlows: 1024, maxScanSources: 16 });
    const c = summary.capture;
    expect(c.packets).toBe(100_000);
    expect(c.tcpFlows).toBe(100_000);
    expect(c.flowsPeak).toBeLessThanOrEqual(1024);
    expect(c.flowsEnded.evicted).toBe(100_000 - 1024);
    expect(c.flowsEnded.shutdown).toBe(1024);
    expect(c.flowsTrivial).toBe(100_000);
    // 100k flows from 2 sources (64512 ports each): all accounted for in the summaries.
    const scans = ofType(events, 'scan_summary');
    expect(scans.reduce((n, e) => n + (e.flows as number), 0)).toBe(100_000);
    expect(scans.every((e) => e.no_reply === e.flows)).toBe(true);
    // Bounded: 1024 flows need well under a MiB of table; no reassembly buffers at all.
    expect(c.engineMemoryBytes).toBeLessThan(4 * 2 ** 20);
    expect(c.reassembly.peakBytes).toBe(0);
    expect(ofType(events, 'tcp_flow_timing')).toHaveLength(0);
  });
});

describe('garbage inside a valid capture', () => {
  it('counts random frames as malformed or non-IP and keeps going', async () => {
    // A real capture with 2000 random frames appended (Ethernet link type).
    const real = readFileSync(`${CORPUS}foxio-ja4/pcap/tls12.pcap`);
    const recs: Buffer[] = [real];
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 8;
    };
    for (let i = 0; i < 2000; i++) {
      const len = 1 + (rnd() % 200);
      const body = Buffer.alloc(len);
      for (let j = 0; j < len; j++) body[j] = rnd() & 0xff;
      if (i % 2 === 0 && len > 14) body.writeUInt16BE(i % 4 === 0 ? 0x0800 : 0x86dd, 12); // claim IP
      if (i % 4 === 0 && len > 15) body[14] = 0x45;
      const h = Buffer.alloc(16);
      h.writeUInt32LE(1_700_000_000, 0);
      h.writeUInt32LE(i, 4);
      h.writeUInt32LE(len, 8);
      h.writeUInt32LE(len, 12);
      recs.push(h, body);
    }
    const file = join(tmp, 'garbage.pcap');
    writeFileSync(file, Buffer.concat(recs));
    const { summary } = await replay([file]);
    const c = summary.capture;
    expect(c.packets).toBe(2001);
    expect(c.malformedTotal + c.notIp + c.otherTransport + c.ipFragments + c.tcpPackets + c.udpPackets).toBe(
      2001,
    );
    expect(c.malformedTotal).toBeGreaterThan(500);
    expect(summary.batchesFailed).toBe(0);
  });
});
