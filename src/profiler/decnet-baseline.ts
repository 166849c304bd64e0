// DECNET's attacker_behavior rules, re-implemented from their description in
// docs/decnet-reference.md §4.3 (DECNET is AGPL-3.0; none of its code is copied), as the baseline the
// behaviour benchmark scores against. Deliberately faithful, bugs included:
//  - timing is computed over *all* events of the IP, across services and event types, sensor meta-events
//    included (P4);
//  - the service count includes the pseudo-services `sniffer` and `prober` (P3), so with any sensor
//    event brute_force is unreachable;
//  - the C2 cadence table compares CV with jitter and its values match no shipped default (§0 of
//    docs/behavior.md);
//  - recon→exfil latency uses the *last* recon event and the *first* exfil event (P9).
// `toDecnetEvents` models what reaches DECNET's profiler from a stream of our events: honeypot service
// events unchanged, and only the event types DECNET's sniffer emits, with its fixed 300 s dedup per
// (src_ip, event_type, key) (§2.2).
// One stated deviation: where Python would raise comparing a missing CV (mean IAT 0) with a number,
// the comparison is false here.

import type { ProfilerEvent } from './types.js';

/** A log row as DECNET's profiler parses it. */
export interface DecnetEvent {
  ts: number;
  /** APP-NAME: the service, or 'sniffer' / 'prober'. */
  service: string;
  event_type: string;
  /** Selected SD fields: `user_agent` (from the request's headers), `bytes`, `size`, `content_length`. */
  fields: Record<string, string | number>;
}

/** DECNET's classes (its 'unknown' is our insufficient_data). */
export type DecnetClass =
  | 'unknown'
  | 'slow_scan'
  | 'scanning'
  | 'brute_force'
  | 'beaconing'
  | 'interactive'
  | 'mixed';

/** timing_stats as DECNET stores it. */
export interface DecnetTimingStats {
  event_count: number;
  duration_s: number;
  mean_iat_s: number | null;
  median_iat_s: number | null;
  stdev_iat_s: number | null;
  min_iat_s: number | null;
  max_iat_s: number | null;
  cv: number | null;
}

/** The behaviour columns DECNET derives from events alone. */
export interface DecnetBehavior {
  timing_stats: DecnetTimingStats;
  behavior_class: DecnetClass;
  beacon_interval_s: number | null;
  beacon_jitter_pct: number | null;
  tool_guesses: string[];
  phase_sequence: {
    recon_end_ts: number | null;
    exfil_start_ts: number | null;
    exfil_latency_s: number | null;
    large_payload_count: number;
  };
}

const round = (x: number, places: number) => {
  const f = 10 ** places;
  return Math.round(x * f) / f;
};

/** DECNET's timing_stats (population stdev; IAT keys null below 2 events). */
export function decnetTimingStats(events: readonly DecnetEvent[]): DecnetTimingStats {
  const ts = events
    .map((e) => e.ts)
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const n = ts.length;
  const base: DecnetTimingStats = {
    event_count: n,
    duration_s: n > 0 ? round(ts[n - 1]! - ts[0]!, 3) : 0,
    mean_iat_s: null,
    median_iat_s: null,
    stdev_iat_s: null,
    min_iat_s: null,
    max_iat_s: null,
    cv: null,
  };
  if (n < 2) return base;
  const iats: number[] = [];
  for (let i = 1; i < n; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (d >= 0) iats.push(d);
  }
  const m = iats.length;
  const mean = iats.reduce((a, b) => a + b, 0) / m;
  const sorted = [...iats].sort((a, b) => a - b);
  const med = m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  const sd = m < 2 ? 0 : Math.sqrt(iats.reduce((a, b) => a + (b - mean) ** 2, 0) / m);
  return {
    ...base,
    mean_iat_s: round(mean, 3),
    median_iat_s: round(med, 3),
    stdev_iat_s: round(sd, 3),
    min_iat_s: round(sorted[0]!, 3),
    max_iat_s: round(sorted[m - 1]!, 3),
    cv: mean === 0 ? null : round(sd / mean, 4),
  };
}

const lt = (a: number | null, b: number) => a !== null && a < b;
const ge = (a: number | null, b: number) => a !== null && a >= b;

