// Attack phases as ATT&CK-style tactics, with first/last time per tactic and the ordered transitions
// between them — instead of DECNET's single recon→exfil latency, which a late re-scan erases
// (docs/behavior.md §6, decnet-reference.md §8 P9). Also the hourly activity histogram, the services and
// decoys touched in order (traversal path) and the tools in order of first appearance.
//
// Tactic of an event (ATT&CK tactic, with the technique that motivates it):
//   recon               connection attempts, probes, scan summaries, passive fingerprints, application
//                       requests (TA0043 Active Scanning T1595)
//   credential_access   login attempts (TA0006 Brute Force T1110)
//   discovery           system discovery commands after login: uname, id, cat /proc/cpuinfo …
//                       (TA0007: T1082, T1033, T1016) — kept apart from recon, which is pre-compromise
//   execution           other commands (TA0002 Command and Scripting Interpreter T1059)
//   persistence         commands touching authorized_keys, cron, services, rc files, accounts
//                       (TA0003: T1098.004, T1053.003, T1543.002, T1037, T1136)
//   collection          commands reading credentials, keys, histories, or archiving (TA0009: T1005, T1560)
//   exfiltration        uploads out of the decoy; scp/rsync to a remote, curl -T/-F/--data-binary, nc <
//                       (TA0010: T1048)
//   command_and_control downloads into the decoy; wget/curl/tftp/ftpget fetches
//                       (TA0011 Ingress Tool Transfer T1105).
// discovery and command_and_control are added to the issue's six tactics: the commonest honeypot events
// after logins are discovery commands and downloads, and neither fits the six.

import type { ProfilerEvent } from './types.js';

export type Tactic =
  | 'recon'
  | 'credential_access'
  | 'discovery'
  | 'execution'
  | 'persistence'
  | 'collection'
  | 'exfiltration'
  | 'command_and_control';

export const TACTICS: readonly Tactic[] = [
  'recon',
  'credential_access',
  'discovery',
  'execution',
  'persistence',
  'collection',
  'exfiltration',
  'command_and_control',
];

/** Bounds on what a PhaseTracker keeps. */
export const MAX_SERVICES_TRACKED = 64;
export const MAX_HONEYPOTS_TRACKED = 64;
export const MAX_TOOLS_TRACKED = 32;

/** Command patterns, most specific first (the first match wins). */
const COMMAND_TACTICS: readonly { tactic: Tactic; re: RegExp }[] = [
  {
    tactic: 'persistence',
    re: /authorized_keys|crontab|\/etc\/cron|systemctl\s+enable|\/etc\/systemd\/system|\/etc\/rc\.local|\/etc\/init\.d|update-rc\.d|\.bashrc|\.bash_profile|\/etc\/profile|\buseradd\b|\badduser\b|\bchpasswd\b|\bpasswd\b|chattr\s+\+[ia]/i,
  },
  {
    tactic: 'exfiltration',
    re: /\bscp\b.*\S+@\S+:|\brsync\b.*\S+@\S+:|\bcurl\b.*(?:\s-T\s|--upload-file|\s-F\s|--data-binary)|\bnc\b[^|]*<|\bftp\b.*\bput\b/i,
  },
  { tactic: 'command_and_control', re: /\b(?:wget|curl|tftp|ftpget|busybox\s+wget|lwp-download|fetch)\b/i },
  {
    tactic: 'collection',
    re: /\/etc\/shadow|\/etc\/passwd|\.ssh\/id_|\.bash_history|\bhistory\b|\btar\b|\bzip\b|\b7z\b|\bfind\b.*-name|\.(?:pem|key|kdbx|sqlite)\b|wallet/i,
  },
  {
    tactic: 'discovery',
    re: /^\s*(?:uname|whoami|id|hostname|ifconfig|ip\s+(?:a|addr|r|route)|w|who|last|uptime|nproc|lscpu|free|df|ps|netstat|ss|lspci|dmidecode|env|locale|echo\s+\$\w+)\b|\/proc\/(?:cpuinfo|meminfo|version)|\/etc\/(?:issue|os-release)/i,
  },
];

/** The tactic of a command's text (execution when no pattern matches). */
export function tacticOfCommand(command: string): Tactic {
  for (const { tactic, re } of COMMAND_TACTICS) if (re.test(command)) return tactic;
  return 'execution';
}

/** The tactic of an event (null for kinds that say nothing about the attack's stage). */
export function tacticOf(ev: ProfilerEvent): Tactic | null {
  switch (ev.kind) {
    case 'connection':
    case 'request':
    case 'scan_summary':
    case 'fingerprint':
      return 'recon';
    case 'auth':
      return 'credential_access';
    case 'command':
      return ev.command !== undefined ? tacticOfCommand(ev.command) : 'execution';
    case 'download':
      return 'command_and_control';
    case 'upload':
      return 'exfiltration';
    default:
      return null;
  }
}

