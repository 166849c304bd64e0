// Scan detection by sequential hypothesis testing over first contacts: Threshold Random Walk (TRW),
// Jung, Paxson, Berger, Balakrishnan, "Fast Portscan Detection Using Sequential Hypothesis Testing",
// IEEE S&P 2004 (docs/behavior.md §5).
//
// For each remote host only its *first* contact with each target counts, as a success or a failure.
// H0 (benign): a first contact succeeds with probability θ0; H1 (scanner): with θ1 < θ0. Wald's
// sequential probability ratio test multiplies the likelihood ratio Λ = P(obs | H1)/P(obs | H0) by θ1/θ0
// per success and (1 − θ1)/(1 − θ0) per failure; it declares H1 when Λ ≥ η1 = β/α and H0 when
// Λ ≤ η0 = (1 − β)/(1 − α), where α bounds the false-alarm and 1 − β the miss probability. At the paper's
// operating point (θ0 = 0.8, θ1 = 0.2, α = 0.01, β = 0.99) a failure multiplies Λ by 4, a success by 1/4,
// η1 = 99: four straight failures decide. TRW has no time window, so it also catches slow scans.
//
// In a deception fabric (§5.2) a target is a (decoy address, port) pair; success = the decoy answered
// (an advertised service: SYN-ACK, application data, a login prompt), failure = a closed port (RST) or
// a dark address (no answer). After an H0 decision the walk restarts, so a host that first behaved and
// then starts sweeping is still caught; an H1 decision is final.
//
// slow_scan, as §5.2 recommends, is "TRW-positive with a span longer than the window": the first
// contacts span more than SCAN_WINDOW_S and no SCAN_WINDOW_S window holds SCAN_WINDOW_MIN_CONTACTS of
// them, i.e. a windowed detector such as Zeek's scan.zeek (15 ports or 25 hosts in 5 min) would miss it.

/** TRW parameters (Jung et al. 2004, §4). */
export interface TrwParams {
  /** P(first contact succeeds | benign). */
  theta0: number;
  /** P(first contact succeeds | scanner). */
  theta1: number;
  /** Target false-alarm probability (P_F). */
  alpha: number;
  /** Target detection probability (P_D). */
  beta: number;
}

/** The paper's operating point. */
export const TRW_DEFAULTS: Readonly<TrwParams> = { theta0: 0.8, theta1: 0.2, alpha: 0.01, beta: 0.99 };
/** Zeek scan.zeek's interval (addr_scan_interval = port_scan_interval = 5 min). */
export const SCAN_WINDOW_S = 300;
/** Zeek scan.zeek's port_scan_threshold: first contacts within one window that a windowed detector needs. */
export const SCAN_WINDOW_MIN_CONTACTS = 15;
/** Distinct targets remembered per source. Beyond this every new target is counted as a first contact
 *  (a source that touched this many targets is sweeping anyway). */
export const MAX_FIRST_CONTACT_TARGETS = 4096;

/** Largest probe count taken from one summary (2^32: more than an IPv4 sweep of every port could send). */
export const MAX_SUMMARY_COUNT = 2 ** 32;

/** The walk's state: still testing, or decided. */
export type TrwDecision = 'scanner' | 'benign' | 'pending';

/** What the detector reports. */
export interface TrwResult {
  decision: TrwDecision;
  /** Current ln Λ (of the running walk; frozen at the H1 decision). */
  log_lr: number;
  first_contacts: number;
  successes: number;
  failures: number;
  /** Index (1-based) of the first contact at which H1 was declared: TRW's events-to-decision. */
  contacts_to_decision: number | null;
  decided_ts: number | null;
  first_ts: number | null;
  last_ts: number | null;
  /** Most first contacts inside any SCAN_WINDOW_S window. */
  max_contacts_in_window: number;
  /** TRW-positive, spread over more than one window, and never dense enough for a windowed detector. */
  slow: boolean;
  /** H0 decisions that restarted the walk. */
  restarts: number;
}

/** Sequential TRW scan detector for one remote host. */
export class TrwDetector {
  private readonly p: TrwParams;
  private readonly lnSuccess: number;
  private readonly lnFailure: number;
  private readonly lnUpper: number;
  private readonly lnLower: number;
  private readonly seen = new Set<string>();
  private logLr = 0;
  private decision: TrwDecision = 'pending';
  private contacts = 0;
  private successes = 0;
  private failures = 0;
  private decidedAt: number | null = null;
  private decidedTs: number | null = null;
  private firstTs: number | null = null;
  private lastTs: number | null = null;
  private restarts = 0;
  // Sliding window of first-contact times (weighted by count) for the densest-window statistic.
  private readonly window: { ts: number; count: number }[] = [];
  private windowCount = 0;
  private maxInWindow = 0;