/** DECNET's behavior_class, in the order its code evaluates the rules (§4.3). */
export function decnetClassify(stats: DecnetTimingStats, serviceCount: number): DecnetClass {
  const n = stats.event_count;
  const mean = stats.mean_iat_s;
  const cv = stats.cv;
  if (n < 3 || mean === null) return 'unknown';
  if (serviceCount >= 2 && mean >= 10 && n >= 4) return 'slow_scan';
  if (n >= 3 && ((serviceCount >= 3 && mean < 10) || (serviceCount >= 2 && mean < 2))) return 'scanning';
  if (serviceCount === 1 && n >= 8 && mean < 5 && lt(cv, 0.6)) return 'brute_force';
  if (lt(cv, 0.35) && mean >= 5 && n >= 4) return 'beaconing';
  if (ge(cv, 0.5) && mean < 5 && n >= 6) return 'interactive';
  return 'mixed';
}

/** DECNET's C2 cadence table (tools.py): interval ± tolerance seconds, CV ± tolerance. */
export const DECNET_C2_TABLE: readonly {
  tool: string;
  interval: number;
  tol: number;
  cv: number;
  cvTol: number;
}[] = [
  { tool: 'cobalt_strike', interval: 60, tol: 8, cv: 0.2, cvTol: 0.05 },
  { tool: 'sliver', interval: 60, tol: 10, cv: 0.3, cvTol: 0.08 },
  { tool: 'havoc', interval: 45, tol: 8, cv: 0.1, cvTol: 0.03 },
  { tool: 'mythic', interval: 30, tol: 6, cv: 0.15, cvTol: 0.03 },
];

/** DECNET's header tool table: User-Agent substring (case-insensitive) or, with ^, a match at the start. */
export const DECNET_HEADER_TABLE: readonly { tool: string; pattern: string }[] = [
  { tool: 'nmap', pattern: 'Nmap Scripting Engine' },
  { tool: 'nikto', pattern: 'Nikto' },
  { tool: 'sqlmap', pattern: 'sqlmap' },
  { tool: 'nuclei', pattern: 'Nuclei' },
  { tool: 'masscan', pattern: 'masscan' },
  { tool: 'zgrab', pattern: 'zgrab' },
  { tool: 'metasploit', pattern: 'Metasploit' },
  { tool: 'curl', pattern: '^curl/' },
  { tool: 'python_requests', pattern: 'python-requests' },
  { tool: 'gobuster', pattern: 'gobuster' },
  { tool: 'dirbuster', pattern: 'DirBuster' },
  { tool: 'hydra', pattern: 'hydra' },
  { tool: 'wfuzz', pattern: 'Wfuzz' },
];

/** Every C2 whose (interval, CV) box holds the stream's (mean, CV). */
export function decnetC2Guesses(stats: DecnetTimingStats): string[] {
  const mean = stats.mean_iat_s;
  const cv = stats.cv;
  if (mean === null || cv === null) return [];
  return DECNET_C2_TABLE.filter(
    (t) => Math.abs(mean - t.interval) <= t.tol && Math.abs(cv - t.cv) <= t.cvTol,
  ).map((t) => t.tool);
}

const RECON_TYPES = new Set([
  'scan',
  'connection',
  'banner',
  'probe',
  'login_attempt',
  'auth',
  'auth_failure',
]);
const EXFIL_TYPES = new Set([
  'download',
  'upload',
  'file_transfer',
  'data_exfil',
  'command',
  'exec',
  'query',
  'shell_input',
]);
const LARGE_PAYLOAD = 1_048_576;

/** DECNET's attacker_behavior columns from all events of one IP. */
export function decnetBehavior(events: readonly DecnetEvent[]): DecnetBehavior {
  const stats = decnetTimingStats(events);
  const services = new Set(events.map((e) => e.service));
  const cls = decnetClassify(stats, services.size);
  const guesses: string[] = [...decnetC2Guesses(stats)];
  for (const e of events) {
    if (e.event_type !== 'request') continue;
    const ua = e.fields.user_agent;
    if (typeof ua !== 'string') continue;
    for (const h of DECNET_HEADER_TABLE) {
      const hit = h.pattern.startsWith('^')
        ? ua.toLowerCase().startsWith(h.pattern.slice(1).toLowerCase())
        : ua.toLowerCase().includes(h.pattern.toLowerCase());
      if (hit && !guesses.includes(h.tool)) guesses.push(h.tool);
    }
  }
  let reconEnd: number | null = null;
  let exfilStart: number | null = null;
  let large = 0;
  for (const e of events) {
    if (RECON_TYPES.has(e.event_type) && (reconEnd === null || e.ts > reconEnd)) reconEnd = e.ts;
    if (EXFIL_TYPES.has(e.event_type) && (exfilStart === null || e.ts < exfilStart)) exfilStart = e.ts;
    const size = Number(e.fields.bytes ?? e.fields.size ?? e.fields.content_length ?? 0);
    if (size >= LARGE_PAYLOAD) large++;
  }
  return {
    timing_stats: stats,
    behavior_class: cls,
    beacon_interval_s: cls === 'beaconing' ? stats.mean_iat_s : null,
    beacon_jitter_pct: cls === 'beaconing' && stats.cv !== null ? round(stats.cv * 100, 2) : null,
    tool_guesses: guesses,
    phase_sequence: {
      recon_end_ts: reconEnd,
      exfil_start_ts: exfilStart,
      exfil_latency_s:
        reconEnd !== null && exfilStart !== null && exfilStart >= reconEnd ? exfilStart - reconEnd : null,
      large_payload_count: large,
    },
  };
}

