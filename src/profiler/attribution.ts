// C2 attribution by likelihood over each framework's real default sleep/jitter law (docs/behavior.md §2),
// returning a posterior, a "consistent with" set, and an abstention when nothing fits.
//
// Model of one observed start-to-start gap d (seconds) under a library profile:
//   d = Σ_{i=1..k} (sleep_i + δ) + noise,   k − 1 = check-ins missed in between,
//   sleep_i drawn from the profile's law (uniform on [lo, hi], a lattice, or Meterpreter's ramp),
//   δ ∈ [0, DELTA_MAX_S] the unknown per-stream check-in duration (TLS + request + response; the implant
//   sleeps after finishing a check-in), noise ~ N(0, OBS_NOISE_S²) (capture and scheduling noise).
//   k has prior P(k) ∝ MISS_PRIOR^(k−1), k ≤ FOLD_MAX_K; for k = 1 the density is exact (uniform ⊗ normal);
//   for k ≥ 2 a normal with the sum's mean and variance. Every gap also has an OUTLIER_WEIGHT chance of
//   being an outlier drawn log-uniformly over [GAP_MIN_S, GAP_MAX_S] (retries, a task run, a sleep
//   change), so one odd gap costs a bounded amount instead of −∞. δ is integrated over a uniform grid.
// Competing hypotheses:
//   (F, default)     one per framework F: its shipped default profile(s) above;
//   (F, non-default) one per framework: an arbitrary uniform sleep law. Its marginal likelihood is the
//                    Laplace approximation with log-uniform priors on both endpoints over
//                    [GAP_MIN_S, GAP_MAX_S]: the likelihood at the unbiased endpoint estimates times, per
//                    endpoint, (posterior width ≈ range/(m − 1) + noise) × prior density (the Occam factor);
//   other            a non-library tool with a uniform law (same likelihood as non-default).
// Priors: PRIOR_DEFAULT over the defaults, PRIOR_NON_DEFAULT over the non-defaults, PRIOR_OTHER for other,
// each split evenly over frameworks. Timing alone cannot tell (F, non-default) from (G, non-default),
// so it attributes only when a default profile explains the gaps; header/TLS/TCP evidence (likelihood
// ratios, fuseEvidence) moves mass between frameworks whatever the configuration.
// Decision: the framework with the largest posterior (default + non-default) if it is at least
// MIN_ATTRIBUTION_POSTERIOR; with timing alone, its default profile must also be consistent: at most
// a tenth of the gaps unexplained, where a gap is unexplained when the outlier component is likelier
// than the profile. Otherwise abstain.

import { logAddExp, logMeanExp, logNormalInterval, logNormalPdf, logSumExp } from './math.js';
import {
  estimateJitter,
  FOLD_MAX_K,
  foldGaps,
  type JitterEstimate,
  type JitterLaw,
  uniformEndpoints,
} from './timing.js';

/** Frameworks in the library (Mythic's two agents draw sleep differently, so they are separate). */
export type C2Framework =
  | 'cobalt_strike'
  | 'sliver'
  | 'havoc'
  | 'mythic_apollo'
  | 'mythic_poseidon'
  | 'empire'
  | 'poshc2'
  | 'covenant'
  | 'meterpreter';

export const C2_FRAMEWORKS: readonly C2Framework[] = [
  'cobalt_strike',
  'sliver',
  'havoc',
  'mythic_apollo',
  'mythic_poseidon',
  'empire',
  'poshc2',
  'covenant',
  'meterpreter',
];

/** One shipped default, as a sleep distribution. */
export interface C2Profile {
  id: string;
  framework: C2Framework;
  /** 'uniform' on [lo_s, hi_s] (a point when equal), 'lattice' on `lattice`, 'ramp' = Meterpreter's back-off. */
  law: 'uniform' | 'lattice' | 'ramp';
  lo_s: number;
  hi_s: number;
  lattice?: readonly { value_s: number; p: number }[];
  /** How the framework states its jitter (null: it has none). */
  jitter_law: JitterLaw | null;
  default_sleep_s: number;
  /** Default jitter in the framework's unit (percent, or seconds for Sliver). */
  default_jitter: number;
  source: string;
}

/** Poseidon (MythicAgents/poseidon pkg/profiles/http.go): k = rand mod 23; S ± ⌊S·k/100⌋ whole seconds,
 *  + for even k, − for odd k. At S = 10 s: k 0–9 → 10 s; 10–19 → 11 s (even) or 9 s (odd); 20, 22 → 12 s; 21 → 8 s. */
