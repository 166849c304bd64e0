// Timing statistics of one episode series (docs/behavior.md §1.7): an n-aware calibrated periodicity
// test, gap folding for missed check-ins, and jitter estimates in each framework's own units.
//
// The periodicity test.
//   Null model H0: connection starts form a homogeneous Poisson process (memoryless traffic). Then the
//   excess gaps x_1..x_m between episodes (episodes.ts) are i.i.d. exponential with an unknown rate.
//   Statistics: both are functions of log-gaps and scale-free, so their null distributions depend on n
//   (= m + 1 episodes) only, not on the rate:
//     S_log  = population standard deviation of ln x_i. Under H0, ln x is Gumbel-distributed with
//              variance π²/6 (S_log → π/√6 ≈ 1.2825); a beacon with jitter j has S_log ≈ j/√3 and a
//              missed check-in adds only ln 2 to one gap. Unlike the CV, S_log is dominated by the
//              exponential's many short gaps, which no beacon produces, so it stays powerful when
//              check-ins are missed. For n = 3, P(S_log < s) = tanh(s) exactly, so q_α(3) = atanh(α).
//     S_fold = S_log of the folded gaps (foldGaps: gaps near k × the period, k = 2..4, divided by k;
//              gaps longer than BREAK_RATIO periods dropped as breaks, e.g. working hours).
//   Decision: periodic when S_log < q_log(n, α·ALPHA_SHARE_LOG) or S_fold < q_fold(n, α·(1 − ALPHA_SHARE_LOG))
//   (Bonferroni, so the false-positive rate under H0 is at most α at every n). q(n, level) is the
//   level-quantile of the statistic under H0, from seeded Monte-Carlo tables (null-tables.ts, made by
//   bench/behavior/calibrate.ts); between tabulated n it is interpolated linearly in 1/√(n − 1). The
//   threshold therefore grows with n (more gaps, less sampling spread): at α = 0.5 % the S_log
//   threshold is ≈ 0.21 at n = 6, ≈ 0.42 at n = 10 and ≈ 0.85 at n = 50.

import { coefficientOfVariation, mean, median, popStdev, quantileSorted } from './math.js';
import { FOLDED_LOG_SPREAD_Q, LOG_SPREAD_Q, NULL_LEVELS, NULL_N } from './null-tables.js';

/** Family-wise false-positive rate of the periodicity test under the memoryless null, per key. */
export const PERIODICITY_ALPHA = 0.005;
/** Share of α spent on S_log; the rest goes to S_fold, which only adds power for low jitter with misses. */
export const ALPHA_SHARE_LOG = 0.8;
/** Fewest episodes for a periodicity verdict (docs/behavior.md §1.7.2: below this, insufficient data). */
export const MIN_EPISODES_PERIODIC = 6;
/** A gap is folded when it is at least this many periods long (jitter up to ±50 % stays unfolded). */
export const FOLD_MIN_RATIO = 1.6;
/** At most this many check-ins are assumed missed in one gap (k ≤ 4); longer gaps stay as they are. */
export const FOLD_MAX_K = 4;
/** Gaps longer than this many periods are breaks (operator pause, working hours), left out of S_fold. */
export const BREAK_RATIO = 8;
/** Period re-estimations after folding (the median moves once the long gaps are folded). */
export const FOLD_ITERATIONS = 2;
/** Half-width of the modal band, relative to its centre, for the Flare-style mode share. */
export const MODE_BAND_REL = 0.1;
/**
 * Effect size a beacon must also show: the inter-decile range of its start-to-start gaps (breaks left out,
 * missed check-ins *not* folded) is at most this multiple of their median. Folding would hide the
 * dispersion of any process, so the raw gaps are used: a uniform jitter law of ±80 % gives 1.28, with
 * 20 % of check-ins missed ≈ 1.6; a gamma(2) process gives 2.0, a Pareto(1.5) with a floor 2.3 and an
 * exponential 3.2. Without it, at large n any process merely less variable than Poisson in log-gaps
 * would be called periodic. It cannot separate a heavy-tailed process with a floor from a high-jitter
 * beacon with misses at small n: the benchmark's heavy_tailed family measures what remains.
 */