/** First/last time and count of one tactic. */
export interface TacticSpan {
  first_ts: number;
  last_ts: number;
  count: number;
}

/** A change from one tactic to another between consecutive events, aggregated. */
export interface TacticTransition {
  from: Tactic;
  to: Tactic;
  first_ts: number;
  count: number;
}

/** What the phase tracker reports. */
export interface PhaseSummary {
  tactics: Partial<Record<Tactic, TacticSpan>>;
  /** Tactics in order of first appearance. */
  order: Tactic[];
  /** Tactic changes between consecutive events (in arrival order), in order of first occurrence. */
  transitions: TacticTransition[];
  /** Events per UTC hour of day. */
  hourly: number[];
  /** Services in order of first contact. */
  services: { service: string; first_ts: number }[];
  /** Decoys in order of first contact (the traversal path). */
  honeypots: { dst_ip: string; first_ts: number }[];
  /** Tools in order of first appearance. */
  tools: { tool: string; first_ts: number }[];
}

/** Tracks tactics, transitions, hourly activity and first appearances for one attacker, bounded. */
export class PhaseTracker {
  private readonly spans = new Map<Tactic, TacticSpan>();
  private readonly trans = new Map<string, TacticTransition>();
  private readonly hourly = new Array<number>(24).fill(0);
  private readonly services = new Map<string, number>();
  private readonly honeypots = new Map<string, number>();
  private readonly tools = new Map<string, number>();
  private last: Tactic | null = null;

  /** Adds one event. */
  add(ev: ProfilerEvent): void {
    if (!Number.isFinite(ev.ts)) return;
    const hour = Math.floor((((ev.ts % 86400) + 86400) % 86400) / 3600);
    this.hourly[hour] = (this.hourly[hour] ?? 0) + 1;
    if (ev.service !== undefined && ev.service !== '')
      firstSeen(this.services, ev.service, ev.ts, MAX_SERVICES_TRACKED);
    if (ev.dst_ip !== undefined) firstSeen(this.honeypots, ev.dst_ip, ev.ts, MAX_HONEYPOTS_TRACKED);
    if (ev.tool !== undefined && ev.tool !== '') firstSeen(this.tools, ev.tool, ev.ts, MAX_TOOLS_TRACKED);
    const t = tacticOf(ev);
    if (t === null) return;
    const s = this.spans.get(t);
    if (s === undefined) this.spans.set(t, { first_ts: ev.ts, last_ts: ev.ts, count: 1 });
    else {
      s.count++;
      if (ev.ts < s.first_ts) s.first_ts = ev.ts;
      if (ev.ts > s.last_ts) s.last_ts = ev.ts;
    }
    if (this.last !== null && this.last !== t) {
      const key = `${this.last}>${t}`;
      const tr = this.trans.get(key);
      if (tr === undefined) this.trans.set(key, { from: this.last, to: t, first_ts: ev.ts, count: 1 });
      else {
        tr.count++;
        if (ev.ts < tr.first_ts) tr.first_ts = ev.ts;
      }
    }
    this.last = t;
  }

  /** The summary (copies). */
  summary(): PhaseSummary {
    const tactics: Partial<Record<Tactic, TacticSpan>> = {};
    for (const [t, s] of this.spans) tactics[t] = { ...s };
    const order = [...this.spans.entries()].sort((a, b) => a[1].first_ts - b[1].first_ts).map(([t]) => t);
    const byFirst = <K extends string>(m: Map<string, number>, name: K) =>
      [...m.entries()]
        .sort((a, b) => a[1] - b[1])
        .map(([v, ts]) => ({ [name]: v, first_ts: ts }) as { [P in K]: string } & { first_ts: number });
    return {
      tactics,
      order,
      transitions: [...this.trans.values()].sort((a, b) => a.first_ts - b.first_ts).map((t) => ({ ...t })),
      hourly: [...this.hourly],
      services: byFirst(this.services, 'service'),
      honeypots: byFirst(this.honeypots, 'dst_ip'),
      tools: byFirst(this.tools, 'tool'),
    };
  }
}

/** Records the first time a value was seen (earliest wins), ignoring new values past the cap. */
function firstSeen(m: Map<string, number>, v: string, ts: number, cap: number): void {
  const cur = m.get(v);
  if (cur === undefined) {
    if (m.size < cap) m.set(v, ts);
  } else if (ts < cur) m.set(v, ts);
}
