// Connection episodes: the unit of timing analysis (docs/behavior.md §1.7.1). Cadence is measured per
// (attacker, service or destination port, SNI/Host) on one timestamp per connection, never over all
// events of an IP: an HTTP check-in that produces a SYN fingerprint, a ClientHello, a request log and a
// flow summary is one connection, and connections whose starts follow each other within BURST_GAP_S
// are one episode.
//
// Null-model note (used by timing.ts): when connection starts form a Poisson process, the *excess gap*
// between episodes — next start − last start of the previous episode − BURST_GAP_S — is exactly
// exponential with the process's rate, because an episode ends at its last start s exactly when no start
// falls in (s, s + BURST_GAP_S], and the process is memoryless. That makes the periodicity test's null
// exact at any traffic rate, collapsed bursts included.

import { isFiniteTs, type ProfilerEvent } from './types.js';

/**
 * Starts closer than this (seconds) belong to one episode. One connection's events (SYN, hello,
 * request, service log, flow summary) arrive within a few round trips, well under a second on the
 * Internet; and the shortest default C2 check-in in the attribution library (Havoc's shipped profile,
 * 2 s − 15 % = 1.7 s) must stay a separate episode.
 */
export const BURST_GAP_S = 1.0;
/** Episodes kept per key: the most recent ones (older ones are dropped and counted). 512 episodes is
 *  8.5 h of a 60 s beacon, and bounds the O(n log n) statistics of one key. */
export const MAX_EPISODES_PER_KEY = 512;
/** Keys (service × SNI/Host) kept per attacker; the least recently seen key is evicted and counted. */
export const MAX_KEYS_PER_ATTACKER = 32;
/** Connection ids remembered per attacker (which key a connection belongs to, and that its start was
 *  counted). One connection's events arrive close together, so a small recency window suffices. */
export const MAX_TRACKED_CONNECTIONS = 256;
/** Distinct decoy addresses remembered per key (beyond that the key is "many destinations"). */
export const MAX_DESTINATIONS_PER_KEY = 64;

/** One episode: a burst of connection starts on one key. */
export interface Episode {
  /** First connection start, seconds. */
  start: number;
  /** Last connection start, seconds (the excess gap to the next episode is measured from here). */
  last_start: number;
  /** Connections merged into the episode. */
  connections: number;
}

/** Per-key counters over every event routed to the key (not only the episode-starting ones). */
export interface KeyCounters {
  events: number;
  connections: number;
  /** Connection attempts a decoy did not answer or refused. */
  failed_connections: number;
  requests: number;
  auth_attempts: number;
  auth_failures: number;
  commands: number;
}

/** The episode key of an event, or null when the event has no connection meaning. */
export function episodeKeyOf(ev: ProfilerEvent): string | null {
  if (ev.kind === 'fingerprint' || ev.kind === 'scan_summary' || ev.kind === 'other') return null;
  const svc =
    ev.service !== undefined && ev.service !== ''
      ? ev.service.toLowerCase()
      : ev.dst_port !== undefined
        ? `port/${ev.dst_port}`
        : 'unknown';
  const label = normaliseLabel(ev.sni ?? ev.host);
  return `${svc}|${label}`;
}

/** Host or SNI as a key label: lower case, without a trailing dot or a :port suffix. */
function normaliseLabel(s: string | undefined): string {
  if (s === undefined) return '';
  let v = s.trim().toLowerCase();
  const bracket = v.startsWith('[') ? v.indexOf(']') : -1;
  if (bracket > 0) v = v.slice(0, bracket + 1);
  else if (v.indexOf(':') === v.lastIndexOf(':')) v = v.replace(/:\d+$/, '');
  return v.replace(/\.$/, '');
}

/** True for the kinds whose events start a connection when no connection id ties them to an earlier one. */
function startsConnection(ev: ProfilerEvent): boolean {
  return ev.kind === 'connection' || ev.kind === 'request' || ev.kind === 'auth';
}

/** The episodes of one key, sorted by start, bounded to MAX_EPISODES_PER_KEY. */
export class EpisodeSeries {
  readonly key: string;
  readonly counters: KeyCounters = {
    events: 0,
    connections: 0,
    failed_connections: 0,
    requests: 0,
    auth_attempts: 0,
    auth_failures: 0,
    commands: 0,
  };
  /** Episodes dropped because the key held MAX_EPISODES_PER_KEY. */
  dropped = 0;
  /** Latest event time routed here (for least-recently-seen eviction). */
  lastSeen = Number.NEGATIVE_INFINITY;
  private readonly eps: Episode[] = [];
  private readonly dsts = new Set<string>();
  private dstOverflow = false;
  private readonly gap: number;
  private readonly cap: number;

  constructor(key: string, burstGap = BURST_GAP_S, cap = MAX_EPISODES_PER_KEY) {
    this.key = key;
    this.gap = burstGap;
    this.cap = Math.max(2, cap);
  }

  /** Records one connection start at `ts` (any order; merges with neighbours within the burst gap). */
  addStart(ts: number): void {
    if (!isFiniteTs(ts)) return;
    const eps = this.eps;
    let lo = 0;
    let hi = eps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (eps[mid]!.start <= ts) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo > 0 ? eps[lo - 1]! : undefined;
    const next = lo < eps.length ? eps[lo]! : undefined;
    if (prev !== undefined && ts - prev.last_start <= this.gap) {
      if (ts > prev.last_start) prev.last_start = ts;
      prev.connections++;
      if (next !== undefined && next.start - prev.last_start <= this.gap) {
        prev.last_start = Math.max(prev.last_start, next.last_start);
        prev.connections += next.connections;
        eps.splice(lo, 1);
      }
    } else if (next !== undefined && next.start - ts <= this.gap) {
      next.start = ts;
      next.connections++;
    } else {
      eps.splice(lo, 0, { start: ts, last_start: ts, connections: 1 });
      if (eps.length > this.cap) {
        eps.shift();
        this.dropped++;
      }
    }
  }

