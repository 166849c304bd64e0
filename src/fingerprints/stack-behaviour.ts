/**
 * How a TCP/IP stack behaves across several SYNs from one sender: the IP ID sequence, the initial
 * sequence numbers, and the TCP timestamp clock (rate and skew). Pure functions over samples
 * (capture time, IP ID, ISN, TSval) in capture order; the engine gathers the samples per sender and
 * stack fingerprint while it folds identical SYNs.
 *
 * - IP ID classes follow nmap's TI/CI/II test (nmap.org/book/osdetect-methods.html, "IP ID sequence
 *   generation algorithm"): all zero `zero`; one repeated value `constant`; any step ≥ 20,000
 *   `random`; every step a multiple of 256 and ≤ 5,120 `broken_increment` (a byte-swapped counter);
 *   every step < 10 `incremental`; otherwise, steps < 1,000 `random_positive_increments`, else
 *   `random`. The steps are taken modulo 2^16.
 * - ISN classes: `constant` (one repeated ISN, a stateless tool), `time_linked` (the ISN advances
 *   with the capture clock at a steady rate: the rates between samples vary by less than 10 %, as
 *   the RFC 793 250 kHz clock or a counter does), `small_increments` (every step < 2^16, nmap's
 *   "trivial" classes), else `random` (RFC 6528 hashing or a CSPRNG).
 * - TCP timestamp clock (Kohno, Broido, Claffy 2005, "Remote physical device fingerprinting"): the
 *   TSval rate is the least-squares slope of TSval against capture time, snapped to the usual tick
 *   rates (1, 10, 100, 250, 1000 Hz) when within 5 % (other rates, or samples lying more than
 *   0.5 s off the fit, mean the TSval is not one clock across connections: no estimate); the skew is the slope of the offset
 *   TSval/Hz − t against t, in parts per million. Kohno fits the upper bound of the offset set by
 *   linear programming to resist queueing delay; with the few samples a sensor gets per sender, the
 *   least-squares slope is used and reported with its sample count and span so the reader can judge.
 */

/** One SYN of a sender: capture time in µs and the fields the behaviours need. */
export interface StackSample {
  tsUs: number;
  ipId: number;
  isn: number;
  /** TCP timestamp option TSval, or null when the SYN had none. */
  tsval: number | null;
}

export type IpIdClass =
  | 'zero'
  | 'constant'
  | 'incremental'
  | 'broken_increment'
  | 'random_positive_increments'
  | 'random';

export type IsnClass = 'constant' | 'time_linked' | 'small_increments' | 'random';

export interface ClockEstimate {
  /** TSval ticks per second (snapped to a usual rate when close). */
  hz: number;
  /** Clock skew against the capture clock, ppm (positive: the sender's clock runs fast). */
  skewPpm: number;
  samples: number;
  spanS: number;
}

/** Samples needed before a class is given (nmap sends 6 probes; 3 steps are the least that say much). */
export const MIN_BEHAVIOUR_SAMPLES = 4;
/** Samples and span (s) needed for a clock estimate. */
export const MIN_CLOCK_SAMPLES = 4;
export const MIN_CLOCK_SPAN_S = 2;

const USUAL_HZ = [1, 10, 100, 250, 1000] as const;
/** A fitted rate within this fraction of a usual one is snapped to it; other rates give no estimate. */
const HZ_SNAP_TOLERANCE = 0.05;
/** Seconds a sample's clock offset may lie off the fitted line (queueing delay, tick rounding). */
const MAX_CLOCK_RESIDUAL_S = 0.5;