const POSEIDON_LATTICE = [
  { value_s: 8, p: 1 / 23 },
  { value_s: 9, p: 5 / 23 },
  { value_s: 10, p: 10 / 23 },
  { value_s: 11, p: 5 / 23 },
  { value_s: 12, p: 2 / 23 },
] as const;

/** The library of defaults (docs/behavior.md §2.1, each verified there from the framework's source). */
export const C2_PROFILES: readonly C2Profile[] = [
  {
    id: 'cobalt_strike/default',
    framework: 'cobalt_strike',
    law: 'uniform',
    lo_s: 60,
    hi_s: 60,
    jitter_law: 'subtractive',
    default_sleep_s: 60,
    default_jitter: 0,
    source:
      'Malleable C2 defaults sleeptime 60000 ms, jitter 0 (threatexpress/malleable-c2 jquery-c2.4.2.profile)',
  },
  {
    id: 'sliver/default',
    framework: 'sliver',
    law: 'uniform',
    lo_s: 60,
    hi_s: 90,
    jitter_law: 'additive',
    default_sleep_s: 60,
    default_jitter: 30,
    source:
      'generate beacon --seconds 60 --jitter 30; interval + U[0, J) (implant/sliver/transports/beacon.go)',
  },
  {
    id: 'havoc/havoc.yaotl',
    framework: 'havoc',
    law: 'uniform',
    lo_s: 1.7,
    hi_s: 2.3,
    jitter_law: 'symmetric',
    default_sleep_s: 2,
    default_jitter: 15,
    source: 'profiles/havoc.yaotl Sleep 2 Jitter 15; S ± (rand mod j·S) ms (payloads/Demon/src/core/Obf.c)',
  },
  {
    id: 'havoc/http_smb.yaotl',
    framework: 'havoc',
    law: 'uniform',
    lo_s: 1.6,
    hi_s: 2.4,
    jitter_law: 'symmetric',
    default_sleep_s: 2,
    default_jitter: 20,
    source: 'profiles/http_smb.yaotl Sleep 2 Jitter 20',
  },
  {
    id: 'havoc/webhook_example.yaotl',
    framework: 'havoc',
    law: 'uniform',
    lo_s: 1.4,
    hi_s: 2.6,
    jitter_law: 'symmetric',
    default_sleep_s: 2,
    default_jitter: 30,
    source: 'profiles/webhook_example.yaotl Sleep 2 Jitter 30',
  },
  {
    id: 'mythic_apollo/http',
    framework: 'mythic_apollo',
    law: 'uniform',
    lo_s: 7.7,
    hi_s: 12.3,
    jitter_law: 'symmetric',
    default_sleep_s: 10,
    default_jitter: 23,
    source:
      'http profile callback_interval 10, callback_jitter 23; U[S(1 − j), S(1 + j)] (Apollo Agent.cs Sleep())',
  },
  {
    id: 'mythic_poseidon/http',
    framework: 'mythic_poseidon',
    law: 'lattice',
    lo_s: 8,
    hi_s: 12,
    lattice: POSEIDON_LATTICE,
    jitter_law: 'symmetric',
    default_sleep_s: 10,
    default_jitter: 23,
    source: 'http profile 10 s / 23 %; whole-second lattice (poseidon pkg/profiles/http.go GetSleepTime())',
  },
  {
    id: 'empire/http',
    framework: 'empire',
    law: 'uniform',
    lo_s: 5,
    hi_s: 5,
    jitter_law: 'symmetric',
    default_sleep_s: 5,
    default_jitter: 0,
    source: 'listeners/http.py DefaultDelay 5, DefaultJitter 0.0',
  },
  {
    id: 'poshc2/default',
    framework: 'poshc2',
    law: 'uniform',
    lo_s: 4,
    hi_s: 6,
    jitter_law: 'symmetric',
    default_sleep_s: 5,
    default_jitter: 20,
    source: 'resources/config-template.yml DefaultSleep 5s, Jitter 0.20; symmetric (Fox-IT 2020)',
  },
  {
    id: 'covenant/grunt',
    framework: 'covenant',
    law: 'uniform',
    lo_s: 9,
    hi_s: 11,
    jitter_law: 'symmetric',
    default_sleep_s: 10,
    default_jitter: 10,
    source: 'Covenant/Models/Grunts/Grunt.cs Delay 10, JitterPercent 10 (symmetric assumed)',
  },
  {
    id: 'meterpreter/reverse_http',
    framework: 'meterpreter',
    law: 'ramp',
    lo_s: 1,
    hi_s: 10,
    jitter_law: null,
    default_sleep_s: 10,
    default_jitter: 0,
    source:
      'idle poll back-off 10·e ms, ×10 from e = 10, capped at 10 000 ms (metsrv server_transport_winhttp.c server_dispatch_http)',
  },
];

