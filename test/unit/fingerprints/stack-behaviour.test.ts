// IP ID / ISN classes (nmap's TI and SEQ definitions) and the TCP timestamp clock (Kohno et al.
// 2005) on sample sets built from those definitions.
import { describe, expect, it } from 'vitest';
import {
  classifyIpId,
  classifyIsn,
  estimateClock,
  type StackSample,
} from '../../../src/fingerprints/stack-behaviour.js';

const at = (tS: number, over: Partial<StackSample> = {}): StackSample => ({
  tsUs: Math.round(tS * 1e6),
  ipId: 0,
  isn: 0,
  tsval: null,
  ...over,
});
const ids = (...v: number[]) => v.map((ipId, i) => at(i, { ipId }));

describe('classifyIpId', () => {
  it.each([
    ['zero', [0, 0, 0, 0]],
    ['constant', [4660, 4660, 4660, 4660]],
    ['incremental', [100, 101, 103, 106]],
    ['incremental', [65530, 65533, 2, 5]], // steps taken modulo 2^16
    ['broken_increment', [0x0100, 0x0200, 0x0400, 0x0500]],
    ['random_positive_increments', [1000, 1500, 2200, 2500]],
    ['random', [1000, 40000, 2200, 2500]],
    ['random', [10, 5000, 9000, 12000]], // steps ≥ 1000 but < 20000: not RI, not I
  ] as const)('%s: %j', (cls, values) => {
    expect(classifyIpId(ids(...values))).toBe(cls);
  });

  it('needs four samples', () => {
    expect(classifyIpId(ids(1, 2, 3))).toBeNull();
  });
});

describe('classifyIsn', () => {
  it('one repeated ISN is constant (a stateless tool)', () => {
    expect(classifyIsn([0, 1, 2, 3].map((t) => at(t, { isn: 0xdeadbeef })))).toBe('constant');
  });
  it('an ISN that follows a 250 kHz clock (RFC 793) is time_linked, across the 2^32 wrap too', () => {
    const base = 2 ** 32 - 300_000;
    const s = [0, 1, 3, 7].map((t) => at(t, { isn: (base + 250_000 * t) % 2 ** 32 }));
    expect(classifyIsn(s)).toBe('time_linked');
  });
  it('small irregular steps are small_increments', () => {
    const s = [at(0, { isn: 10 }), at(1, { isn: 1010 }), at(1.5, { isn: 9010 }), at(9, { isn: 9020 })];
    expect(classifyIsn(s)).toBe('small_increments');
  });
  it('unrelated 32-bit values are random', () => {
    const s = [0x1234_5678, 0x9abc_def0, 0x0fed_cba9, 0x7654_3210].map((isn, i) => at(i, { isn }));
    expect(classifyIsn(s)).toBe('random');
  });
});

describe('estimateClock', () => {
  // TSval of a clock at `hz` running `ppm` fast, sampled every `stepS` seconds.
  const clock = (hz: number, ppm: number, n: number, stepS: number, v0 = 12345) =>
    Array.from({ length: n }, (_, i) => {
      const t = i * stepS;
      return at(t, { tsval: (v0 + Math.floor(hz * t * (1 + ppm * 1e-6))) % 2 ** 32 });
    });

  it('a 1000 Hz clock 50 ppm fast over 10 minutes', () => {
    const e = estimateClock(clock(1000, 50, 11, 60));
    expect(e?.hz).toBe(1000);
    expect(e?.skewPpm).toBeGreaterThan(47);
    expect(e?.skewPpm).toBeLessThan(53);
    expect(e).toMatchObject({ samples: 11, spanS: 600 });
  });
  it('a 100 Hz clock 20 ppm slow over an hour, TSval wrapping', () => {
    const e = estimateClock(clock(100, -20, 13, 300, 2 ** 32 - 50_000));
    expect(e?.hz).toBe(100);
    expect(e?.skewPpm).toBeGreaterThan(-24);
    expect(e?.skewPpm).toBeLessThan(-16);
  });
  it('no estimate from a constant or shuffled TSval, too few samples or too short a span', () => {
    expect(estimateClock([0, 10, 20, 30].map((t) => at(t, { tsval: 777 })))).toBeNull();
    expect(estimateClock([0, 10, 20, 30].map((t, i) => at(t, { tsval: [9, 3, 7, 1][i]! })))).toBeNull();
    expect(estimateClock(clock(1000, 0, 3, 60))).toBeNull();
    expect(estimateClock(clock(1000, 0, 10, 0.1))).toBeNull();
    expect(estimateClock([0, 1, 2, 3].map((t) => at(t)))).toBeNull(); // no timestamps at all
  });
  it('no estimate when each connection has its own TSval offset (Linux ≥ 4.10, RFC 7323 §5.4)', () => {
    const offsets = [0x1234_5678, 0x0100_0000, 0x3000_0000, 0x7000_0000];
    const s = offsets.map((o, i) => at(i * 10, { tsval: (o + 1000 * i * 10) % 2 ** 32 }));
    expect(estimateClock(s)).toBeNull();
  });
  it('no estimate when a rate is close to no usual tick rate (e.g. 500 Hz)', () => {
    expect(estimateClock(clock(500, 0, 6, 10))).toBeNull();
  });
});
