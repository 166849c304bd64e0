// The DECNET baseline against hand-computed values of docs/decnet-reference.md §4.3's rules.
import { describe, expect, it } from 'vitest';
import {
  type DecnetEvent,
  decnetBehavior,
  decnetBehaviorWithoutMetaEvents,
  decnetC2Guesses,
  decnetClassify,
  decnetTimingStats,
  toDecnetEvents,
} from '../../../src/profiler/decnet-baseline.js';
import type { ProfilerEvent } from '../../../src/profiler/types.js';

const de = (
  ts: number,
  service = 'ssh',
  event_type = 'login_attempt',
  fields: DecnetEvent['fields'] = {},
): DecnetEvent => ({
  ts,
  service,
  event_type,
  fields,
});

describe('decnetTimingStats', () => {
  it('IATs of [0, 10, 20, 40]: mean 13.333, median 10, population sd 4.714, CV 0.3536', () => {
    const s = decnetTimingStats([de(40), de(0), de(20), de(10)]);
    expect(s).toEqual({
      event_count: 4,
      duration_s: 40,
      mean_iat_s: 13.333,
      median_iat_s: 10,
      stdev_iat_s: 4.714,
      min_iat_s: 10,
      max_iat_s: 20,
      cv: 0.3536,
    });
  });
  it('nulls below two events; sd 0 with one IAT; CV null when the mean is 0', () => {
    expect(decnetTimingStats([de(5)]).mean_iat_s).toBeNull();
    expect(decnetTimingStats([de(5), de(7)]).stdev_iat_s).toBe(0);
    expect(decnetTimingStats([de(5), de(5), de(5)]).cv).toBeNull();
  });
});

describe('decnetClassify (rule order of the code)', () => {
  const stats = (n: number, mean: number, cv: number | null) => ({
    ...decnetTimingStats([]),
    event_count: n,
    mean_iat_s: mean,
    cv,
  });
  it.each([
    [2, 60, 0.0, 1, 'unknown'],
    [4, 12, 0.1, 2, 'slow_scan'],
    [3, 5, 0.1, 3, 'scanning'],
    [3, 1, 0.1, 2, 'scanning'],
    [8, 3, 0.5, 1, 'brute_force'],
    [7, 3, 0.5, 1, 'interactive'],
    [4, 60, 0.34, 1, 'beaconing'],
    [4, 60, 0.35, 1, 'mixed'],
    [6, 4, 0.5, 1, 'interactive'],
    [8, 3, null, 1, 'mixed'],
  ] as const)('n=%i mean=%f cv=%s services=%i → %s', (n, mean, cv, svc, want) => {
    expect(decnetClassify(stats(n, mean, cv), svc)).toBe(want);
  });
});

describe('decnetC2Guesses', () => {
  it('boxes of the cadence table', () => {
    const s = (mean: number, cv: number) => ({ ...decnetTimingStats([]), mean_iat_s: mean, cv });
    expect(decnetC2Guesses(s(60, 0.2))).toEqual(['cobalt_strike']);
    expect(decnetC2Guesses(s(62, 0.28))).toEqual(['sliver']);
    expect(decnetC2Guesses(s(55, 0.24))).toEqual(['cobalt_strike', 'sliver']);
    expect(decnetC2Guesses(s(60, 0))).toEqual([]); // Cobalt Strike's real default
  });
});

describe('decnetBehavior', () => {
  it('beaconing at mean ≥ 5 s and CV < 0.35 — a slow brute force included', () => {
    const ev = Array.from({ length: 10 }, (_, i) => de(i * 30));
    const b = decnetBehavior(ev);
    expect(b.behavior_class).toBe('beaconing');
    expect(b.beacon_interval_s).toBe(30);
    expect(b.beacon_jitter_pct).toBe(0);
  });
  it('header tools only on request events; ^ anchors at the start', () => {
    const b = decnetBehavior([
      de(0, 'http', 'request', { user_agent: 'curl/8.5.0' }),
      de(1, 'http', 'request', { user_agent: 'x curl/8.5.0 sqlmap/1.7' }),
      de(2, 'http', 'connection', { user_agent: 'Nikto' }),
    ]);
    expect(b.tool_guesses).toEqual(['curl', 'sqlmap']);
  });
  it('recon→exfil latency: last recon to first exfil, null after a late re-scan', () => {
    const ok = decnetBehavior([
      de(0, 'ssh', 'login_attempt'),
      de(10, 'ssh', 'login_attempt'),
      de(25, 'ssh', 'command'),
    ]);
    expect(ok.phase_sequence.exfil_latency_s).toBe(15);
    const late = decnetBehavior([de(0), de(25, 'ssh', 'command'), de(90, 'ssh', 'connection')]);
    expect(late.phase_sequence.exfil_latency_s).toBeNull();
    expect(
      decnetBehavior([de(0, 'ssh', 'download', { bytes: 2_000_000 })]).phase_sequence.large_payload_count,
    ).toBe(1);
  });
  it('the P3 fix leaves sniffer events out of services and timing', () => {
    const ev = [...Array.from({ length: 10 }, (_, i) => de(i * 2)), de(1, 'sniffer', 'tcp_syn_fingerprint')];
    expect(decnetBehavior(ev).behavior_class).toBe('scanning'); // 2 services, mean < 2 s
    expect(decnetBehaviorWithoutMetaEvents(ev).behavior_class).toBe('brute_force');
  });
});

describe('toDecnetEvents', () => {
  const pe = (ts: number, over: Partial<ProfilerEvent>): ProfilerEvent => ({
    ts,
    src_ip: '192.0.2.9',
    kind: 'connection',
    source: 'sensor',
    event_type: 'tcp_flow_timing',
    dst_ip: '198.18.0.5',
    dst_port: 443,
    ...over,
  });
  it("applies the sniffer's fixed 300 s dedup per (ip, type, key) and drops types it never emits", () => {
    const out = toDecnetEvents([
      pe(0, {}),
      pe(100, {}),
      pe(299, { dst_port: 8443 }),
      pe(301, {}),
      pe(5, { event_type: 'http_request', kind: 'request' }),
    ]);
    expect(out.map((e) => [e.ts, e.event_type, e.service])).toEqual([
      [0, 'tcp_flow_timing', 'sniffer'],
      [299, 'tcp_flow_timing', 'sniffer'],
      [301, 'tcp_flow_timing', 'sniffer'],
    ]);
  });
  it('keeps honeypot events as they are and spreads a scan summary into deduplicated SYNs', () => {
    const out = toDecnetEvents([
      pe(10, { source: 'honeypot', event_type: 'login_attempt', kind: 'auth', service: 'ssh' }),
      pe(0, {
        event_type: 'scan_summary',
        kind: 'scan_summary',
        probes: { answered: 1, failed: 9, first_ts: 0, last_ts: 600 },
      }),
    ]);
    // SYNs at 0, 66.7, …, 600 s: the first and the first one 300 s later (333.3 s) pass the dedup.
    expect(out.map((e) => [Math.round(e.ts * 10) / 10, e.service, e.event_type])).toEqual([
      [0, 'sniffer', 'tcp_syn_fingerprint'],
      [10, 'ssh', 'login_attempt'],
      [333.3, 'sniffer', 'tcp_syn_fingerprint'],
    ]);
  });
});