/** Capture and scheduling noise on one gap, seconds (docs/behavior.md §2.3: σ ≈ 0.15 s). */
export const OBS_NOISE_S = 0.15;
/** Largest per-stream check-in duration δ considered, seconds (TLS handshake + request over a slow path). */
export const DELTA_MAX_S = 1.0;
/** Grid points for integrating δ over [0, DELTA_MAX_S] (0.1 s apart, finer than the noise). */
export const DELTA_STEPS = 11;
/** Prior probability that the check-in following a given one was missed. */
export const MISS_PRIOR = 0.1;
/** Prior probability that a gap is an outlier (retry, task, sleep change). */
export const OUTLIER_WEIGHT = 0.02;
/** Support of the outlier and non-default laws' endpoint priors, seconds. */
export const GAP_MIN_S = 0.5;
export const GAP_MAX_S = 86_400;
/** Prior mass on "a framework default", "a framework with non-default settings", "not a library tool". */
export const PRIOR_DEFAULT = 0.4;
export const PRIOR_NON_DEFAULT = 0.4;
export const PRIOR_OTHER = 0.2;
/** Detection by library match (libraryMatch): prior of the memoryless hypothesis against "some beacon". */
export const PRIOR_MEMORYLESS = 0.5;
/** Posterior a default profile needs, against memoryless traffic and any other law, to make a key a beacon. */
export const LIBRARY_MATCH_MIN_POSTERIOR = 0.99;
/** Smallest framework posterior that names a framework. */
export const MIN_ATTRIBUTION_POSTERIOR = 0.5;
/** A profile stays "consistent" with at most this share of its gaps unexplained. */
export const MAX_UNEXPLAINED_SHARE = 0.1;
/** Gaps used (the most recent ones): more barely change the verdict and bound the cost. */
export const ATTRIBUTION_MAX_GAPS = 48;
/** Meterpreter's back-off (metsrv): step 100 ms per empty poll once e ≥ 10, plateau 10 s. */
const RAMP_STEP_S = 0.1;
const RAMP_PLATEAU_S = 10;
const RAMP_FIRST_E = 10;
const RAMP_PLATEAU_E = 100;
/** Prior share of Meterpreter streams already on the plateau (an idle session spends most time there). */
const RAMP_PLATEAU_PRIOR = 0.5;

const LN_OUTLIER = Math.log(OUTLIER_WEIGHT);
const LN_INLIER = Math.log(1 - OUTLIER_WEIGHT);
const LN_GAP_RANGE = Math.log(Math.log(GAP_MAX_S / GAP_MIN_S));

/** log density of the outlier component at d (log-uniform over the gap range). */
function logOutlier(d: number): number {
  const x = Math.min(GAP_MAX_S, Math.max(GAP_MIN_S, d));
  return -Math.log(x) - LN_GAP_RANGE;
}

/** log P(k) for k = 1..FOLD_MAX_K. */
const LN_PK: number[] = (() => {
  const w: number[] = [];
  for (let k = 1; k <= FOLD_MAX_K; k++) w.push((1 - MISS_PRIOR) * MISS_PRIOR ** (k - 1));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.log(x / z));
})();

/** log density of one sleep drawn uniformly on [lo, hi], plus offset δ and noise, at d. */
function logUniformConv(d: number, lo: number, hi: number, delta: number): number {
  const w = hi - lo;
  if (w < 1e-9) return logNormalPdf(d, lo + delta, OBS_NOISE_S);
  return logNormalInterval((d - delta - hi) / OBS_NOISE_S, (d - delta - lo) / OBS_NOISE_S) - Math.log(w);
}

/** Mean and variance of one sleep of a profile (uniform or lattice). */
function sleepMoments(p: {
  law: string;
  lo_s: number;
  hi_s: number;
  lattice?: readonly { value_s: number; p: number }[];
}): {
  mu: number;
  v: number;
} {
  if (p.law === 'lattice' && p.lattice !== undefined) {
    let mu = 0;
    for (const e of p.lattice) mu += e.p * e.value_s;
    let v = 0;
    for (const e of p.lattice) v += e.p * (e.value_s - mu) ** 2;
    return { mu, v };
  }
  const w = p.hi_s - p.lo_s;
  return { mu: (p.lo_s + p.hi_s) / 2, v: (w * w) / 12 };
}

