// A SYN event's options list holds every option in wire order with its values (DESIGN.md Events):
// here every kind the list can name, from a SYN built byte by byte, through the real addon and
// worker. The expected list is read off the bytes by RFC 9293 §3.1 (EOL, NOP, MSS), RFC 7323 (WS,
// timestamps), RFC 2018 (SACK-permitted, SACK) and the generic kind-length-data layout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPacket, LinkType, parseIp, writeCaptureFile } from '../../scripts/pcapgen/index.js';
import { ofType, replay } from '../helpers/replay.js';

describe('tcp_syn_fingerprint options', () => {
  it('lists every option kind with its values, in wire order', async () => {
    const options = [
      { kind: 'mss' as const, value: 65_495 },
      { kind: 'sack' as const, blocks: [[0xfffffff0, 0x10]] as const },
      { kind: 'raw' as const, type: 30, data: Uint8Array.from([1, 2]) },
      { kind: 'timestamps' as const, tsval: 0xfffffffe, tsecr: 0 },
      { kind: 'nop' as const },
      { kind: 'sackPermitted' as const },
      { kind: 'wscale' as const, shift: 14 },
      { kind: 'eol' as const },
    ];
    // 4 + 10 + 4 + 10 + 1 + 2 + 3 + 1 = 35 bytes, padded with 1 byte to 36.
    const frame = buildPacket({
      link: { type: LinkType.RAW },
      ip: { version: 4, src: parseIp('198.18.9.1'), dst: parseIp('198.18.0.80'), ttl: 57, id: 0, df: true },
      l4: { proto: 'tcp', srcPort: 51000, dstPort: 443, seq: 7, flags: 0x02, window: 65_535, options },
    }).slice();
    const f = join(mkdtempSync(join(tmpdir(), 'deckscope-syn-')), 'syn.pcap');
    writeCaptureFile(f, [{ ts: 1_750_000_000_000_000, frame }], { format: 'pcap', linkType: LinkType.RAW });
    const [syn] = ofType((await replay([f])).events, 'tcp_syn_fingerprint');
    expect(syn).toBeDefined();
    expect(syn!.options).toEqual([
      { kind: 2, name: 'mss', value: 65_495 },
      { kind: 5, name: 'sack', length: 10 },
      { kind: 30, name: 'other', length: 4 },
      { kind: 8, name: 'ts', tsval: 0xfffffffe, tsecr: 0 },
      { kind: 1, name: 'nop' },
      { kind: 4, name: 'sok' },
      { kind: 3, name: 'ws', value: 14 },
      { kind: 0, name: 'eol', pad: 1 },
    ]);
    expect(syn!.options_sig).toBe('M,S,?,T,N,S,W,E');
    expect(syn!.mss).toBe(65_495);
    expect(syn!.wscale).toBe(14);
    expect(syn!.ttl).toBe(57);
    expect(syn!.initial_ttl).toBe(64);
    expect(syn!.hop_distance).toBe(7);
    expect(syn!.window).toBe(65_535);
    expect(syn!.isn).toBe(7);
    expect(syn!.df).toBe(true);
    expect(syn!.ip_id).toBe(0);
    expect(syn!.ecn).toBe(false);
    expect(syn!.syn_count).toBe(1);
    // JA4T (FoxIO): window, every option kind in order (EOL padding included), MSS, window scale.
    expect(syn!.ja4t).toBe('65535_2-5-30-8-1-4-3-0-0_65495_14');
  });
});
