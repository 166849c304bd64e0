// TCP options and the fingerprints built on them, with vectors from docs/fingerprints.md (JA4T:
// FoxIO's examples) and hand-built option bytes.
import { describe, expect, it } from 'vitest';
import { ja4t } from '../../../../src/fingerprints/ja4plus/ja4t.js';
import { initialTtl, optionsSignature, synQuirks } from '../../../../src/fingerprints/tcp.js';
import { parseTcpOptions } from '../../../../src/parsers/tcp/options.js';

// Windows 11: MSS 1460, NOP, WS 8, NOP, NOP, SACK-permitted.
const WIN11 = Uint8Array.from([2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2]);
// macOS: MSS 1460, NOP, WS 6, NOP, NOP, TS, SACK-permitted, EOL, one pad byte.
const MACOS = Uint8Array.from([
  2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 4, 2, 0, 0,
]);

describe('parseTcpOptions', () => {
  it('lists options in wire order with values', () => {
    const o = parseTcpOptions(MACOS);
    expect(o.list.map((x) => x.name)).toEqual(['mss', 'nop', 'ws', 'nop', 'nop', 'ts', 'sok', 'eol']);
    expect(o.mss).toBe(1460);
    expect(o.wscale).toBe(6);
    expect(o.tsval).toBe(1);
    expect(o.tsecr).toBe(0);
    expect(o.list.at(-1)).toEqual({ kind: 0, name: 'eol', pad: 1 });
    expect(o.bad).toBe(false);
  });

  it('reads values as unsigned big-endian, top bits set included', () => {
    // MSS 0xffff, WS 14, TS tsval 0xdeadbeef tsecr 0x80000000, at an offset inside a larger buffer.
    const bytes = Uint8Array.from([
      9, 9, 2, 4, 0xff, 0xff, 3, 3, 14, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0x80, 0, 0, 0,
    ]);
    const o = parseTcpOptions(bytes.subarray(2));
    expect(o.mss).toBe(65535);
    expect(o.wscale).toBe(14);
    expect(o.tsval).toBe(3735928559);
    expect(o.tsecr).toBe(2147483648);
    expect(o.list).toEqual([
      { kind: 2, name: 'mss', value: 65535 },
      { kind: 3, name: 'ws', value: 14 },
      { kind: 8, name: 'ts', tsval: 3735928559, tsecr: 2147483648 },
    ]);
    expect(o.bad).toBe(false);
  });

  it('marks an option running past the end as bad, without throwing', () => {
    const o = parseTcpOptions(Uint8Array.from([2, 4, 5]));
    expect(o.bad).toBe(true);
    expect(parseTcpOptions(Uint8Array.from([8, 1])).bad).toBe(true); // length below 2
    expect(parseTcpOptions(Uint8Array.from([3])).bad).toBe(true);
  });

  it('notices non-zero bytes after EOL (p0f opt+)', () => {
    expect(parseTcpOptions(Uint8Array.from([1, 0, 0, 7])).trailingNonZero).toBe(true);
    expect(parseTcpOptions(Uint8Array.from([1, 0, 0, 0])).trailingNonZero).toBe(false);
  });
});

describe('JA4T (FoxIO plugin form)', () => {
  it('Windows 11', () => expect(ja4t(64240, parseTcpOptions(WIN11))).toBe('64240_2-1-3-1-1-4_1460_8'));
  it('macOS lists EOL padding bytes', () =>
    expect(ja4t(65535, parseTcpOptions(MACOS))).toBe('65535_2-1-3-1-1-8-4-0-0_1460_6'));
  it('no options', () => expect(ja4t(8192, parseTcpOptions(new Uint8Array()))).toBe('8192_00_00_00'));
  it('no window scale', () =>
    expect(ja4t(8192, parseTcpOptions(Uint8Array.from([2, 4, 0x05, 0xa0, 1, 1, 4, 2])))).toBe(
      '8192_2-1-1-4_1440_00',
    ));
});

describe('TCP/IP stack fields', () => {
  it.each([
    [1, 32],
    [32, 32],
    [52, 64],
    [64, 64],
    [113, 128],
    [200, 255],
  ])('initial TTL of %i is %i', (ttl, want) => expect(initialTtl(ttl)).toBe(want));

  it("writes DECNET's options signature", () => {
    expect(optionsSignature(parseTcpOptions(MACOS))).toBe('M,N,W,N,N,T,S,E');
  });

  it('names p0f quirks', () => {
    const base = {
      ipVersion: 4 as const,
      ipFlags: 2,
      ipId: 0,
      tos: 0,
      flowLabel: 0,
      seq: 1,
      ack: 0,
      tcpFlags: 0x02,
      urgPtr: 0,
      isSynAck: false,
    };
    expect(synQuirks(base, parseTcpOptions(WIN11))).toEqual(['df']);
    expect(synQuirks({ ...base, ipId: 7 }, parseTcpOptions(WIN11))).toEqual(['df', 'id+']);
    expect(synQuirks({ ...base, ipFlags: 0 }, parseTcpOptions(WIN11))).toEqual(['id-']);
    expect(synQuirks({ ...base, ack: 5, seq: 0 }, parseTcpOptions(WIN11))).toEqual(['df', 'seq-', 'ack+']);
    expect(synQuirks({ ...base, tcpFlags: 0xc2 }, parseTcpOptions(WIN11))).toEqual(['df', 'ecn']);
    const tsEcr = Uint8Array.from([8, 10, 0, 0, 0, 0, 0, 0, 0, 9]);
    expect(synQuirks(base, parseTcpOptions(tsEcr))).toEqual(['df', 'ts1-', 'ts2+']);
    expect(
      synQuirks({ ...base, ipVersion: 6, flowLabel: 0x12345 }, parseTcpOptions(Uint8Array.from([3, 3, 15]))),
    ).toEqual(['flow', 'exws']);
  });
});
