// Per-attacker profile state: what the main thread keeps for one source IP, fed one ProfilerEvent at a
// time and read with snapshot() on each flush tick. Pure (no I/O), bounded by the caps of episodes.ts,
// scan.ts, phases.ts and the evidence caps below.

import {
  type AttributionResult,
  attributeC2,
  evidenceFrom,
  type LibraryMatch,
  libraryMatch,
} from './attribution.js';
import { type BehaviorClass, type Classification, classify, type KeyFeatures } from './classify.js';
import { EpisodeSeries, EpisodeTracker } from './episodes.js';
import { type PhaseSummary, PhaseTracker } from './phases.js';
import { TrwDetector, type TrwResult } from './scan.js';
import { analyzeTiming, MIN_EPISODES_PERIODIC, PERIODICITY_ALPHA, type TimingAnalysis } from './timing.js';
import type { ProfilerEvent } from './types.js';

/** Visits are bursts of activity on any key separated by at least this much silence (seconds): research
 *  scanners and crawlers revisit hourly to daily, and one visit's sweep lasts minutes. */
export const VISIT_GAP_S = 600;
/** Library match is tried only below this median gap (the slowest default, Sliver's, is 60–90 s; a missed
 *  check-in doubles it). */
export const LIBRARY_MAX_MEDIAN_GAP_S = 200;
/** Distinct values kept per kind of attribution evidence (User-Agent, JA4, JA4H, OS guess). */
export const MAX_EVIDENCE_VALUES = 8;
/** Measurement services and crawlers that say who they are in the User-Agent (checked case-insensitively). */
const SELF_IDENTIFIED =
  /censys|shodan|expanse|netcraft|leakix|internet-measurement|binaryedge|onyphe|stretchoid|criminalip|shadowserver|googlebot|bingbot|yandexbot|baiduspider|duckduckbot|applebot|\bcrawler\b|\bspider\b/i;
/** Tools named by the sensor that are measurement services. */
const SELF_IDENTIFIED_TOOLS = new Set(['censys', 'shodan', 'expanse', 'netcraft', 'leakix']);

/** Timing of one key as reported. */
export interface KeyReport {
  key: string;
  episodes: number;
  destinations: number;
  timing: TimingAnalysis | null;
  /** Library match, when it was tried (see LIBRARY_MAX_MEDIAN_GAP_S). */
  library_match: LibraryMatch | null;
}

/** The profile of one attacker at a point in time. */
export interface AttackerBehavior {
  src_ip: string;
  first_seen: number | null;
  last_seen: number | null;
  event_count: number;
  behavior_class: BehaviorClass;
  classification: Classification;
  /** The beacon key's cadence (DECNET's beacon_interval_s, measured on episodes after folding). */
  beacon_interval_s: number | null;
  /** C2 attribution of the beacon key (null when there is no beacon). */
  attribution: AttributionResult | null;
  scan: TrwResult;
  auth: { attempts: number; failures: number; successes: number };
  commands: number;
  keys: KeyReport[];
  visits: TimingAnalysis | null;
  phases: PhaseSummary;
  /** Keys evicted and episodes dropped to stay within the caps. */
  evicted_keys: number;
}

function addCapped(set: Set<string>, v: string | undefined): void {
  if (v === undefined || v === '' || set.has(v) || set.size >= MAX_EVIDENCE_VALUES) return;
  set.add(v);
}

/** Bounded per-attacker state. */
export class AttackerProfile {
  readonly ip: string;
  private readonly episodes = new EpisodeTracker();
  private readonly visits = new EpisodeSeries('visits', VISIT_GAP_S);
  private readonly trw = new TrwDetector();
  private readonly phases = new PhaseTracker();
  private readonly uas = new Set<string>();
  private readonly ja4s = new Set<string>();
  private readonly ja4hs = new Set<string>();
  private readonly oses = new Set<string>();
  private readonly benignKeys = new Set<string>();
  private selfIdentified = false;
  private events = 0;
  private first: number | null = null;
  private last: number | null = null;
  private authAttempts = 0;
  private authFailures = 0;
  private commands = 0;

  constructor(ip: string) {
    this.ip = ip;
  }

