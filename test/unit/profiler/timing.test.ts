// Timing statistics against hand-computed values, and the calibration of the periodicity test.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../scripts/pcapgen/prng.js';
import {
  analyzeTiming,
  estimateJitter,
  foldedLogSpread,
  foldGaps,
  isLattice,
  logSpread,
  MAX_BEACON_SPREAD,
  modeShare,
  nullPValue,
  nullQuantile,
  periodicityTest,
  spreadRatio,
  uniformEndpoints,
} from '../../../src/profiler/timing.js';

describe('logSpread (S_log)', () => {
  it('is the population sd of the log-gaps', () => {
    expect(logSpread([1, Math.E])).toBeCloseTo(0.5, 12); // logs {0, 1}
    expect(logSpread([2, 2, 2])).toBe(0);
    // logs {0, ln 2, ln 4} = {0, a, 2a}: sd = a·√(2/3)
    expect(logSpread([1, 2, 4])).toBeCloseTo(Math.LN2 * Math.sqrt(2 / 3), 12);
  });
  it('is scale-free', () => {
    expect(logSpread([3, 7, 11, 2])).toBeCloseTo(logSpread([300, 700, 1100, 200]), 12);
  });
  it('needs two gaps', () => {
    expect(logSpread([5])).toBeNaN();
    expect(logSpread([])).toBeNaN();
  });
});

describe('foldGaps', () => {
  it('divides gaps near k × the period by k and counts the missed check-ins', () => {
    const f = foldGaps([10, 10, 20, 10, 30]);
    expect(f.period).toBe(10);
    expect(f.folded).toEqual([10, 10, 10, 10, 10]);
    expect(f.multiples).toEqual([1, 1, 2, 1, 3]);
    expect(f.missed).toBe(3);
    expect(f.breaks).toBe(0);
  });
  it('leaves jitter below 1.6 periods alone', () => {
    expect(foldGaps([10, 10, 15]).folded).toEqual([10, 10, 15]);
  });
  it('caps k at 4 and drops breaks longer than 8 periods', () => {
    const f = foldGaps([10, 10, 10, 60, 100]);
    expect(f.multiples).toEqual([1, 1, 1, 4, 0]);
    expect(f.folded).toEqual([10, 10, 10, 15]);
    expect(f.breaks).toBe(1);
    expect(f.missed).toBe(3);
  });
  it('re-estimates the period after folding (the median moves once long gaps are folded)', () => {
    // raw median 12; 21, 22, 23 fold to 10.5, 11, 11.5; the folded median is 10.5
    const f = foldGaps([10, 10, 21, 22, 23, 10, 10, 12, 13]);
    expect(f.period).toBe(10.5);
    expect(f.multiples).toEqual([1, 1, 2, 2, 2, 1, 1, 1, 1]);
  });
  it('makes S_fold of a beacon with missed check-ins zero', () => {
    expect(foldedLogSpread([60, 120, 60, 60, 180, 60])).toBe(0);
    expect(logSpread([60, 120, 60, 60, 180, 60])).toBeGreaterThan(0.4);
  });
});

describe('uniform endpoints and jitter in framework units', () => {
  it('unbiased endpoints: min − R/(m − 1), max + R/(m − 1)', () => {
    expect(uniformEndpoints([2, 4, 6])).toEqual({ lo: 0, hi: 8 });
    expect(uniformEndpoints([58, 60])).toEqual({ lo: 56, hi: 62 });
    expect(uniformEndpoints([5])).toEqual({ lo: 5, hi: 5 });
  });
  it('symmetric: S = (lo + hi)/2, j = (hi − lo)/(hi + lo)', () => {
    const j = estimateJitter([8, 10, 12], 'symmetric')!;
    expect(j.lo_s).toBe(6);
    expect(j.hi_s).toBe(14);
    expect(j.sleep_s).toBe(10);
    expect(j.jitter).toBeCloseTo(40, 12);
    expect(j.unit).toBe('percent');
  });
  it('subtractive (Cobalt Strike): S = hi, j = (hi − lo)/hi', () => {
    const j = estimateJitter([8, 10, 12], 'subtractive')!;
    expect(j.sleep_s).toBe(14);
    expect(j.jitter).toBeCloseTo((100 * 8) / 14, 12);
  });
  it('additive (Sliver): S = lo, J = hi − lo seconds', () => {
    const j = estimateJitter([60, 75, 90], 'additive')!;
    expect(j.sleep_s).toBe(45);
    expect(j.jitter).toBe(60);
    expect(j.unit).toBe('seconds');
  });
  it('needs two positive gaps', () => {
    expect(estimateJitter([10], 'symmetric')).toBeNull();
    expect(estimateJitter([10, -1, Number.NaN], 'symmetric')).toBeNull();
  });
});

describe('modeShare and spreadRatio', () => {
  it('largest share of gaps within ±10 % of one observed gap', () => {
    expect(modeShare([10, 10.5, 11, 20, 40])).toBeCloseTo(0.6, 12);
    expect(modeShare([])).toBe(0);
  });
  it('inter-decile range over the median', () => {
    expect(spreadRatio([1, 2, 3, 4, 5])).toBeCloseTo((4.6 - 1.4) / 3, 12);
    expect(spreadRatio([7])).toBeNaN();
  });
  it('uniform ±80 % stays under the bound, an exponential does not', () => {
    const u = Array.from({ length: 101 }, (_, i) => 0.2 + (1.6 * i) / 100);
    expect(spreadRatio(u)).toBeCloseTo(1.28, 2);
    expect(spreadRatio(u)).toBeLessThan(MAX_BEACON_SPREAD);
    const e = Array.from({ length: 99 }, (_, i) => -Math.log(1 - (i + 1) / 100));
    expect(spreadRatio(e)).toBeGreaterThan(3);
  });
});