/** Per-gap log density (inlier mixture over k, outlier component) under a uniform/lattice law. */
function logGapDensity(
  d: number,
  p: { law: string; lo_s: number; hi_s: number; lattice?: readonly { value_s: number; p: number }[] },
  delta: number,
  mom: { mu: number; v: number },
): { logf: number; explained: boolean } {
  let one: number;
  if (p.law === 'lattice' && p.lattice !== undefined) {
    one = Number.NEGATIVE_INFINITY;
    for (const e of p.lattice)
      one = logAddExp(one, Math.log(e.p) + logNormalPdf(d, e.value_s + delta, OBS_NOISE_S));
  } else {
    one = logUniformConv(d, p.lo_s, p.hi_s, delta);
  }
  let mix = LN_PK[0]! + one;
  for (let k = 2; k <= FOLD_MAX_K; k++) {
    const sd = Math.sqrt(k * mom.v + OBS_NOISE_S * OBS_NOISE_S);
    const z = (d - k * (mom.mu + delta)) / sd;
    // Terms 40 standard deviations away add nothing a double can hold.
    if (z * z < 3200) mix = logAddExp(mix, LN_PK[k - 1]! + logNormalPdf(d, k * (mom.mu + delta), sd));
  }
  const inlier = LN_INLIER + mix;
  const outlier = LN_OUTLIER + logOutlier(d);
  return { logf: logAddExp(inlier, outlier), explained: inlier >= outlier };
}

/** Likelihood summary of one hypothesis. */
interface HypothesisFit {
  logL: number;
  unexplained: number;
  /** Posterior-mean check-in duration δ (library profiles). */
  delta: number;
}

const DELTAS: number[] = Array.from({ length: DELTA_STEPS }, (_, i) => (DELTA_MAX_S * i) / (DELTA_STEPS - 1));

/** Marginal likelihood of a uniform/lattice profile, δ integrated over its grid. */
function fitProfile(gaps: readonly number[], p: C2Profile): HypothesisFit {
  const mom = sleepMoments(p);
  const perDelta: number[] = [];
  const unexplained: number[] = [];
  for (const delta of DELTAS) {
    let s = 0;
    let u = 0;
    for (const d of gaps) {
      const r = logGapDensity(d, p, delta, mom);
      s += r.logf;
      if (!r.explained) u++;
    }
    perDelta.push(s);
    unexplained.push(u);
  }
  return summariseDelta(perDelta, unexplained);
}

function summariseDelta(perDelta: readonly number[], unexplained: readonly number[]): HypothesisFit {
  const logL = logMeanExp(perDelta);
  let best = 0;
  let mean = 0;
  for (let i = 0; i < perDelta.length; i++) {
    if (perDelta[i]! > perDelta[best]!) best = i;
    mean += Math.exp(perDelta[i]! - logL) * DELTAS[i]!;
  }
  return { logL, unexplained: unexplained[best]!, delta: mean / perDelta.length };
}

/**
 * Meterpreter's idle back-off: gap i is min(10 s, 0.1 s·(e0 + i)) + δ, e0 unknown (RAMP_PLATEAU_PRIOR on
 * "already on the plateau", the rest uniform over the ramp), with the same miss and outlier mixture.
 */
