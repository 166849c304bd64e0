// Behaviour classes with context gating (docs/behavior.md §1.7.4): event semantics decide first, timing
// only where the semantics allow it.
//
// Behaviours, each from its own evidence (an attacker can show several):
//   brute_force      ≥ BRUTE_FORCE_MIN_FAILURES failed logins, whatever their timing (fail2ban's default
//                    maxretry is the same 5). Fast or slow, a brute-forcer is never "beaconing".
//   interactive      ≥ INTERACTIVE_MIN_COMMANDS commands run in a session (human, script or agent).
//   scanning         TRW (scan.ts) declared the source a scanner, or it made first contact with at least
//                    SWEEP_MIN_TARGETS targets without logging in or running anything (a sweep of open
//                    decoy services, which TRW's success model lets through; Zeek's addr_scan_threshold).
//   slow_scan        TRW-positive and too sparse for a windowed detector (scan.ts).
//   beaconing        a key (service × SNI/Host) with n ≥ 6 episodes that is regular enough for a beacon
//                    (TimingAnalysis.regular: an effect size, not only a departure from Poisson) and either
//                    passes the calibrated periodicity test (timing.ts) or fits a shipped default profile
//                    with posterior ≥ 0.99 against memoryless traffic and any other law (attribution.ts
//                    libraryMatch); and that is not gated: no login attempts on the key (those make brute
//                    force), at most BEACON_MAX_DESTINATIONS decoys (a periodic sweep of many decoys is a
//                    scan), at most half of its connections refused or unanswered, and no self-identified
//                    scanner or crawler on it.
//   periodic_benign  scheduled revisits: the attacker's visits (episodes across all keys, VISIT_GAP_S
//                    apart) are periodic and it is a scanner or self-identifies as a measurement service or
//                    crawler; or a periodic key gated only by such self-identification. This is the pattern
//                    of research scanners and crawlers (docs/behavior.md §1.7.4): it says the *schedule*
//                    looks like a measurement service, not that the source is harmless.
// The class:
//   one behaviour → that behaviour (scans that are the visits of periodic_benign do not count twice);
//   several → mixed;
//   none → insufficient_data below MIN_EPISODES_PERIODIC episodes, otherwise
//   mixed (sustained activity that fits no single pattern: DECNET's fall-through class keeps that meaning).

import { LIBRARY_MATCH_MIN_POSTERIOR, type LibraryMatch } from './attribution.js';
import type { KeyCounters } from './episodes.js';
import type { TrwResult } from './scan.js';
import { MIN_EPISODES_PERIODIC, type TimingAnalysis } from './timing.js';

/** The classes (DECNET's names, plus periodic_benign and insufficient_data for its 'unknown'). */
export type BehaviorClass =
  | 'beaconing'
  | 'interactive'
  | 'scanning'
  | 'slow_scan'
  | 'brute_force'
  | 'periodic_benign'
  | 'mixed'
  | 'insufficient_data';

export const BEHAVIOR_CLASSES: readonly BehaviorClass[] = [
  'beaconing',
  'interactive',
  'scanning',
  'slow_scan',
  'brute_force',
  'periodic_benign',
  'mixed',
  'insufficient_data',
];

/** Failed logins that make a brute-forcer (fail2ban's default maxretry). */
export const BRUTE_FORCE_MIN_FAILURES = 5;
/** Commands that make a session interactive (one command is a probe such as `uname -a`). */
export const INTERACTIVE_MIN_COMMANDS = 2;
/** First-contact targets that make a sweep even when every target answered (Zeek addr_scan_threshold). */
export const SWEEP_MIN_TARGETS = 25;
/** Decoys a beacon key may touch (a C2 channel talks to one server; two allows a fail-over). */
export const BEACON_MAX_DESTINATIONS = 2;
/** Share of refused/unanswered connections above which a periodic key is probing, not beaconing. */
export const BEACON_MAX_FAILED_SHARE = 0.5;

/** What the classifier knows about one key. */
export interface KeyFeatures {
  key: string;
  episodes: number;
  destinations: number;
  counters: KeyCounters;
  /** Timing analysis (null below 3 episodes). */
  timing: TimingAnalysis | null;
  /** A self-identified scanner, measurement service or crawler was seen on the key. */
  self_identified_benign: boolean;
  /** Detection by library match (attribution.ts), computed when the periodicity test did not reject. */
  library_match?: LibraryMatch | null;
}

/** Everything the classifier reads. */
export interface ClassifierInput {
  episodes_total: number;
  auth_attempts: number;
  auth_failures: number;
  commands: number;
  scan: TrwResult;
  keys: readonly KeyFeatures[];
  /** Periodicity of the attacker's visits (null below 3 visits). */
  visits: TimingAnalysis | null;
  /** A self-identified scanner, measurement service or crawler was seen anywhere. */
  self_identified_benign: boolean;
}