describe('null tables', () => {
  it('n = 3: P(S_log < s) = tanh(s) exactly, so q_α = atanh(α)', () => {
    for (const a of [0.01, 0.02, 0.05, 0.1]) {
      expect(nullQuantile('log_spread', 3, a) / Math.atanh(a)).toBeCloseTo(1, 1);
    }
  });
  it('large n: S_log tends to π/√6 with sd ≈ 1.2825·√(4.4/4)/√(n − 1) (Gumbel moments)', () => {
    const n = 512;
    const sd = ((Math.PI / Math.sqrt(6)) * Math.sqrt(4.4 / 4)) / Math.sqrt(n - 1);
    const q = nullQuantile('log_spread', n, 0.1);
    expect(q).toBeGreaterThan(Math.PI / Math.sqrt(6) - 1.5 * sd);
    expect(q).toBeLessThan(Math.PI / Math.sqrt(6) - 1.0 * sd);
  });
  it('thresholds grow with n and with the level', () => {
    let prev = 0;
    for (const n of [4, 6, 10, 20, 50, 100]) {
      const q = nullQuantile('log_spread', n, 0.005);
      expect(q).toBeGreaterThan(prev);
      prev = q;
      expect(nullQuantile('log_spread', n, 0.01)).toBeGreaterThan(nullQuantile('log_spread', n, 0.001));
      expect(nullQuantile('folded_log_spread', n, 0.01)).toBeLessThan(nullQuantile('log_spread', n, 0.01));
    }
  });
  it('interpolates between tabulated n and is NaN below 3', () => {
    const a = nullQuantile('log_spread', 30, 0.01);
    const b = nullQuantile('log_spread', 32, 0.01);
    const m = nullQuantile('log_spread', 31, 0.01);
    expect(m).toBeGreaterThan(a);
    expect(m).toBeLessThan(b);
    expect(nullQuantile('log_spread', 2, 0.01)).toBeNaN();
  });
  it('p-values invert the quantiles', () => {
    const q = nullQuantile('log_spread', 10, 0.01);
    expect(nullPValue('log_spread', 10, q)).toBeCloseTo(0.01, 4);
    expect(nullPValue('log_spread', 10, 5)).toBeNull();
  });
});

describe('periodicityTest', () => {
  it('a perfect beacon is periodic from n = 6, never below', () => {
    expect(periodicityTest([59, 59, 59, 59, 59]).periodic).toBe(true);
    const small = periodicityTest([59, 59, 59]);
    expect(small.n).toBe(4);
    expect(small.periodic).toBe(false);
  });
  it('rejects through S_fold when check-ins were missed', () => {
    const t = periodicityTest([59, 59, 236, 59, 59, 177, 59, 59, 236]);
    expect(t.log_spread).toBeGreaterThan(t.log_threshold);
    expect(t.rejected_by).toBe('folded_log_spread');
    expect(t.periodic).toBe(true);
  });
  it('holds its level under the memoryless null (seeded simulation)', () => {
    const p = new Prng(42);
    const draws = 4000;
    for (const n of [6, 10, 30]) {
      let rejected = 0;
      for (let d = 0; d < draws; d++) {
        const mean = 1 + p.float() * 100;
        const gaps = Array.from({ length: n - 1 }, () => p.exp(mean));
        if (periodicityTest(gaps, 0.05).periodic) rejected++;
      }
      // Bonferroni: at most α = 5 % (binomial sd 0.35 % at 4000 draws).
      expect(rejected / draws).toBeLessThan(0.06);
      expect(rejected / draws).toBeGreaterThan(0.025);
    }
  });
});

describe('analyzeTiming', () => {
  it('reports cadence, missed check-ins, regularity and the test', () => {
    const starts = [60, 60, 120, 60, 60, 60, 60, 60, 60];
    const excess = starts.map((g) => g - 1);
    const a = analyzeTiming(starts, excess);
    expect(a.episodes).toBe(10);
    expect(a.period_s).toBe(60);
    expect(a.missed_checkins).toBe(1);
    expect(a.median_gap_s).toBe(60);
    expect(a.mean_gap_s).toBeCloseTo(600 / 9, 12);
    expect(a.regular).toBe(true);
    expect(a.test.periodic).toBe(true);
    expect(a.folded_gaps).toHaveLength(9);
  });
});

describe('isLattice', () => {
  it('a perfect beacon with missed check-ins is a lattice although its raw spread is 2', () => {
    const gaps = [60, 60, 60, 60, 60, 60, 180, 240, 60, 60];
    expect(spreadRatio(gaps)).toBeGreaterThan(MAX_BEACON_SPREAD);
    expect(isLattice(gaps)).toBe(true);
    expect(analyzeTiming(gaps, gaps).regular).toBe(true);
  });
  it('unit gaps spread wider than ±37 % are not a lattice', () => {
    expect(isLattice([30, 90, 45, 80, 60, 150, 60, 35])).toBe(false);
  });
  it('tolerates a tenth of the gaps off the lattice', () => {
    const on = [60, 60, 120, 60, 60, 60, 60, 60, 60];
    expect(isLattice([...on, 97])).toBe(true); // 97/2 = 48.5 is off; 1 of 10 allowed
    expect(isLattice([...on, 97, 101])).toBe(false); // 2 of 11 off
  });
});