export const MAX_BEACON_SPREAD = 1.8;
/**
 * The second way to be regular, for beacons whose missed check-ins inflate the raw spread (a perfect
 * 60 s beacon with gaps 60, 120, 180 has spread 2): the unfolded gaps (k = 1) have a spread of at most
 * LATTICE_MAX_SPREAD (a uniform law of ±37 %) and the folded gaps g/k fall inside their range widened
 * by LATTICE_SLACK on each side, all but LATTICE_MAX_OFF_SHARE of them — a lattice. A heavy-tailed
 * process leaves its k = 1 gaps spread over [floor, 1.6 × median] (spread ≈ 0.85 for the Pareto above),
 * so it rarely passes this way.
 */
export const LATTICE_MAX_SPREAD = 0.6;
export const LATTICE_SLACK = 0.05;
/** Share of gaps allowed off the lattice (a retry, a task run that merged check-ins). */
export const LATTICE_MAX_OFF_SHARE = 0.1;
/** Excess gaps are clamped to at least this (seconds) before taking logs. */
export const MIN_GAP_S = 1e-6;

/** sd of ln(gaps): the S_log statistic (NaN with fewer than 2 gaps). */
export function logSpread(gaps: readonly number[]): number {
  if (gaps.length < 2) return Number.NaN;
  return popStdev(gaps.map((g) => Math.log(Math.max(MIN_GAP_S, g))));
}

/** Result of folding gaps on an estimated period. */
export interface FoldResult {
  /** The period estimate: median of the folded (non-break) gaps. */
  period: number;
  /** Folded gaps, breaks removed, in input order. */
  folded: number[];
  /** Per input gap: k (1 = unfolded, 2..FOLD_MAX_K = folded), 0 = break. */
  multiples: number[];
  /** Check-ins assumed missed: Σ (k − 1). */
  missed: number;
  /** Gaps dropped as breaks. */
  breaks: number;
}

/**
 * Gap folding for missed check-ins: with P the median gap, a gap g with g/P ≥ FOLD_MIN_RATIO is divided by
 * k = min(FOLD_MAX_K, round(g/P)); gaps above BREAK_RATIO·P are breaks. P is re-estimated on the folded gaps
 * FOLD_ITERATIONS times.
 */
export function foldGaps(gaps: readonly number[]): FoldResult {
  let period = median(gaps);
  let res: FoldResult = { period, folded: [...gaps], multiples: gaps.map(() => 1), missed: 0, breaks: 0 };
  if (!(period > 0)) return res;
  for (let it = 0; it < FOLD_ITERATIONS; it++) {
    const folded: number[] = [];
    const multiples: number[] = [];
    let missed = 0;
    let breaks = 0;
    for (const g of gaps) {
      const r = g / period;
      if (r > BREAK_RATIO) {
        multiples.push(0);
        breaks++;
        continue;
      }
      const k = r >= FOLD_MIN_RATIO ? Math.min(FOLD_MAX_K, Math.max(2, Math.round(r))) : 1;
      multiples.push(k);
      missed += k - 1;
      folded.push(g / k);
    }
    res = { period, folded, multiples, missed, breaks };
    const next = median(folded);
    if (!(next > 0)) break;
    period = next;
  }
  res.period = median(res.folded);
  return res;
}

/** S_fold: sd of ln of the folded gaps (NaN when fewer than 2 remain). */
export function foldedLogSpread(gaps: readonly number[]): number {
  return logSpread(foldGaps(gaps).folded);
}

/** The statistics with a null table. */
export type NullStatistic = 'log_spread' | 'folded_log_spread';

function tableOf(stat: NullStatistic): readonly (readonly number[])[] {
  return stat === 'log_spread' ? LOG_SPREAD_Q : FOLDED_LOG_SPREAD_Q;
}