function fitRamp(gaps: readonly number[]): HypothesisFit {
  const m = gaps.length;
  const perDelta: number[] = [];
  const unexplained: number[] = [];
  // Ramp starts worth evaluating: those putting one of the first three gaps within 0.5 s (3σ) of its
  // target for some δ; the others have a negligible likelihood unless those gaps are all outliers.
  const rampStarts: number[] = [];
  for (let e0 = RAMP_FIRST_E; e0 < RAMP_PLATEAU_E; e0++) {
    for (let i = 0; i < Math.min(3, m); i++) {
      const target = RAMP_STEP_S * (e0 + i);
      if (target >= gaps[i]! - DELTA_MAX_S - 0.5 && target <= gaps[i]! + 0.5) {
        rampStarts.push(e0);
        break;
      }
    }
  }
  const lnRampPrior = Math.log((1 - RAMP_PLATEAU_PRIOR) / (RAMP_PLATEAU_E - RAMP_FIRST_E));
  const lnPlateauPrior = Math.log(RAMP_PLATEAU_PRIOR);
  const plateauOnly = (e0: number) => e0 >= RAMP_PLATEAU_E;
  for (const delta of DELTAS) {
    const alts: number[] = [];
    let bestU = m;
    let bestS = Number.NEGATIVE_INFINITY;
    for (const e0 of [RAMP_PLATEAU_E, ...rampStarts]) {
      let s = 0;
      let u = 0;
      for (let i = 0; i < m; i++) {
        const target = plateauOnly(e0) ? RAMP_PLATEAU_S : Math.min(RAMP_PLATEAU_S, RAMP_STEP_S * (e0 + i));
        const r = logGapDensity(gaps[i]!, { law: 'uniform', lo_s: target, hi_s: target }, delta, {
          mu: target,
          v: 0,
        });
        s += r.logf;
        if (!r.explained) u++;
      }
      alts.push((plateauOnly(e0) ? lnPlateauPrior : lnRampPrior) + s);
      if (s > bestS) {
        bestS = s;
        bestU = u;
      }
    }
    perDelta.push(logSumExp(alts));
    unexplained.push(bestU);
  }
  return summariseDelta(perDelta, unexplained);
}

/** The non-default alternative: a uniform law fitted to the folded gaps, with its Laplace Occam factor. */
function fitGeneric(gaps: readonly number[]): HypothesisFit & { lo: number; hi: number } {
  const folded = foldGaps(gaps).folded;
  const base = folded.length >= 2 ? folded : [...gaps];
  const { lo, hi } = uniformEndpoints(base);
  const m = base.length;
  const lo2 = Math.max(GAP_MIN_S, lo);
  const p = { law: 'uniform', lo_s: lo2, hi_s: Math.max(lo2, hi) };
  const mom = sleepMoments(p);
  let s = 0;
  let u = 0;
  for (const d of gaps) {
    const r = logGapDensity(d, p, 0, mom);
    s += r.logf;
    if (!r.explained) u++;
  }
  const width = (hi - lo) / Math.max(1, m - 1) + OBS_NOISE_S;
  const occam = (x: number) => Math.min(0, Math.log(width) - Math.log(Math.max(GAP_MIN_S, x)) - LN_GAP_RANGE);
  return { logL: s + occam(lo2) + occam(p.hi_s), unexplained: u, delta: 0, lo: p.lo_s, hi: p.hi_s };
}

/** A likelihood ratio from non-timing evidence, for one framework. */
export interface AttributionEvidence {
  framework: C2Framework;
  /** P(observation | framework) / P(observation | not this framework). */
  lr: number;
  reason: string;
}

/** The hypotheses' posterior after timing (and optionally evidence). */
export interface AttributionResult {
  /** The named framework, or null (abstain). */
  framework: C2Framework | null;
  /** The default profile that explains the gaps, when the framework is named on it. */
  profile: string | null;
  /** 'default' when the named framework's default profile carries most of its posterior. */
  config: 'default' | 'non_default' | null;
  /** Why it abstained. */
  abstain_reason: 'too_few_gaps' | 'no_profile_fits' | 'low_posterior' | null;
  /** Posterior per framework (default + non-default) and for 'other'. Sums to 1. */
  posterior: Record<C2Framework | 'other', number>;
  /** Posterior of each library default profile. */
  profile_posterior: Record<string, number>;
  /** Profiles whose law explains all but MAX_UNEXPLAINED_SHARE of the gaps. */
  consistent_with: string[];
  /** Sleep/jitter in the named framework's units (for every law when abstaining). */
  jitter: JitterEstimate[];
  /** Evidence fused into the posterior. */
  evidence: AttributionEvidence[];
  gaps_used: number;
}

/** Timing likelihoods, before priors and evidence (exposed so that fusion can be re-run cheaply). */
export interface TimingFit {
  gaps: number[];
  profiles: { profile: C2Profile; fit: HypothesisFit; consistent: boolean }[];
  generic: HypothesisFit & { lo: number; hi: number };
}

/** Likelihood of the gaps under every library profile and under the non-default alternative. */
export function fitTiming(startGaps: readonly number[]): TimingFit {
  const gaps = startGaps.filter((g) => Number.isFinite(g) && g > 0).slice(-ATTRIBUTION_MAX_GAPS);
  const allowed = Math.floor(MAX_UNEXPLAINED_SHARE * gaps.length);
  const profiles = C2_PROFILES.map((profile) => {
    const fit = profile.law === 'ramp' ? fitRamp(gaps) : fitProfile(gaps, profile);
    return { profile, fit, consistent: gaps.length >= 2 && fit.unexplained <= allowed };
  });
  return { gaps, profiles, generic: fitGeneric(gaps) };
}