  /** Remembers a decoy address seen on this key. */
  addDestination(dst: string): void {
    if (this.dsts.has(dst)) return;
    if (this.dsts.size >= MAX_DESTINATIONS_PER_KEY) {
      this.dstOverflow = true;
      return;
    }
    this.dsts.add(dst);
  }

  /** Distinct decoy addresses (a lower bound once more than MAX_DESTINATIONS_PER_KEY were seen). */
  get destinations(): number {
    return this.dsts.size + (this.dstOverflow ? 1 : 0);
  }

  /** Number of episodes held. */
  get size(): number {
    return this.eps.length;
  }

  /** A copy of the episodes, oldest first. */
  episodes(): Episode[] {
    return this.eps.map((e) => ({ ...e }));
  }

  /** Episode start times, oldest first. */
  starts(): number[] {
    return this.eps.map((e) => e.start);
  }

  /** Start-to-start gaps between consecutive episodes (seconds): the cadence an implant's sleep produces. */
  startGaps(): number[] {
    const out: number[] = [];
    for (let i = 1; i < this.eps.length; i++) out.push(this.eps[i]!.start - this.eps[i - 1]!.start);
    return out;
  }

  /** Excess gaps: next start − previous episode's last start − burst gap (> 0; exponential under a Poisson null). */
  excessGaps(): number[] {
    const out: number[] = [];
    for (let i = 1; i < this.eps.length; i++) {
      out.push(this.eps[i]!.start - this.eps[i - 1]!.last_start - this.gap);
    }
    return out;
  }
}

/** All episode series of one attacker, keyed by episodeKeyOf, bounded to MAX_KEYS_PER_ATTACKER. */
export class EpisodeTracker {
  /** Keys evicted (least recently seen) to stay within the cap. */
  evictedKeys = 0;
  private readonly byKey = new Map<string, EpisodeSeries>();
  private readonly conns = new Map<string, string>();
  private readonly burstGap: number;
  private readonly maxKeys: number;
  private readonly maxEpisodes: number;

  constructor(opts: { burstGap?: number; maxKeys?: number; maxEpisodesPerKey?: number } = {}) {
    this.burstGap = opts.burstGap ?? BURST_GAP_S;
    this.maxKeys = Math.max(1, opts.maxKeys ?? MAX_KEYS_PER_ATTACKER);
    this.maxEpisodes = opts.maxEpisodesPerKey ?? MAX_EPISODES_PER_KEY;
  }

  /**
   * Routes one event. A connection's key is fixed by the first event seen for its conn_id (our sensor
   * emits a connection's labelled events — ClientHello, request — before its flow summary), and only
   * that first event counts as the connection's start. Events without conn_id start a connection when
   * they are connection, request or auth events.
   */
  add(ev: ProfilerEvent): void {
    if (!isFiniteTs(ev.ts)) return;
    let key: string | null;
    let isNewConn: boolean;
    if (ev.conn_id !== undefined) {
      const known = this.conns.get(ev.conn_id);
      if (known !== undefined) {
        key = known;
        isNewConn = false;
        this.conns.delete(ev.conn_id);
        this.conns.set(ev.conn_id, known);
      } else {
        key = episodeKeyOf(ev);
        if (key === null) return;
        isNewConn = startsConnection(ev);
        if (isNewConn) {
          this.conns.set(ev.conn_id, key);
          if (this.conns.size > MAX_TRACKED_CONNECTIONS) {
            const oldest = this.conns.keys().next().value;
            if (oldest !== undefined) this.conns.delete(oldest);
          }
        }
      }
    } else {
      key = episodeKeyOf(ev);
      if (key === null) return;
      isNewConn = startsConnection(ev);
    }
    const series = this.seriesFor(key);
    if (ev.ts > series.lastSeen) series.lastSeen = ev.ts;
    const c = series.counters;
    c.events++;
    if (ev.dst_ip !== undefined) series.addDestination(ev.dst_ip);
    switch (ev.kind) {
      case 'connection':
        if (ev.outcome === 'rejected' || ev.outcome === 'unanswered') c.failed_connections++;
        break;
      case 'request':
        c.requests++;
        break;
      case 'auth':
        c.auth_attempts++;
        if (ev.success !== true) c.auth_failures++;
        break;
      case 'command':
        c.commands++;
        break;
      default:
        break;
    }
    if (isNewConn) {
      c.connections++;
      series.addStart(ev.ts);
    }
  }

  /** The series, most episodes first. */
  series(): EpisodeSeries[] {
    return [...this.byKey.values()].sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : 1));
  }

  /** The series of one key, if held. */
  get(key: string): EpisodeSeries | undefined {
    return this.byKey.get(key);
  }

  private seriesFor(key: string): EpisodeSeries {
    let s = this.byKey.get(key);
    if (s !== undefined) return s;
    if (this.byKey.size >= this.maxKeys) {
      let victim: EpisodeSeries | undefined;
      for (const v of this.byKey.values())
        if (victim === undefined || v.lastSeen < victim.lastSeen) victim = v;
      if (victim !== undefined) {
        this.byKey.delete(victim.key);
        this.evictedKeys++;
      }
    }
    s = new EpisodeSeries(key, this.burstGap, this.maxEpisodes);
    this.byKey.set(key, s);
    return s;
  }
}
