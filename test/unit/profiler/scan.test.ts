// TRW against hand-computed walks (θ0 = 0.8, θ1 = 0.2: a failure multiplies Λ by 4, a success by 1/4; η1 = 99).
import { describe, expect, it } from 'vitest';
import {
  expectedContactsToDecision,
  SCAN_WINDOW_MIN_CONTACTS,
  TRW_DEFAULTS,
  TrwDetector,
} from '../../../src/profiler/scan.js';

describe('TrwDetector', () => {
  it('four straight failures decide (4·ln 4 = 5.55 ≥ ln 99 = 4.60; three give 4.16)', () => {
    const d = new TrwDetector();
    for (let i = 0; i < 3; i++) d.observe(i, `t${i}`, false);
    expect(d.result().decision).toBe('pending');
    expect(d.result().log_lr).toBeCloseTo(3 * Math.log(4), 12);
    d.observe(3, 't3', false);
    const r = d.result();
    expect(r.decision).toBe('scanner');
    expect(r.contacts_to_decision).toBe(4);
    expect(r.decided_ts).toBe(3);
  });
  it('one success costs one failure: S F F F F F decides at the sixth contact', () => {
    const d = new TrwDetector();
    d.observe(0, 'a', true);
    for (let i = 1; i <= 4; i++) d.observe(i, `f${i}`, false);
    expect(d.result().decision).toBe('pending');
    d.observe(5, 'f5', false);
    expect(d.result().contacts_to_decision).toBe(6);
  });
  it('restarts the walk after an H0 decision (four successes: −5.55 ≤ ln 0.0101)', () => {
    const d = new TrwDetector();
    for (let i = 0; i < 3; i++) d.observe(i, `s${i}`, true);
    expect(d.result().restarts).toBe(0);
    d.observe(3, 's3', true);
    expect(d.result().restarts).toBe(1);
    expect(d.result().log_lr).toBe(0);
    expect(d.result().decision).toBe('pending');
  });
  it('counts only first contacts', () => {
    const d = new TrwDetector();
    for (let i = 0; i < 10; i++) d.observe(i, 'same', false);
    expect(d.result().first_contacts).toBe(1);
    expect(d.result().decision).toBe('pending');
  });
  it('applies aggregated counts as one step', () => {
    const d = new TrwDetector();
    d.observeCounts(100, 2, 10, 102);
    const r = d.result();
    expect(r.decision).toBe('scanner');
    expect(r.first_contacts).toBe(12);
    expect(r.successes).toBe(2);
    expect(r.first_ts).toBe(100);
    expect(r.last_ts).toBe(102);
    expect(r.slow).toBe(false);
  });
  it('flags a scan that a 5-minute windowed detector would miss as slow', () => {
    const d = new TrwDetector();
    for (let i = 0; i < 10; i++) d.observe(i * 60, `t${i}`, false);
    const r = d.result();
    expect(r.decision).toBe('scanner');
    expect(r.max_contacts_in_window).toBe(6); // t = 240..540 s: 0, 60, …, 300 s apart
    expect(r.max_contacts_in_window).toBeLessThan(SCAN_WINDOW_MIN_CONTACTS);
    expect(r.slow).toBe(true);
  });
  it('a dense scan is not slow', () => {
    const d = new TrwDetector();
    for (let i = 0; i < 40; i++) d.observe(i * 20, `t${i}`, false);
    expect(d.result().slow).toBe(false);
  });
  it('falls back to the paper defaults on inconsistent parameters', () => {
    expect(new TrwDetector({ theta1: 0.9 }).params).toEqual(TRW_DEFAULTS);
  });
});

describe('expectedContactsToDecision', () => {
  it('Wald: ln 99 / ln 4 = 3.3 for p = 0, 5.5 for p = 0.2 (docs/behavior.md §5.1)', () => {
    expect(expectedContactsToDecision(0)).toBeCloseTo(Math.log(99) / Math.log(4), 12);
    expect(expectedContactsToDecision(0.2)).toBeCloseTo(Math.log(99) / (0.6 * Math.log(4)), 12);
    expect(expectedContactsToDecision(0.2)).toBeCloseTo(5.52, 2);
    expect(expectedContactsToDecision(0.5)).toBe(Number.POSITIVE_INFINITY);
  });
});