/** DECNET's sniffer dedup window, seconds (fixed from the first emission). */
export const DECNET_DEDUP_TTL_S = 300;

/** The dedup key DECNET's sniffer uses for an event type, or null when its sniffer never emits the type. */
function sniffDedupKey(ev: ProfilerEvent): string | null {
  switch (ev.event_type) {
    case 'tcp_syn_fingerprint':
    case 'scan_summary':
      return `syn|${ev.os_guess ?? ''}`;
    case 'tcp_flow_timing':
      return `flow|${ev.dst_ip ?? ''}|${ev.dst_port ?? ''}`;
    case 'tls_client_hello':
      return `hello|${ev.ja3 ?? ''}|${ev.ja4 ?? ''}`;
    case 'tls_session':
      return `session|${ev.ja3 ?? ''}|${ev.ja4 ?? ''}`;
    case 'tls_certificate':
      return 'cert';
    case 'ssh_client_banner':
      return ev.dst_port === undefined || ev.dst_port === 22 ? 'banner' : null;
    case 'quic_client_hello':
      return `quic|${ev.ja4 ?? ''}`;
    default:
      return null;
  }
}

/**
 * What DECNET's profiler would receive for these events of one attacker (sorted by time): honeypot events
 * as they are, sensor events only of the types DECNET's sniffer emits, deduplicated as it does. A
 * scan_summary stands for its probes' SYNs, spread evenly over its span (DECNET emits a SYN fingerprint
 * per SYN, before dedup).
 */
export function toDecnetEvents(events: readonly ProfilerEvent[]): DecnetEvent[] {
  const sorted = [...events].filter((e) => Number.isFinite(e.ts)).sort((a, b) => a.ts - b.ts);
  const out: DecnetEvent[] = [];
  const dedup = new Map<string, number>();
  const emitSniffer = (ev: ProfilerEvent, ts: number, type: string, key: string) => {
    const k = `${ev.src_ip}|${type}|${key}`;
    const since = dedup.get(k);
    if (since !== undefined && ts - since < DECNET_DEDUP_TTL_S) return;
    dedup.set(k, ts);
    out.push({ ts, service: 'sniffer', event_type: type, fields: {} });
  };
  for (const ev of sorted) {
    if (ev.source === 'honeypot') {
      const fields: Record<string, string | number> = {};
      if (ev.user_agent !== undefined) fields.user_agent = ev.user_agent;
      if (ev.bytes !== undefined) fields.bytes = ev.bytes;
      out.push({ ts: ev.ts, service: ev.service ?? 'unknown', event_type: ev.event_type, fields });
      continue;
    }
    const key = sniffDedupKey(ev);
    if (key === null) continue;
    if (ev.event_type === 'scan_summary' && ev.probes !== undefined) {
      const n = Math.min(100_000, Math.max(0, Math.floor(ev.probes.answered + ev.probes.failed)));
      const a = ev.probes.first_ts ?? ev.ts;
      const b = ev.probes.last_ts ?? a;
      for (let i = 0; i < n; i++)
        emitSniffer(ev, a + ((b - a) * i) / Math.max(1, n - 1), 'tcp_syn_fingerprint', key);
      continue;
    }
    emitSniffer(ev, ev.ts, ev.event_type, key);
  }
  return out.sort((x, y) => x.ts - y.ts);
}

/** DECNET with its P3/P4 fix applied: sensor and prober meta-events left out of services and timing. */
export function decnetBehaviorWithoutMetaEvents(events: readonly DecnetEvent[]): DecnetBehavior {
  return decnetBehavior(events.filter((e) => e.service !== 'sniffer' && e.service !== 'prober'));
}
