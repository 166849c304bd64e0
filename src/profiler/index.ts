// The profiler's public surface: feed ProfilerEvents to an AttackerProfile per source, read snapshot()
// on each flush tick. The modules are pure and bounded; see each file's header for its model.

export {
  type AttributionEvidence,
  type AttributionResult,
  attributeC2,
  C2_FRAMEWORKS,
  C2_PROFILES,
  type C2Framework,
  type C2Profile,
  evidenceFrom,
  fitTiming,
  fuseEvidence,
  type LibraryMatch,
  libraryMatch,
} from './attribution.js';
export { BEHAVIOR_CLASSES, type BehaviorClass, type Classification, classify } from './classify.js';
export { type DecnetBehavior, decnetBehavior, toDecnetEvents } from './decnet-baseline.js';
export { BURST_GAP_S, EpisodeSeries, EpisodeTracker, episodeKeyOf } from './episodes.js';
export { type PhaseSummary, PhaseTracker, type Tactic, tacticOf, tacticOfCommand } from './phases.js';
export { type AttackerBehavior, AttackerProfile, profileEvents } from './profile.js';
export { TrwDetector, type TrwResult } from './scan.js';
export { analyzeTiming, estimateJitter, foldGaps, periodicityTest, type TimingAnalysis } from './timing.js';
export { kindOfEventType, type ProfilerEvent, type ProfilerKind } from './types.js';
