// Property tests: every public entry point is total on hostile input (empty, NaN, ±Infinity, negative,
// huge values) and stays within its bounds however much input it gets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeC2, C2_FRAMEWORKS, libraryMatch } from '../../../src/profiler/attribution.js';
import { BEHAVIOR_CLASSES } from '../../../src/profiler/classify.js';
import { decnetBehavior, toDecnetEvents } from '../../../src/profiler/decnet-baseline.js';
import {
  EpisodeSeries,
  MAX_EPISODES_PER_KEY,
  MAX_KEYS_PER_ATTACKER,
} from '../../../src/profiler/episodes.js';
import { AttackerProfile } from '../../../src/profiler/profile.js';
import { TrwDetector } from '../../../src/profiler/scan.js';
import {
  analyzeTiming,
  estimateJitter,
  foldGaps,
  modeShare,
  periodicityTest,
} from '../../../src/profiler/timing.js';
import type { ProfilerEvent, ProfilerKind } from '../../../src/profiler/types.js';

const hostileNumber = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, 5e-324),
  fc.double({ min: 0.001, max: 1e6, noNaN: true }),
);
const gapsArb = fc.array(hostileNumber, { maxLength: 80 });

describe('timing is total', () => {
  it('analyzeTiming, periodicityTest, foldGaps, estimateJitter, modeShare never throw', () => {
    fc.assert(
      fc.property(gapsArb, gapsArb, (a, b) => {
        const t = analyzeTiming(a, b);
        expect(typeof t.test.periodic).toBe('boolean');
        expect(typeof t.regular).toBe('boolean');
        const p = periodicityTest(b);
        expect(p.p_value === null || (p.p_value > 0 && p.p_value <= 1)).toBe(true);
        expect(foldGaps(a).multiples).toHaveLength(a.length);
        for (const law of ['symmetric', 'subtractive', 'additive'] as const) estimateJitter(a, law);
        const m = modeShare(a);
        expect(m >= 0 && m <= 1).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('attribution is total', () => {
  it('posteriors are finite and sum to 1 on any positive gaps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e5, noNaN: true }), { minLength: 2, maxLength: 60 }),
        (gaps) => {
          const r = attributeC2(gaps);
          const total = r.posterior.other + C2_FRAMEWORKS.reduce((s, f) => s + r.posterior[f], 0);
          expect(total).toBeCloseTo(1, 6);
          const m = libraryMatch(
            gaps,
            gaps.map((g) => g / 2),
          );
          expect(m.posterior >= 0 && m.posterior <= 1).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
  it('hostile gaps give an abstention or a verdict, never a throw', () => {
    fc.assert(
      fc.property(gapsArb, (gaps) => {
        const r = attributeC2(gaps);
        expect(r.framework === null || C2_FRAMEWORKS.includes(r.framework)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('episodes stay sorted, separated and bounded', () => {
  it('any insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 400 }), (starts) => {
        const s = new EpisodeSeries('k', 1, 64);
        for (const t of starts) s.addStart(t);
        const eps = s.episodes();
        expect(eps.length).toBeLessThanOrEqual(64);
        for (let i = 1; i < eps.length; i++)
          expect(eps[i]!.start - eps[i - 1]!.last_start).toBeGreaterThan(1);
        for (const x of s.excessGaps()) expect(x).toBeGreaterThan(0);
        if (s.dropped === 0) expect(eps.reduce((a, e) => a + e.connections, 0)).toBe(starts.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('TRW is total', () => {
  it('any observations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(hostileNumber, fc.string({ maxLength: 4 }), fc.boolean(), hostileNumber, hostileNumber),
        ),
        (obs) => {
          const d = new TrwDetector();
          for (const [ts, target, ok, s, f] of obs) {
            d.observe(ts, target, ok);
            d.observeCounts(ts, s, f);
          }
          const r = d.result();
          expect(['scanner', 'benign', 'pending']).toContain(r.decision);
          expect(Number.isFinite(r.first_contacts)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

const kinds: ProfilerKind[] = [
  'connection',
  'request',
  'auth',
  'command',
  'download',
  'upload',
  'scan_summary',
  'fingerprint',
  'other',
];
const eventArb: fc.Arbitrary<ProfilerEvent> = fc.record({
  ts: hostileNumber,
  src_ip: fc.constant('198.51.100.7'),
  kind: fc.constantFrom(...kinds),
  source: fc.constantFrom('sensor' as const, 'honeypot' as const),
  event_type: fc.constantFrom(
    'tcp_flow_timing',
    'tls_client_hello',
    'login_attempt',
    'command',
    'scan_summary',
    'x',
  ),
  service: fc.constantFrom('ssh', 'http', 'https', ''),
  dst_port: fc.integer({ min: 0, max: 65535 }),
  dst_ip: fc.constantFrom('198.18.0.1', '198.18.0.2'),
  conn_id: fc.constantFrom('a', 'b', 'c', 'd'),
  command: fc.string({ maxLength: 30 }),
  user_agent: fc.string({ maxLength: 30 }),
  success: fc.boolean(),
  probes: fc.record({ answered: hostileNumber, failed: hostileNumber }),
});

describe('AttackerProfile is total and bounded', () => {
  it('hostile event streams', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 120 }), (events) => {
        const p = new AttackerProfile('198.51.100.7');
        for (const ev of events) p.add(ev);
        const b = p.snapshot();
        expect(BEHAVIOR_CLASSES).toContain(b.behavior_class);
        expect(b.phases.hourly).toHaveLength(24);
        decnetBehavior(toDecnetEvents(events));
      }),
      { numRuns: 150 },
    );
  });
  it('a huge stream stays within the caps (keys, episodes per key)', () => {
    const p = new AttackerProfile('198.51.100.7');
    for (let i = 0; i < 50_000; i++) {
      p.add({
        ts: 1_700_000_000 + i * 2.5,
        src_ip: '198.51.100.7',
        kind: 'request',
        source: 'sensor',
        event_type: 'http_request',
        service: 'http',
        host: `h${i % 100}.example`,
      });
    }
    const b = p.snapshot();
    expect(b.keys.length).toBeLessThanOrEqual(MAX_KEYS_PER_ATTACKER);
    for (const k of b.keys) expect(k.episodes).toBeLessThanOrEqual(MAX_EPISODES_PER_KEY);
    expect(b.evicted_keys).toBeGreaterThan(0); // least recently seen keys evicted, each eviction counted
  });
});