/** The verdict, with the behaviours it rests on and the reasons in words. */
export interface Classification {
  class: BehaviorClass;
  behaviours: BehaviorClass[];
  /** The beaconing key, when there is one. */
  beacon_key: string | null;
  reasons: string[];
}

/** Why a periodic key is not a beacon (null when it is one). */
export function beaconGate(k: KeyFeatures): 'auth' | 'destinations' | 'failed' | 'self_identified' | null {
  const c = k.counters;
  if (c.auth_attempts > 0) return 'auth';
  if (k.destinations > BEACON_MAX_DESTINATIONS) return 'destinations';
  if (c.connections > 0 && c.failed_connections / c.connections > BEACON_MAX_FAILED_SHARE) return 'failed';
  if (k.self_identified_benign) return 'self_identified';
  return null;
}

/** Classifies one attacker from its features (pure). */
export function classify(input: ClassifierInput): Classification {
  const reasons: string[] = [];
  const behaviours = new Set<BehaviorClass>();

  if (input.auth_failures >= BRUTE_FORCE_MIN_FAILURES) {
    behaviours.add('brute_force');
    reasons.push(`${input.auth_failures} failed logins ≥ ${BRUTE_FORCE_MIN_FAILURES}`);
  }
  if (input.commands >= INTERACTIVE_MIN_COMMANDS) {
    behaviours.add('interactive');
    reasons.push(`${input.commands} commands in sessions`);
  }
  const scan = input.scan;
  if (scan.decision === 'scanner') {
    behaviours.add(scan.slow ? 'slow_scan' : 'scanning');
    reasons.push(
      `TRW scanner after ${scan.contacts_to_decision} first contacts (${scan.failures} failed of ${scan.first_contacts})` +
        (scan.slow ? `, never ${scan.max_contacts_in_window + 1}+ in one window` : ''),
    );
  } else if (scan.first_contacts >= SWEEP_MIN_TARGETS && input.auth_attempts === 0 && input.commands === 0) {
    behaviours.add('scanning');
    reasons.push(`sweep of ${scan.first_contacts} targets without logging in`);
  }

  let beaconKey: string | null = null;
  let benignKey = false;
  let bestP = Number.POSITIVE_INFINITY;
  for (const k of input.keys) {
    const t = k.timing;
    const byLibrary =
      k.library_match != null &&
      k.library_match.profile !== null &&
      k.library_match.posterior >= LIBRARY_MATCH_MIN_POSTERIOR;
    if (t === null || !t.regular || k.episodes < MIN_EPISODES_PERIODIC || !(t.test.periodic || byLibrary))
      continue;
    const gate = beaconGate(k);
    if (gate === null) {
      const p = t.test.p_value ?? 1;
      if (beaconKey === null || p < bestP) {
        beaconKey = k.key;
        bestP = p;
      }
    } else if (gate === 'self_identified') {
      benignKey = true;
      reasons.push(`periodic key ${k.key} from a self-identified scanner or crawler`);
    } else {
      reasons.push(`periodic key ${k.key} gated (${gate})`);
    }
  }
  if (beaconKey !== null) {
    behaviours.add('beaconing');
    reasons.push(`periodic key ${beaconKey} (p ≈ ${bestP < 1 ? bestP.toPrecision(2) : '?'})`);
  }

  const v = input.visits;
  const visitsPeriodic = v?.test.periodic === true && v.regular;
  if (
    visitsPeriodic &&
    (scan.decision === 'scanner' || input.self_identified_benign || behaviours.has('scanning'))
  ) {
    behaviours.add('periodic_benign');
    behaviours.delete('scanning');
    behaviours.delete('slow_scan');
    reasons.push(`scheduled visits every ≈ ${v.period_s?.toFixed(0)} s`);
  } else if (benignKey) {
    behaviours.add('periodic_benign');
  }

  const list = BEHAVIOR_CLASSES.filter((c) => behaviours.has(c));
  let cls: BehaviorClass;
  if (list.length === 1) cls = list[0]!;
  else if (list.length > 1) cls = 'mixed';
  else if (input.episodes_total < MIN_EPISODES_PERIODIC) {
    cls = 'insufficient_data';
    reasons.push(`${input.episodes_total} episodes < ${MIN_EPISODES_PERIODIC} and no decisive context`);
  } else {
    cls = 'mixed';
    reasons.push('sustained activity without a recognised pattern');
  }
  return { class: cls, behaviours: list, beacon_key: beaconKey, reasons };
}
