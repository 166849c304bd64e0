// C2 attribution on crafted default profiles (docs/behavior.md §2.1), abstention, units, evidence.
import { describe, expect, it } from 'vitest';
import {
  attributeC2,
  C2_FRAMEWORKS,
  C2_PROFILES,
  evidenceFrom,
  fitTiming,
  fuseEvidence,
  JA4_GO_TLS_CLIENT,
} from '../../../src/profiler/attribution.js';

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe('attributeC2 on default profiles', () => {
  it('Cobalt Strike 60 s / 0 %: a point at 60 s plus the check-in time', () => {
    const r = attributeC2([60.2, 60.3, 60.1, 60.25, 60.2, 60.22]);
    expect(r.framework).toBe('cobalt_strike');
    expect(r.profile).toBe('cobalt_strike/default');
    expect(r.config).toBe('default');
    expect(r.consistent_with).toContain('cobalt_strike/default');
    expect(r.jitter[0]).toMatchObject({ law: 'subtractive', unit: 'percent' });
    expect(r.jitter[0]!.sleep_s).toBeCloseTo(60, 0);
  });
  it('Sliver 60 s + U[0, 30 s): jitter reported in seconds', () => {
    const r = attributeC2([61.2, 88.1, 75.3, 70.4, 83.9, 64.6, 79.2, 67.7]);
    expect(r.framework).toBe('sliver');
    expect(r.jitter[0]!.unit).toBe('seconds');
    expect(r.jitter[0]!.jitter).toBeGreaterThan(20);
    expect(r.jitter[0]!.jitter).toBeLessThan(40);
  });
  it('Poseidon: the whole-second lattice {8 … 12} s', () => {
    const r = attributeC2([10.2, 9.2, 11.2, 10.2, 8.2, 10.2, 12.2, 9.2, 10.2]);
    expect(r.framework).toBe('mythic_poseidon');
  });
  it('Empire 5 s / 0 %', () => {
    expect(attributeC2([5.1, 5.12, 5.09, 5.11, 5.1, 5.1]).framework).toBe('empire');
  });
  it('Havoc shipped profile 2 s ± 15 %', () => {
    expect(attributeC2([1.92, 2.31, 1.81, 2.12, 2.42, 1.88, 2.05, 2.22]).framework).toBe('havoc');
  });
  it('Meterpreter idle back-off: a 0.1 s ramp, then a 10 s plateau', () => {
    expect(attributeC2([5.15, 5.25, 5.35, 5.45, 5.55, 5.65, 5.75]).framework).toBe('meterpreter');
    expect(attributeC2([10.15, 10.14, 10.16, 10.15, 10.13, 10.15]).framework).toBe('meterpreter');
  });
  it('folds a missed check-in', () => {
    const r = attributeC2([60.2, 120.4, 60.1, 60.25, 60.2, 60.22]);
    expect(r.framework).toBe('cobalt_strike');
  });
});

describe('abstention', () => {
  it('a non-default Cobalt Strike 45 s / 30 % fits no default', () => {
    const r = attributeC2([45.1, 37.2, 41.3, 33.9, 44.2, 39.1, 35.5]);
    expect(r.framework).toBeNull();
    expect(r.abstain_reason).not.toBeNull();
    expect(r.posterior.other + C2_FRAMEWORKS.reduce((a, f) => a + r.posterior[f], 0)).toBeCloseTo(1, 9);
    // abstaining reports jitter under every law
    expect(r.jitter.map((j) => j.law).sort()).toEqual(['additive', 'subtractive', 'symmetric']);
  });
  it('needs two gaps', () => {
    expect(attributeC2([60]).abstain_reason).toBe('too_few_gaps');
    expect(attributeC2([]).framework).toBeNull();
  });
  it('posteriors sum to 1 and every profile has one', () => {
    const r = attributeC2([12, 14, 13, 12.5, 14.2]);
    expect(sum(r.posterior)).toBeCloseTo(1, 9);
    expect(Object.keys(r.profile_posterior)).toHaveLength(C2_PROFILES.length);
  });
});

describe('evidence fusion', () => {
  it('an Empire default User-Agent names Empire even with non-default timing', () => {
    const t = fitTiming([7.1, 9.3, 8.2, 6.4, 9.9, 7.7, 8.8]);
    expect(fuseEvidence(t, []).framework).toBeNull();
    const ev = evidenceFrom({
      user_agents: ['Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko'],
    });
    expect(ev).toEqual([{ framework: 'empire', lr: 20, reason: 'Empire default User-Agent' }]);
    const r = fuseEvidence(t, ev);
    expect(r.framework).toBe('empire');
    expect(r.config).toBe('non_default');
  });
  it('breaks the 10 s family tie with TCP evidence: a Windows stack rules Poseidon out', () => {
    const ev = evidenceFrom({ os_guesses: ['Windows 7 or 8'] });
    expect(ev).toEqual([expect.objectContaining({ framework: 'mythic_poseidon', lr: 0.05 })]);
    const lattice = [10.2, 9.2, 11.2, 10.2, 10.2, 9.2, 11.2];
    expect(attributeC2(lattice).posterior.mythic_poseidon).toBeGreaterThan(
      attributeC2(lattice, ev).posterior.mythic_poseidon,
    );
  });
  it("Go's TLS client favours Sliver and Poseidon over Windows-native implants", () => {
    const ev = evidenceFrom({ ja4: [JA4_GO_TLS_CLIENT] });
    const lr = Object.fromEntries(ev.map((e) => [e.framework, e.lr]));
    expect(lr.sliver).toBe(10);
    expect(lr.mythic_poseidon).toBe(10);
    expect(lr.cobalt_strike).toBe(0.1);
  });
  it('ignores non-positive or non-finite likelihood ratios', () => {
    const t = fitTiming([60.2, 60.3, 60.1, 60.25, 60.2]);
    const r = fuseEvidence(t, [
      { framework: 'sliver', lr: 0, reason: 'x' },
      { framework: 'sliver', lr: Number.NaN, reason: 'y' },
    ]);
    expect(r.framework).toBe('cobalt_strike');
  });
});