  /** Adds one event of this attacker (events of other sources and non-finite times are ignored). */
  add(ev: ProfilerEvent): void {
    if (ev.src_ip !== this.ip || !Number.isFinite(ev.ts)) return;
    this.events++;
    if (this.first === null || ev.ts < this.first) this.first = ev.ts;
    if (this.last === null || ev.ts > this.last) this.last = ev.ts;
    this.episodes.add(ev);
    this.phases.add(ev);
    addCapped(this.uas, ev.user_agent);
    addCapped(this.ja4s, ev.ja4);
    addCapped(this.ja4hs, ev.ja4h);
    addCapped(this.oses, ev.os_guess);
    const benign =
      (ev.user_agent !== undefined && SELF_IDENTIFIED.test(ev.user_agent)) ||
      (ev.tool !== undefined && SELF_IDENTIFIED_TOOLS.has(ev.tool));
    if (benign) {
      this.selfIdentified = true;
      const key = ev.service ?? (ev.dst_port !== undefined ? `port/${ev.dst_port}` : 'unknown');
      if (this.benignKeys.size < MAX_EVIDENCE_VALUES) this.benignKeys.add(key.toLowerCase());
    }
    const target = `${ev.dst_ip ?? '?'}|${ev.dst_port ?? ev.service ?? '?'}`;
    switch (ev.kind) {
      case 'connection':
        this.trw.observe(ev.ts, target, ev.outcome !== 'rejected' && ev.outcome !== 'unanswered');
        this.visits.addStart(ev.ts);
        break;
      case 'request':
        this.trw.observe(ev.ts, target, true);
        this.visits.addStart(ev.ts);
        break;
      case 'auth':
        this.authAttempts++;
        if (ev.success !== true) this.authFailures++;
        this.trw.observe(ev.ts, target, true);
        this.visits.addStart(ev.ts);
        break;
      case 'command':
        this.commands++;
        break;
      case 'scan_summary': {
        const p = ev.probes;
        if (p !== undefined) {
          this.trw.observeCounts(p.first_ts ?? ev.ts, p.answered, p.failed, p.last_ts ?? ev.ts);
          this.visits.addStart(p.first_ts ?? ev.ts);
        }
        break;
      }
      default:
        break;
    }
  }

  /**
   * The current profile (computes the statistics; cost grows with the capped episode counts only).
   * `attribution: false` skips C2 attribution, the costliest step (≈ 1–10 ms per beacon key).
   */
  snapshot(opts: { attribution?: boolean } = {}): AttackerBehavior {
    const series = this.episodes.series();
    const tested = series.filter((s) => s.size >= MIN_EPISODES_PERIODIC).length;
    const alpha = PERIODICITY_ALPHA / Math.max(1, tested);
    const keyFeatures: KeyFeatures[] = [];
    const reports: KeyReport[] = [];
    let episodesTotal = 0;
    for (const s of series) {
      episodesTotal += s.size;
      const timing = s.size >= 3 ? analyzeTiming(s.startGaps(), s.excessGaps(), alpha) : null;
      // Library match only where it can change the verdict: enough episodes, regular, test not rejected,
      // and a cadence in the library's range.
      let match: LibraryMatch | null = null;
      if (
        timing !== null &&
        s.size >= MIN_EPISODES_PERIODIC &&
        timing.regular &&
        !timing.test.periodic &&
        (timing.median_gap_s ?? Number.POSITIVE_INFINITY) <= LIBRARY_MAX_MEDIAN_GAP_S
      ) {
        match = libraryMatch(s.startGaps(), s.excessGaps());
      }
      const svc = s.key.slice(0, s.key.indexOf('|'));
      keyFeatures.push({
        key: s.key,
        episodes: s.size,
        destinations: s.destinations,
        counters: { ...s.counters },
        timing,
        self_identified_benign: this.benignKeys.has(svc),
        library_match: match,
      });
      reports.push({
        key: s.key,
        episodes: s.size,
        destinations: s.destinations,
        timing,
        library_match: match,
      });
    }
    const visits =
      this.visits.size >= 3 ? analyzeTiming(this.visits.startGaps(), this.visits.excessGaps()) : null;
    const scan = this.trw.result();
    const classification = classify({
      episodes_total: episodesTotal,
      auth_attempts: this.authAttempts,
      auth_failures: this.authFailures,
      commands: this.commands,
      scan,
      keys: keyFeatures,
      visits,
      self_identified_benign: this.selfIdentified,
    });
    let attribution: AttributionResult | null = null;
    const beacon =
      classification.beacon_key === null ? undefined : this.episodes.get(classification.beacon_key);
    const interval = reports.find((r) => r.key === classification.beacon_key)?.timing?.period_s ?? null;
    if (beacon !== undefined && opts.attribution !== false) {
      attribution = attributeC2(
        beacon.startGaps(),
        evidenceFrom({
          user_agents: [...this.uas],
          ja4: [...this.ja4s],
          ja4h: [...this.ja4hs],
          os_guesses: [...this.oses],
        }),
      );
    }
    return {
      src_ip: this.ip,
      first_seen: this.first,
      last_seen: this.last,
      event_count: this.events,
      behavior_class: classification.class,
      classification,
      beacon_interval_s: interval,
      attribution,
      scan,
      auth: {
        attempts: this.authAttempts,
        failures: this.authFailures,
        successes: this.authAttempts - this.authFailures,
      },
      commands: this.commands,
      keys: reports,
      visits,
      phases: this.phases.summary(),
      evicted_keys: this.episodes.evictedKeys,
    };
  }
}

/** Batch helper: profiles every source in an event list (events may be in any order). */
export function profileEvents(events: Iterable<ProfilerEvent>): AttackerBehavior[] {
  const byIp = new Map<string, AttackerProfile>();
  for (const ev of events) {
    let p = byIp.get(ev.src_ip);
    if (p === undefined) {
      p = new AttackerProfile(ev.src_ip);
      byIp.set(ev.src_ip, p);
    }
    p.add(ev);
  }
  return [...byIp.values()].map((p) => p.snapshot());
}