/** Posterior, decision and jitter report from a timing fit and optional evidence. */
export function decide(t: TimingFit, evidence: readonly AttributionEvidence[] = []): AttributionResult {
  const m = t.gaps.length;
  const lnLr = new Map<C2Framework, number>();
  for (const e of evidence) {
    if (!(e.lr > 0) || !Number.isFinite(e.lr)) continue;
    lnLr.set(e.framework, (lnLr.get(e.framework) ?? 0) + Math.log(e.lr));
  }
  const nF = C2_FRAMEWORKS.length;
  const profilesPerFramework = new Map<C2Framework, number>();
  for (const p of C2_PROFILES)
    profilesPerFramework.set(p.framework, (profilesPerFramework.get(p.framework) ?? 0) + 1);
  const names: string[] = [];
  const logs: number[] = [];
  for (const { profile, fit } of t.profiles) {
    names.push(`default:${profile.id}`);
    const prior = PRIOR_DEFAULT / nF / profilesPerFramework.get(profile.framework)!;
    logs.push(Math.log(prior) + fit.logL + (lnLr.get(profile.framework) ?? 0));
  }
  for (const f of C2_FRAMEWORKS) {
    names.push(`non_default:${f}`);
    logs.push(Math.log(PRIOR_NON_DEFAULT / nF) + t.generic.logL + (lnLr.get(f) ?? 0));
  }
  names.push('other');
  logs.push(Math.log(PRIOR_OTHER) + t.generic.logL);
  const z = logSumExp(logs);
  const post = logs.map((l) => (Number.isFinite(z) ? Math.exp(l - z) : 0));

  const posterior = Object.fromEntries([...C2_FRAMEWORKS, 'other'].map((f) => [f, 0])) as Record<
    C2Framework | 'other',
    number
  >;
  const profilePosterior: Record<string, number> = {};
  const defaultMass = new Map<C2Framework, number>();
  names.forEach((name, i) => {
    const p = post[i]!;
    if (name === 'other') posterior.other += p;
    else if (name.startsWith('default:')) {
      const prof = t.profiles[i]!.profile;
      posterior[prof.framework] += p;
      profilePosterior[prof.id] = p;
      defaultMass.set(prof.framework, (defaultMass.get(prof.framework) ?? 0) + p);
    } else posterior[name.slice('non_default:'.length) as C2Framework] += p;
  });

  const consistent = t.profiles.filter((x) => x.consistent).map((x) => x.profile.id);
  let best: C2Framework | null = null;
  for (const f of C2_FRAMEWORKS) if (best === null || posterior[f] > posterior[best]) best = f;
  const hasEvidence = lnLr.size > 0;
  let framework: C2Framework | null = null;
  let profile: string | null = null;
  let config: 'default' | 'non_default' | null = null;
  let reason: AttributionResult['abstain_reason'] = null;
  if (m < 2) reason = 'too_few_gaps';
  else if (best === null || posterior[best] < MIN_ATTRIBUTION_POSTERIOR) {
    reason = consistent.length === 0 ? 'no_profile_fits' : 'low_posterior';
  } else {
    const ownDefaults = t.profiles.filter((x) => x.profile.framework === best);
    const bestDefault = ownDefaults.reduce((a, b) =>
      (profilePosterior[b.profile.id] ?? 0) > (profilePosterior[a.profile.id] ?? 0) ? b : a,
    );
    const isDefault = (defaultMass.get(best) ?? 0) >= posterior[best] / 2;
    if (isDefault && bestDefault.consistent) {
      framework = best;
      profile = bestDefault.profile.id;
      config = 'default';
    } else if (hasEvidence && (lnLr.get(best) ?? 0) > 0) {
      framework = best;
      config = isDefault ? 'default' : 'non_default';
    } else {
      reason = consistent.length === 0 ? 'no_profile_fits' : 'low_posterior';
    }
  }

  const jitter: JitterEstimate[] = [];
  const folded = foldGaps(t.gaps).folded;
  if (framework !== null) {
    const prof = C2_PROFILES.find((p) => p.framework === framework)!;
    const fit = t.profiles.find((x) => x.profile.id === (profile ?? prof.id))?.fit;
    const net = folded.map((g) => g - (config === 'default' && fit !== undefined ? fit.delta : 0));
    if (prof.jitter_law !== null) {
      const j = estimateJitter(net, prof.jitter_law);
      if (j !== null) jitter.push(j);
    }
  } else {
    for (const law of ['symmetric', 'subtractive', 'additive'] as const) {
      const j = estimateJitter(folded, law);
      if (j !== null) jitter.push(j);
    }
  }
  return {
    framework,
    profile,
    config,
    abstain_reason: reason,
    posterior,
    profile_posterior: profilePosterior,
    consistent_with: consistent,
    jitter,
    evidence: [...evidence],
    gaps_used: m,
  };
}