/** IP ID class of the samples (see the file comment), or null with fewer than MIN_BEHAVIOUR_SAMPLES. */
export function classifyIpId(samples: readonly StackSample[]): IpIdClass | null {
  if (samples.length < MIN_BEHAVIOUR_SAMPLES) return null;
  if (samples.every((s) => s.ipId === 0)) return 'zero';
  if (samples.every((s) => s.ipId === samples[0]!.ipId)) return 'constant';
  const steps: number[] = [];
  for (let i = 1; i < samples.length; i++)
    steps.push((samples[i]!.ipId - samples[i - 1]!.ipId + 0x10000) % 0x10000);
  if (steps.some((d) => d >= 20000)) return 'random';
  if (steps.every((d) => d % 256 === 0 && d <= 5120)) return 'broken_increment';
  if (steps.every((d) => d < 10)) return 'incremental';
  if (steps.every((d) => d < 1000)) return 'random_positive_increments';
  return 'random';
}

/** ISN class of the samples (see the file comment), or null with fewer than MIN_BEHAVIOUR_SAMPLES. */
export function classifyIsn(samples: readonly StackSample[]): IsnClass | null {
  if (samples.length < MIN_BEHAVIOUR_SAMPLES) return null;
  if (samples.every((s) => s.isn === samples[0]!.isn)) return 'constant';
  const steps: number[] = [];
  const rates: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const d = (samples[i]!.isn - samples[i - 1]!.isn + 2 ** 32) % 2 ** 32;
    steps.push(d);
    const dt = (samples[i]!.tsUs - samples[i - 1]!.tsUs) / 1e6;
    if (dt > 0) rates.push(d / dt);
  }
  if (rates.length === steps.length && rates.every((r) => r > 0)) {
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    if (rates.every((r) => Math.abs(r - mean) <= 0.1 * mean)) return 'time_linked';
  }
  if (steps.every((d) => d < 0x10000)) return 'small_increments';
  return 'random';
}

/** Least-squares slope and intercept of y on x. */
function leastSquares(
  xs: readonly number[],
  ys: readonly number[],
): { slope: number; intercept: number } | null {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * TCP timestamp clock rate and skew (see the file comment), or null when fewer than
 * MIN_CLOCK_SAMPLES samples carry a TSval, they span less than MIN_CLOCK_SPAN_S, or TSval does not
 * advance (a tool that fills it with a constant or random value).
 */
export function estimateClock(samples: readonly StackSample[]): ClockEstimate | null {
  const withTs = samples.filter((s) => s.tsval !== null);
  if (withTs.length < MIN_CLOCK_SAMPLES) return null;
  const t0 = withTs[0]!.tsUs;
  const v0 = withTs[0]!.tsval!;
  const xs = withTs.map((s) => (s.tsUs - t0) / 1e6);
  const spanS = xs[xs.length - 1]! - xs[0]!;
  if (spanS < MIN_CLOCK_SPAN_S) return null;
  // TSval wraps at 2^32; unwrap relative to the first sample.
  const ticks = withTs.map((s) => (s.tsval! - v0 + 2 ** 32) % 2 ** 32);
  for (let i = 1; i < ticks.length; i++) if (ticks[i]! < ticks[i - 1]!) return null; // not a clock
  const rate = leastSquares(xs, ticks);
  if (rate === null || !(rate.slope > 0)) return null;
  // A TSval that is not one clock across connections (Linux ≥ 4.10 adds a random offset per
  // connection, RFC 7323 §5.4) fits no usual rate, or fits one badly: no estimate then.
  const hz = USUAL_HZ.find((u) => Math.abs(rate.slope - u) <= HZ_SNAP_TOLERANCE * u);
  if (hz === undefined) return null;
  const offsets = ticks.map((k, i) => k / hz - xs[i]!);
  const skew = leastSquares(xs, offsets);
  if (skew === null) return null;
  for (let i = 0; i < xs.length; i++) {
    if (Math.abs(offsets[i]! - (skew.intercept + skew.slope * xs[i]!)) > MAX_CLOCK_RESIDUAL_S) return null;
  }
  return {
    hz: Number(hz.toFixed(3)),
    skewPpm: Number((skew.slope * 1e6).toFixed(1)),
    samples: withTs.length,
    spanS: Number(spanS.toFixed(3)),
  };
}