/** Quantile at a tabulated n index, log-interpolated between tabulated levels. */
function quantileAtRow(row: readonly number[], level: number): number {
  const L = NULL_LEVELS;
  if (level <= L[0]!) return row[0]!;
  if (level >= L[L.length - 1]!) return row[row.length - 1]!;
  let i = 0;
  while (i + 1 < L.length && L[i + 1]! < level) i++;
  const a = Math.log(L[i]!);
  const b = Math.log(L[i + 1]!);
  const t = (Math.log(level) - a) / (b - a);
  return row[i]! + t * (row[i + 1]! - row[i]!);
}

/**
 * The level-quantile of a statistic under the memoryless null for n episodes (n ≥ 3), interpolated
 * linearly in 1/√(n − 1) between tabulated n; n beyond the table uses the last row (a stricter threshold).
 * Levels outside the table are clamped to its range. NaN for n < 3.
 */
export function nullQuantile(stat: NullStatistic, n: number, level: number): number {
  if (!(n >= 3)) return Number.NaN;
  const T = tableOf(stat);
  const N = NULL_N;
  if (n >= N[N.length - 1]!) return quantileAtRow(T[N.length - 1]!, level);
  let i = 0;
  while (i + 1 < N.length && N[i + 1]! <= n) i++;
  const q0 = quantileAtRow(T[i]!, level);
  if (N[i] === n || i + 1 >= N.length) return q0;
  const q1 = quantileAtRow(T[i + 1]!, level);
  const u = (x: number) => 1 / Math.sqrt(x - 1);
  const t = (u(n) - u(N[i]!)) / (u(N[i + 1]!) - u(N[i]!));
  return q0 + t * (q1 - q0);
}

/** Approximate null p-value of an observed statistic (null when above the largest tabulated level). */
export function nullPValue(stat: NullStatistic, n: number, value: number): number | null {
  if (!(n >= 3) || !Number.isFinite(value)) return null;
  const L = NULL_LEVELS;
  const qs = L.map((l) => nullQuantile(stat, n, l));
  if (value > qs[qs.length - 1]!) return null;
  if (value <= qs[0]!) return L[0]!;
  let i = 0;
  while (i + 1 < qs.length && qs[i + 1]! < value) i++;
  const t = (value - qs[i]!) / (qs[i + 1]! - qs[i]! || 1);
  return Math.exp(Math.log(L[i]!) + t * (Math.log(L[i + 1]!) - Math.log(L[i]!)));
}

/** Outcome of the calibrated periodicity test on one series. */
export interface PeriodicityTest {
  /** Episodes (gaps + 1). */
  n: number;
  alpha: number;
  log_spread: number;
  log_threshold: number;
  folded_log_spread: number;
  folded_threshold: number;
  /** min of the two approximate p-values, Bonferroni-adjusted (null when neither is below the table's top level). */
  p_value: number | null;
  /** Which statistic rejected the null, if any. */
  rejected_by: 'log_spread' | 'folded_log_spread' | null;
  /** True when n ≥ MIN_EPISODES_PERIODIC and the null is rejected. */
  periodic: boolean;
}

/**
 * The calibrated periodicity test on excess gaps (episodes.ts). `alpha` is the family-wise level for this
 * series; pass α / (number of series tested) for a per-attacker guarantee.
 */
