// Numeric helpers against textbook values (Abramowitz & Stegun table 7.1 for erfc; normal tail areas).
import { describe, expect, it } from 'vitest';
import {
  coefficientOfVariation,
  erfc,
  logAddExp,
  logMeanExp,
  logNormalInterval,
  logNormalPdf,
  logNormalUpperTail,
  logSumExp,
  mean,
  median,
  popStdev,
  quantileSorted,
} from '../../../src/profiler/math.js';

describe('moments and order statistics', () => {
  it('mean, population stdev and CV of [2, 4, 4, 4, 5, 5, 7, 9]', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(popStdev(xs)).toBe(2); // Σ(x − 5)² = 32, /8 = 4
    expect(coefficientOfVariation(xs)).toBe(0.4);
  });
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('type-7 quantiles', () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
  });
  it('is total on empty input', () => {
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
    expect(popStdev([])).toBeNaN();
    expect(coefficientOfVariation([0, 0])).toBeNaN();
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('log-space sums', () => {
  it('logAddExp and logSumExp', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 12);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 9);
    expect(logMeanExp([Math.log(2), Math.log(4)])).toBeCloseTo(Math.log(3), 12);
  });
});

describe('normal distribution', () => {
  it('erfc matches A&S table values to 1.2e-7 relative', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(0.5)).toBeCloseTo(0.4795001222, 7);
    expect(erfc(1)).toBeCloseTo(0.1572992071, 7);
    expect(erfc(2)).toBeCloseTo(0.004677735, 8);
    expect(erfc(-1)).toBeCloseTo(1.8427007929, 7);
  });
  it('upper tail areas', () => {
    expect(logNormalUpperTail(0)).toBeCloseTo(Math.log(0.5), 7);
    expect(Math.exp(logNormalUpperTail(1.959963985))).toBeCloseTo(0.025, 7);
    // Q(6) = 9.8658765e-10, Q(10) = 7.6198530e-24 (asymptotic branch)
    expect(logNormalUpperTail(6) / Math.log(9.8658765e-10)).toBeCloseTo(1, 5);
    expect(logNormalUpperTail(10) / Math.log(7.619853e-24)).toBeCloseTo(1, 5);
  });
  it('interval probabilities, including far tails', () => {
    expect(Math.exp(logNormalInterval(-1, 1))).toBeCloseTo(0.6826894921, 6);
    expect(Math.exp(logNormalInterval(1, 2))).toBeCloseTo(0.135905122, 6);
    expect(Math.exp(logNormalInterval(-2, -1))).toBeCloseTo(0.135905122, 6);
    // P(20 < Z < 21) ≈ Q(20): ln Q(20) = −203.917...
    expect(logNormalInterval(20, 21)).toBeCloseTo(-203.917, 2);
    expect(logNormalInterval(1, 1)).toBe(Number.NEGATIVE_INFINITY);
  });
  it('log density', () => {
    expect(logNormalPdf(0, 0, 1)).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 12);
    expect(logNormalPdf(3, 1, 2)).toBeCloseTo(-0.5 - 0.5 * Math.log(2 * Math.PI) - Math.log(2), 12);
  });
});