/** C2 attribution of one beacon series from its start-to-start gaps (episodes.ts), fused with evidence. */
export function attributeC2(
  startGaps: readonly number[],
  evidence: readonly AttributionEvidence[] = [],
): AttributionResult {
  return decide(fitTiming(startGaps), evidence);
}

/** A library default that explains a series far better than memoryless traffic or any other law. */
export interface LibraryMatch {
  /** The best default profile, when it is consistent with the gaps. */
  profile: string | null;
  /** Its posterior among: every default, the non-default/other uniform law, and memoryless traffic. */
  posterior: number;
  /** Posterior of the memoryless hypothesis. */
  memoryless: number;
}

/**
 * Detection by library match: the most powerful test against a known alternative is a likelihood ratio
 * against it, so a key whose gaps fit a shipped default profile tightly is a beacon even when the omnibus
 * periodicity test (timing.ts) lacks the power (few episodes, missed check-ins). The memoryless hypothesis
 * has the exact marginal likelihood of i.i.d. exponential excess gaps x_1..x_m under a log-uniform prior on
 * the rate over [1/GAP_MAX_S, 1/GAP_MIN_S]: Γ(m) / ((Σx)^m · ln(GAP_MAX_S/GAP_MIN_S)) (the integral taken
 * over all rates, a negligible difference when the data's scale is inside the range). Priors:
 * PRIOR_MEMORYLESS, the rest split as in attribution. Its false-positive rate on memoryless traffic is
 * measured by the behaviour benchmark together with the test's.
 */
export function libraryMatch(startGaps: readonly number[], excessGaps: readonly number[]): LibraryMatch {
  const t = fitTiming(startGaps);
  const x = excessGaps.filter((g) => Number.isFinite(g) && g > 0).slice(-ATTRIBUTION_MAX_GAPS);
  const m = x.length;
  if (t.gaps.length < 2 || m < 2) return { profile: null, posterior: 0, memoryless: 1 };
  let sumX = 0;
  for (const v of x) sumX += v;
  let lnGammaM = 0;
  for (let k = 2; k < m; k++) lnGammaM += Math.log(k);
  const logMemoryless = Math.log(PRIOR_MEMORYLESS) + lnGammaM - m * Math.log(sumX) - LN_GAP_RANGE;
  const nF = C2_FRAMEWORKS.length;
  const perFramework = new Map<C2Framework, number>();
  for (const p of C2_PROFILES) perFramework.set(p.framework, (perFramework.get(p.framework) ?? 0) + 1);
  const beacon = 1 - PRIOR_MEMORYLESS;
  const logs: number[] = [
    logMemoryless,
    Math.log(beacon * (PRIOR_NON_DEFAULT + PRIOR_OTHER)) + t.generic.logL,
  ];
  let best = -1;
  t.profiles.forEach(({ profile, fit }, i) => {
    logs.push(Math.log((beacon * PRIOR_DEFAULT) / nF / perFramework.get(profile.framework)!) + fit.logL);
    if (best < 0 || logs[logs.length - 1]! > logs[best + 2]!) best = i;
  });
  const z = logSumExp(logs);
  const post = (i: number) => (Number.isFinite(z) ? Math.exp(logs[i]! - z) : 0);
  const top = t.profiles[best]!;
  return {
    profile: top.consistent ? top.profile.id : null,
    posterior: top.consistent ? post(best + 2) : 0,
    memoryless: post(0),
  };
}

/** Fuses more evidence into an existing timing fit (evidence LRs multiply; order does not matter). */
export function fuseEvidence(t: TimingFit, evidence: readonly AttributionEvidence[]): AttributionResult {
  return decide(t, evidence);
}

/** Observations of one series that carry framework evidence. */
export interface EvidenceObservations {
  user_agents?: readonly string[];
  ja4?: readonly string[];
  ja4h?: readonly string[];
  os_guesses?: readonly string[];
}