  constructor(params: Partial<TrwParams> = {}) {
    const p = { ...TRW_DEFAULTS, ...params };
    const ok =
      p.theta1 > 0 && p.theta1 < p.theta0 && p.theta0 < 1 && p.alpha > 0 && p.alpha < p.beta && p.beta < 1;
    this.p = ok ? p : { ...TRW_DEFAULTS };
    this.lnSuccess = Math.log(this.p.theta1 / this.p.theta0);
    this.lnFailure = Math.log((1 - this.p.theta1) / (1 - this.p.theta0));
    this.lnUpper = Math.log(this.p.beta / this.p.alpha);
    this.lnLower = Math.log((1 - this.p.beta) / (1 - this.p.alpha));
  }

  /** The parameters in use (defaults when the given ones were inconsistent). */
  get params(): Readonly<TrwParams> {
    return this.p;
  }

  /** One contact with `target`; only the first contact with each target moves the walk. */
  observe(ts: number, target: string, success: boolean): void {
    if (!Number.isFinite(ts)) return;
    if (this.seen.has(target)) {
      // A later success upgrades nothing: TRW looks at first contacts only.
      return;
    }
    if (this.seen.size < MAX_FIRST_CONTACT_TARGETS) this.seen.add(target);
    this.step(ts, success ? 1 : 0, success ? 0 : 1);
  }

  /**
   * Aggregated first contacts (a sensor scan_summary), assumed distinct from earlier targets. Their order
   * is unknown, so the walk applies them as one step: the decision uses the cumulative ratio.
   */
  observeCounts(ts: number, successes: number, failures: number, lastTs = ts): void {
    const clamp = (x: number) =>
      Number.isFinite(x) && x > 0 ? Math.floor(Math.min(x, MAX_SUMMARY_COUNT)) : 0;
    const s = clamp(successes);
    const f = clamp(failures);
    if (!Number.isFinite(ts) || s + f === 0) return;
    this.step(ts, s, f, Number.isFinite(lastTs) ? Math.max(ts, lastTs) : ts);
  }

  private step(ts: number, s: number, f: number, lastTs = ts): void {
    const n = s + f;
    this.contacts += n;
    this.successes += s;
    this.failures += f;
    if (this.firstTs === null || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === null || lastTs > this.lastTs) this.lastTs = lastTs;
    this.slide(ts, n, lastTs);
    if (this.decision === 'scanner') return;
    this.logLr += s * this.lnSuccess + f * this.lnFailure;
    if (this.logLr >= this.lnUpper) {
      this.decision = 'scanner';
      this.decidedAt = this.contacts;
      this.decidedTs = lastTs;
    } else if (this.logLr <= this.lnLower) {
      this.restarts++;
      this.logLr = 0;
    }
  }

  private slide(ts: number, count: number, lastTs: number): void {
    // A summary spread over more than one window is counted as if evenly spread: its densest window holds
    // count × window / span contacts.
    const span = lastTs - ts;
    const dense = span > SCAN_WINDOW_S ? Math.ceil((count * SCAN_WINDOW_S) / span) : count;
    this.window.push({ ts: lastTs, count: dense });
    this.windowCount += dense;
    while (this.window.length > 0 && this.window[0]!.ts < lastTs - SCAN_WINDOW_S) {
      this.windowCount -= this.window.shift()!.count;
    }
    if (this.window.length > 4 * SCAN_WINDOW_MIN_CONTACTS) {
      // Keep the deque bounded: merge the two oldest entries (their times only matter for expiry).
      const a = this.window.shift()!;
      this.window[0]!.count += a.count;
    }
    if (this.windowCount > this.maxInWindow) this.maxInWindow = this.windowCount;
  }

  /** The current verdict and counts. */
  result(): TrwResult {
    const span = this.firstTs !== null && this.lastTs !== null ? this.lastTs - this.firstTs : 0;
    const slow =
      this.decision === 'scanner' && span > SCAN_WINDOW_S && this.maxInWindow < SCAN_WINDOW_MIN_CONTACTS;
    return {
      decision: this.decision,
      log_lr: this.logLr,
      first_contacts: this.contacts,
      successes: this.successes,
      failures: this.failures,
      contacts_to_decision: this.decidedAt,
      decided_ts: this.decidedTs,
      first_ts: this.firstTs,
      last_ts: this.lastTs,
      max_contacts_in_window: this.maxInWindow,
      slow,
      restarts: this.restarts,
    };
  }
}

/**
 * Expected first contacts to an H1 decision for a scanner whose contacts succeed with probability p
 * (Wald's approximation ln η1 / E[step]); Infinity when the walk does not drift upwards.
 */
export function expectedContactsToDecision(p: number, params: TrwParams = TRW_DEFAULTS): number {
  const lnS = Math.log(params.theta1 / params.theta0);
  const lnF = Math.log((1 - params.theta1) / (1 - params.theta0));
  const drift = p * lnS + (1 - p) * lnF;
  if (!(drift > 1e-12)) return Number.POSITIVE_INFINITY;
  return Math.log(params.beta / params.alpha) / drift;
}