export function periodicityTest(excessGaps: readonly number[], alpha = PERIODICITY_ALPHA): PeriodicityTest {
  const n = excessGaps.length + 1;
  const a = Math.min(0.1, Math.max(1e-4, alpha));
  const sLog = logSpread(excessGaps);
  const sFold = foldedLogSpread(excessGaps);
  const qLog = nullQuantile('log_spread', n, a * ALPHA_SHARE_LOG);
  const qFold = nullQuantile('folded_log_spread', n, a * (1 - ALPHA_SHARE_LOG));
  const byLog = sLog < qLog;
  const byFold = sFold < qFold;
  const pLog = nullPValue('log_spread', n, sLog);
  const pFold = nullPValue('folded_log_spread', n, sFold);
  const ps: number[] = [];
  if (pLog !== null) ps.push(pLog / ALPHA_SHARE_LOG);
  if (pFold !== null) ps.push(pFold / (1 - ALPHA_SHARE_LOG));
  return {
    n,
    alpha: a,
    log_spread: sLog,
    log_threshold: qLog,
    folded_log_spread: sFold,
    folded_threshold: qFold,
    p_value: ps.length > 0 ? Math.min(1, ...ps) : null,
    rejected_by: byLog ? 'log_spread' : byFold ? 'folded_log_spread' : null,
    periodic: n >= MIN_EPISODES_PERIODIC && (byLog || byFold),
  };
}

/** Unbiased endpoints of a uniform law from m samples: min − R/(m − 1), max + R/(m − 1) (R = range). */
export function uniformEndpoints(xs: readonly number[]): { lo: number; hi: number } {
  if (xs.length === 0) return { lo: Number.NaN, hi: Number.NaN };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (xs.length < 2) return { lo, hi };
  const pad = (hi - lo) / (xs.length - 1);
  return { lo: Math.max(0, lo - pad), hi: hi + pad };
}

/** How a framework draws its jitter (docs/behavior.md §2.2). */
export type JitterLaw = 'symmetric' | 'subtractive' | 'additive';

/** A sleep/jitter estimate in a framework's own units. */
export interface JitterEstimate {
  law: JitterLaw;
  /** The configured sleep, seconds: centre (symmetric), maximum (subtractive) or minimum (additive). */
  sleep_s: number;
  /** Jitter: percent of the sleep (symmetric, subtractive) or seconds added (additive). */
  jitter: number;
  unit: 'percent' | 'seconds';
  lo_s: number;
  hi_s: number;
}

/**
 * Sleep and jitter in the units of a jitter law, from the unbiased uniform endpoints of the gaps:
 *  symmetric   S(1 ± j)      → S = (lo + hi)/2, j = (hi − lo)/(hi + lo)   (Empire, PoshC2, Havoc, Apollo, Covenant)
 *  subtractive S(1 − j·U)    → S = hi,          j = (hi − lo)/hi          (Cobalt Strike)
 *  additive    S + J·U       → S = lo,          J = hi − lo seconds       (Sliver)
 */
export function estimateJitter(gaps: readonly number[], law: JitterLaw): JitterEstimate | null {
  const clean = gaps.filter((g) => Number.isFinite(g) && g > 0);
  if (clean.length < 2) return null;
  const { lo, hi } = uniformEndpoints(clean);
  switch (law) {
    case 'symmetric':
      return {
        law,
        sleep_s: (lo + hi) / 2,
        jitter: (100 * (hi - lo)) / (hi + lo),
        unit: 'percent',
        lo_s: lo,
        hi_s: hi,
      };
    case 'subtractive':
      return { law, sleep_s: hi, jitter: (100 * (hi - lo)) / hi, unit: 'percent', lo_s: lo, hi_s: hi };
    case 'additive':
      return { law, sleep_s: lo, jitter: hi - lo, unit: 'seconds', lo_s: lo, hi_s: hi };
  }
}

/**
 * Flare-style outlier-robust regularity: the largest share of gaps inside one band [c(1 − b), c(1 + b)]
 * centred on an observed gap c (b = MODE_BAND_REL). 0 for no gaps.
 */
export function modeShare(gaps: readonly number[], band = MODE_BAND_REL): number {
  const s = gaps.filter((g) => Number.isFinite(g) && g > 0).sort((a, b) => a - b);
  if (s.length === 0) return 0;
  let best = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    while (s[lo]! < c * (1 - band)) lo++;
    if (hi < i) hi = i;
    while (hi + 1 < s.length && s[hi + 1]! <= c * (1 + band)) hi++;
    best = Math.max(best, hi - lo + 1);
  }
  return best / s.length;
}