/** Go's crypto/tls default ClientHello, listed for the Sliver agent in FoxIO's ja4plus-mapping.csv. */
export const JA4_GO_TLS_CLIENT = 't13d190900_9dc949149365_97f8aa674fd9';
/** Cobalt Strike beacon HTTP GET (FoxIO ja4plus-mapping.csv), the a_b part of its JA4H. */
export const JA4H_COBALT_STRIKE_PREFIX = 'ge11cn060000_4e59edc1297a';
const UA_EMPIRE = 'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko';
const UA_MYTHIC_HTTP = 'Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko';
const UA_POSHC2_MARK = 'Chrome/80.0.3987.122';
const WINDOWS_ONLY: readonly C2Framework[] = ['cobalt_strike', 'havoc', 'mythic_apollo', 'covenant'];
const NOT_GO: readonly C2Framework[] = [
  'cobalt_strike',
  'havoc',
  'mythic_apollo',
  'covenant',
  'empire',
  'poshc2',
];

/**
 * Likelihood ratios from header, TLS and TCP observations. The numbers are judgement, bounded because
 * every one of these observables can be set by the operator:
 *  - User-Agent equal to a framework's default (Empire's IE11-on-Win7, Mythic http's IE11-on-Win8.1,
 *    PoshC2's Chrome 80): LR 20 (10 for PoshC2's, a real 2020 browser string). Legacy IE11 browsers
 *    still send the same strings, hence not more.
 *  - JA4 of Go's default TLS client (FoxIO lists it for the Sliver agent; Poseidon is Go too): LR 10 for
 *    Sliver and Poseidon, 0.1 for implants that use Windows' own TLS stack or .NET, 0.3 for Meterpreter.
 *  - JA4H of Cobalt Strike's default GET (FoxIO): LR 20.
 *  - Passive OS: a Windows stack makes Poseidon (Linux/macOS only) unlikely (0.05); a Linux/macOS stack
 *    makes Windows-only implants unlikely (0.05; 0.1 for Cobalt Strike, which third-party CrossC2 ports).
 * A kind of evidence counts once per framework however many events carried it.
 */
export function evidenceFrom(obs: EvidenceObservations): AttributionEvidence[] {
  const out: AttributionEvidence[] = [];
  const uas = obs.user_agents ?? [];
  if (uas.some((u) => u === UA_EMPIRE))
    out.push({ framework: 'empire', lr: 20, reason: 'Empire default User-Agent' });
  if (uas.some((u) => u === UA_MYTHIC_HTTP)) {
    out.push({ framework: 'mythic_apollo', lr: 20, reason: 'Mythic http profile default User-Agent' });
    out.push({ framework: 'mythic_poseidon', lr: 20, reason: 'Mythic http profile default User-Agent' });
  }
  if (uas.some((u) => u.includes(UA_POSHC2_MARK)))
    out.push({ framework: 'poshc2', lr: 10, reason: 'PoshC2 default User-Agent' });
  if ((obs.ja4 ?? []).some((j) => j === JA4_GO_TLS_CLIENT)) {
    out.push({ framework: 'sliver', lr: 10, reason: 'Go crypto/tls JA4 (Sliver agent)' });
    out.push({ framework: 'mythic_poseidon', lr: 10, reason: 'Go crypto/tls JA4' });
    for (const f of NOT_GO)
      out.push({ framework: f, lr: 0.1, reason: 'Go crypto/tls JA4, not this implant stack' });
    out.push({ framework: 'meterpreter', lr: 0.3, reason: 'Go crypto/tls JA4' });
  }
  if ((obs.ja4h ?? []).some((j) => j.startsWith(JA4H_COBALT_STRIKE_PREFIX))) {
    out.push({ framework: 'cobalt_strike', lr: 20, reason: 'Cobalt Strike default GET JA4H' });
  }
  const oses = (obs.os_guesses ?? []).map((o) => o.toLowerCase());
  if (oses.some((o) => o.includes('windows'))) {
    out.push({
      framework: 'mythic_poseidon',
      lr: 0.05,
      reason: 'Windows TCP stack; Poseidon runs on Linux/macOS',
    });
  } else if (oses.some((o) => o.includes('linux') || o.includes('mac'))) {
    for (const f of WINDOWS_ONLY) {
      out.push({
        framework: f,
        lr: f === 'cobalt_strike' ? 0.1 : 0.05,
        reason: 'Linux/macOS TCP stack; Windows-only implant',
      });
    }
  }
  return out;
}
