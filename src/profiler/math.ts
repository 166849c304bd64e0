// Small numeric helpers for the profiler's statistics. All functions are total: empty input gives
// NaN (or the documented neutral value), never a throw.

/** Arithmetic mean (NaN for an empty array). */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation (divides by n, as DECNET and the doc's CV do; NaN when empty). */
export function popStdev(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const mu = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - mu) * (x - mu);
  return Math.sqrt(s / xs.length);
}

/** Coefficient of variation: population stdev / mean (NaN when the mean is not positive). */
export function coefficientOfVariation(xs: readonly number[]): number {
  const mu = mean(xs);
  if (!(mu > 0)) return Number.NaN;
  return popStdev(xs) / mu;
}

/** Median (mean of the two middle values for an even count; NaN when empty). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >>> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Linear-interpolation quantile (type 7, as R and numpy default) of a sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const i = Math.floor(h);
  const lo = sorted[i]!;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return lo + (h - i) * (hi - lo);
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** log Σ exp(x_i) (−Infinity for an empty array). */
export function logSumExp(xs: readonly number[]): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > m) m = x;
  if (m === Number.NEGATIVE_INFINITY) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** log of the mean of exp(x_i) (−Infinity for an empty array). */
export function logMeanExp(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NEGATIVE_INFINITY;
  return logSumExp(xs) - Math.log(xs.length);
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Complementary error function, Chebyshev fit with fractional error < 1.2e-7 everywhere
 * (Press et al., Numerical Recipes, §6.2 "erfcc").
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let i = ERFC_COEFFS.length - 1; i >= 0; i--) poly = ERFC_COEFFS[i]! + t * poly;
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** Coefficients c0..c9 of the erfcc exponent polynomial in t. */
const ERFC_COEFFS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
  -0.82215223, 0.17087277,
];

/** log of the standard normal upper tail Q(x) = P(Z > x), accurate far into both tails. */
export function logNormalUpperTail(x: number): number {
  if (x < 5) return Math.log(0.5 * erfc(x / Math.SQRT2));
  // Asymptotic series Q(x) ≈ φ(x)/x · (1 − 1/x² + 3/x⁴ − 15/x⁶), relative error < 1e-5 for x ≥ 5.
  const x2 = x * x;
  return -0.5 * x2 - LN_SQRT_2PI - Math.log(x) + Math.log(1 - 1 / x2 + 3 / (x2 * x2) - 15 / (x2 * x2 * x2));
}

/** log P(l < Z < u) for a standard normal Z, stable when both bounds sit in the same far tail. */
export function logNormalInterval(l: number, u: number): number {
  if (!(u > l)) return Number.NEGATIVE_INFINITY;
  if (l >= 0) {
    const a = logNormalUpperTail(l);
    const b = logNormalUpperTail(u);
    return a + Math.log1p(-Math.exp(b - a));
  }
  if (u <= 0) return logNormalInterval(-u, -l);
  // Straddles 0: both tails are at most 1/2, so the plain difference is well conditioned.
  return Math.log(1 - Math.exp(logNormalUpperTail(u)) - Math.exp(logNormalUpperTail(-l)));
}

/** log density of N(mu, sigma²) at x. */
export function logNormalPdf(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LN_SQRT_2PI - Math.log(sigma);
}