/** Everything the profiler reports about the timing of one series. */
export interface TimingAnalysis {
  episodes: number;
  /** Start-to-start gaps (seconds) summary. */
  mean_gap_s: number | null;
  median_gap_s: number | null;
  /** CV of the start-to-start gaps, for comparison with DECNET (not used for the verdict). */
  cv: number | null;
  /** Period after folding start-to-start gaps (seconds). */
  period_s: number | null;
  missed_checkins: number;
  breaks: number;
  mode_share: number;
  /** Inter-decile range of the gaps (breaks left out) over their median: the effect size `regular` checks. */
  spread_ratio: number | null;
  /** spread_ratio ≤ MAX_BEACON_SPREAD, or the gaps form a lattice (isLattice): regular enough for a beacon. */
  regular: boolean;
  /** √3·CV of the folded gaps, as a symmetric-jitter percentage (docs/behavior.md §1.7.5). */
  jitter_symmetric_pct_from_cv: number | null;
  test: PeriodicityTest;
  /** Folded start-to-start gaps (breaks removed): what attribution and the jitter estimates use. */
  folded_gaps: number[];
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Timing analysis of one series from its start-to-start and excess gaps (episodes.ts). */
export function analyzeTiming(
  startGaps: readonly number[],
  excessGaps: readonly number[],
  alpha = PERIODICITY_ALPHA,
): TimingAnalysis {
  const fold = foldGaps(startGaps);
  const cvFolded = coefficientOfVariation(fold.folded);
  const spread = spreadRatio(startGaps.filter((_, i) => fold.multiples[i] !== 0));
  return {
    episodes: startGaps.length + 1,
    mean_gap_s: finiteOrNull(mean(startGaps)),
    median_gap_s: finiteOrNull(median(startGaps)),
    cv: finiteOrNull(coefficientOfVariation(startGaps)),
    period_s: finiteOrNull(fold.period),
    missed_checkins: fold.missed,
    breaks: fold.breaks,
    mode_share: modeShare(startGaps),
    spread_ratio: finiteOrNull(spread),
    regular: spread <= MAX_BEACON_SPREAD || isLattice(startGaps, fold),
    jitter_symmetric_pct_from_cv: Number.isFinite(cvFolded) ? 100 * Math.sqrt(3) * cvFolded : null,
    test: periodicityTest(excessGaps, alpha),
    folded_gaps: fold.folded,
  };
}

/** True when the gaps form a lattice of one tight period (see LATTICE_MAX_SPREAD). */
export function isLattice(gaps: readonly number[], fold: FoldResult = foldGaps(gaps)): boolean {
  const unit: number[] = [];
  gaps.forEach((g, i) => {
    if (fold.multiples[i] === 1) unit.push(g);
  });
  if (unit.length < 2 || !(spreadRatio(unit) <= LATTICE_MAX_SPREAD)) return false;
  const lo = Math.min(...unit) * (1 - LATTICE_SLACK);
  const hi = Math.max(...unit) * (1 + LATTICE_SLACK);
  let off = 0;
  gaps.forEach((g, i) => {
    const k = fold.multiples[i]!;
    if (k >= 2 && (g / k < lo || g / k > hi)) off++;
  });
  return off <= Math.floor(LATTICE_MAX_OFF_SHARE * gaps.length);
}

/** (Q90 − Q10) / median of the gaps (type-7 quantiles); NaN with fewer than 2 gaps. */
export function spreadRatio(gaps: readonly number[]): number {
  if (gaps.length < 2) return Number.NaN;
  const s = [...gaps].sort((a, b) => a - b);
  const med = quantileSorted(s, 0.5);
  if (!(med > 0)) return Number.NaN;
  return (quantileSorted(s, 0.9) - quantileSorted(s, 0.1)) / med;
}
