// One keystroke-dynamics profile per recorded session (behavior.md §4; DECNET BEHAVE-SHELL motor
// features, decnet-reference.md §4.6, plus what DECNET misses: relative pause edges, bracketed
// paste, OpenSSH ≥ 9.5 timing-lattice detection, echo-derived timing and no-echo exclusion).
//
// Definitions used throughout (times in ms unless the name ends in _s):
// * Keystroke: a token of keystrokes.ts from an "i" event. Bracketed-paste content is not
//   keystrokes; ESC[200~ starts a paste only while the output has bracketed-paste mode on
//   (ESC[?2004h seen before the read, not switched off by ESC[?2004l since) or when the recording
//   has no output at all (keystrokes.ts bounds a paste). Keystrokes typed while the terminal did
//   not echo, and keystrokes whose echo cannot be verified, are excluded (see below).
// * Read: one "i" event. All keystrokes of a read share its time. Only the FIRST keystroke of a
//   read gets an inter-key interval (IKI): its read time minus the previous read's time. The other
//   keystrokes of a multi-key read get no IKI (their zero intervals say nothing about typing
//   speed: coalescing, rollover or a script's single write).
// * IKI chain: IKIs are taken between consecutive included keystrokes; a paste or an excluded
//   (no-echo) keystroke breaks the chain, so no IKI spans them.
// * Echo check: a printable keystroke is "echoed" when the output that follows its read (before the
//   next read, within ECHO_WINDOW_S) shows the read's printable characters first, in order (only
//   cursor/erase/SGR/insert CSI sequences and BS/BEL may precede them); if the read also holds an
//   Enter, the characters before it must be followed by CR or LF in the output (so a prompt that
//   happens to start with the typed character does not count as echo). Printable keystrokes
//   after an Enter in the same read cannot be checked and are "unverified"; so are all keystrokes
//   when the session has no output at all.
// * No-echo exclusion (PII): a printable keystroke that was not echoed starts a no-echo run; it
//   and every keystroke until an echoed printable or the Enter / ^C / ^D ending the line (inclusive)
//   are excluded from EVERY feature. Only the number of input lines holding such a run is kept
//   (kd_noecho_lines), never a count of keys (that would be the password length).
// * Unverified exclusion (PII): an unverified printable is treated exactly like a no-echo one: it
//   starts a run (or continues a no-echo run, which it never ends) excluding it and every keystroke
//   until an echoed printable or the Enter / ^C / ^D ending the line; the run is excluded from
//   EVERY feature (timing, counts, rates, totals) but is not a no-echo line. Consequence: a
//   recording with input but no output at all has kd_total_keystrokes 0, null timing statistics,
//   no digraphs and kd_timing_source 'unverified' (pastes are still counted: they carry no keys).
// * Digraphs (the only features derived from characters) use pairs of consecutive included,
//   ECHOED printable keystrokes where the second starts a read; the IAT is that read's IKI.

import { mean, popStdev, quantileSorted } from '../profiler/math.js';
import { KeyKind, type KeyKindValue, type KeystrokeSink, KeystrokeTokenizer } from './keystrokes.js';
import { MAX_EVENT_TIME_S, type Recording, type RecordingEvent } from './recording.js';
import {
  DIGRAPH_IAT_BUCKET_EDGES_MS,
  digraphToken,
  iatBucket,
  simhash64,
  type WeightedToken,
} from './simhash.js';

/** Version of the SessionProfile field definitions. 2: kd_noecho_keystrokes → kd_noecho_lines,
 *  unverified keys excluded, kd_timing_source 'unverified', bracketed paste only with mode 2004. */
export const SESSION_PROFILE_SCHEMA_VERSION = 2;

/** DECNET pause-histogram edges (absolute): burst < 200 ms ≤ think < 1500 ms ≤ distracted. */
export const PAUSE_BURST_MAX_MS = 200;
export const PAUSE_THINK_MAX_MS = 1500;
/** Relative pause edges as multiples of the session's median IKI: burst < 2×, think < 8×,
 *  distracted ≥ 8× (≈ 0.46 s / 1.8 s at the human median IKI of ≈ 230 ms). */
export const REL_BURST_MAX_X_MEDIAN = 2;
export const REL_THINK_MAX_X_MEDIAN = 8;
/** Idle time without input before a keystroke counts as a start of action (DECNET: 2 s). */
export const START_IDLE_MIN_MS = 2000;
/** Echo of a read must begin within this many seconds. */
export const ECHO_WINDOW_S = 1;
/** Reads with at least this many keystrokes are "multi-char reads" (DECNET paste proxy: 4). */
export const MULTICHAR_READ_MIN_KEYS = 4;
/** Length of kd_top_digraphs. */
export const TOP_DIGRAPHS = 32;
/** DECNET minimums for the digraph SimHash. */
export const SIMHASH_MIN_DISTINCT_DIGRAPHS = 8;
export const SIMHASH_MIN_DIGRAPH_SAMPLES = 20;

/** Timing-lattice test (OpenSSH ≥ 9.5 ObscureKeystrokeTiming sends on a fixed ~20 ms grid): for
 *  each candidate grid G, count IKIs in (0, LATTICE_MAX_IKI_MS] within ±LATTICE_TOLERANCE_MS of a
 *  multiple of G; uniform timing hits with p0 = 2·tol/G. The lattice holds if ≥ LATTICE_MIN_SAMPLES
 *  IKIs, hit fraction ≥ LATTICE_MIN_HIT_FRACTION, binomial z = (hits − n·p0)/√(n·p0·(1−p0)) ≥
 *  LATTICE_MIN_Z, and the hits fall on ≥ LATTICE_MIN_DISTINCT_MULTIPLES different multiples (a
 *  constant-delay script is not a lattice). The grid with the largest z wins. */
export const LATTICE_GRIDS_MS = [10, 20, 25, 30, 40, 50] as const;
export const LATTICE_TOLERANCE_MS = 2;
export const LATTICE_MIN_SAMPLES = 20;
export const LATTICE_MAX_IKI_MS = 1000;
export const LATTICE_MIN_HIT_FRACTION = 0.6;
export const LATTICE_MIN_Z = 4;
export const LATTICE_MIN_DISTINCT_MULTIPLES = 3;

/** Verdict thresholds. Timing rules use "burst" IKIs (< PAUSE_THINK_MAX_MS, DECNET's split). */
export const VERDICT_MIN_BURST_IKIS = 10;
/** Median burst IKI below this is faster than sustained human typing (DECNET tremor floor 30 ms). */
export const SCRIPTED_MAX_MEDIAN_IKI_MS = 25;
/** Burst-IKI coefficient of variation below this is a constant-delay sender. */
export const SCRIPTED_MAX_BURST_CV = 0.15;
/** Share of burst IKIs within ±CONSTANT_DELAY_TOLERANCE_MS of their median that marks a
 *  constant-delay sender. */
export const CONSTANT_DELAY_MIN_SHARE = 0.8;
export const CONSTANT_DELAY_TOLERANCE_MS = 2;
/** Burst-IKI CV at or above this (with a human median) reads as human. */
export const HUMAN_MIN_BURST_CV = 0.25;
/** Share of input characters in bracketed pastes (or unbracketed multi-char reads) for 'pasted'. */
export const PASTE_SHARE_MIN = 0.5;
/** Share of Enters written together with ≥ 2 printable characters of the same line for 'scripted'
 *  (whole-command writes). */
export const WHOLE_COMMAND_SHARE_MIN = 0.5;

/** Count and mean inter-key time of one digraph. */
export interface DigraphStat {
  /** The two characters (echoed printable keystrokes). */
  digraph: string;
  count: number;
  /** Mean IAT of the digraph, ms. */
  mean_iat_ms: number;
}

/** IKI counts per pause class. */
export interface PauseHist {
  burst: number;
  think: number;
  distracted: number;
}

export type SessionVerdict = 'human' | 'scripted' | 'pasted' | 'unknown';

/** One piece of verdict evidence: the signal, its value and the verdict it supports (null: context). */
export interface VerdictEvidence {
  signal: string;
  value: number | string | boolean | null;
  supports: SessionVerdict | null;
}

/** Keystroke profile of one session, keyed by DB column name. */
export interface SessionProfile {
  schema_version: number;
  /** Time of the last event, s since the session start. */
  duration_s: number;
  /** Included keystrokes (excludes paste content, no-echo and unverified keystrokes). */
  kd_total_keystrokes: number;
  /** Number of IKIs behind the kd_iki_* statistics. */
  kd_iki_count: number;
  /** IKI statistics over all IKIs (think pauses included), ms; stdev is the population stdev;
   *  percentiles interpolate linearly between closest ranks (p = (n−1)·q). */
  kd_iki_mean_ms: number | null;
  kd_iki_stdev_ms: number | null;
  kd_iki_p50_ms: number | null;
  kd_iki_p95_ms: number | null;
  /** Enter latency: the IKI ending at an Enter that starts its read and follows a non-Enter
   *  keystroke, i.e. the time from the last keystroke of a command line to Enter (the typist's
   *  hesitation before committing; Enter → output would measure the honeypot, not the attacker). */
  kd_enter_latency_p50_ms: number | null;
  kd_enter_latency_p95_ms: number | null;
  /** Shares of IKIs in DECNET's burst (< 0.2 s) and think (0.2–1.5 s) classes. */
  kd_burst_ratio: number | null;
  kd_think_ratio: number | null;
  /** Per-keystroke rates (count / kd_total_keystrokes). */
  kd_backspace_rate: number | null;
  kd_ctrl_w_rate: number | null;
  kd_ctrl_u_rate: number | null;
  kd_ctrl_c_rate: number | null;
  kd_ctrl_d_rate: number | null;
  kd_arrow_rate: number | null;
  kd_tab_rate: number | null;
  /** 64-bit digraph SimHash (simhash.ts), signed; null below 8 distinct digraphs / 20 samples. */
  kd_digraph_simhash: bigint | null;
  /** Top 32 digraphs by count (ties: code-unit order of the digraph). */
  kd_top_digraphs: DigraphStat[];
  /** Median start-of-action latency, ms: for the first keystroke of a read that follows
   *  ≥ 2 s without input, the time since the last output event (if any output came after the
   *  previous input) — how long the attacker looked at the screen before acting. */
  kd_start_latency_ms: number | null;
  /** IKI counts with DECNET's absolute edges 0.2 s / 1.5 s. */
  kd_pause_hist: PauseHist;
  /** IKI counts with edges 2× and 8× the session's median IKI; null without IKIs. */
  kd_pause_hist_rel: PauseHist | null;
  /** Longest IKI, s. */
  kd_max_pause_s: number | null;
  /** Bracketed pastes (ESC[200~ … ESC[201~) and their total length in UTF-16 code units. */
  kd_paste_count: number;
  kd_paste_chars: number;
  /** Reads holding ≥ 4 included keystrokes (DECNET's unbracketed paste proxy, kept separate). */
  kd_multichar_reads: number;
  /** True when input IKIs sit on a fixed grid (OpenSSH ≥ 9.5 obfuscation); null with < 20 IKIs. */
  kd_timing_obfuscated: boolean | null;
  /** The detected grid, ms, or null. */
  kd_timing_grid_ms: number | null;
  /** Where timings come from: "i" events with echo-verified output ('input'), single-character
   *  echo output of an output-only recording ('echo', lower fidelity), 'unverified' for "i" events
   *  in a recording without any output (all keystrokes excluded, no timing), or 'none'. */
  kd_timing_source: 'input' | 'echo' | 'unverified' | 'none';
  /** Input lines (runs ended by Enter / ^C / ^D or the end of the session) typed while the
   *  terminal did not echo (password prompts); their keys are in no other feature. */
  kd_noecho_lines: number;
  verdict: SessionVerdict;
  verdict_evidence: VerdictEvidence[];
}

/** Echo state per keystroke: not applicable (non-printable), echoed, not echoed, unverifiable. */
const ECHO_NA = 0;
const ECHO_YES = 1;
const ECHO_NO = 2;
const ECHO_UNVERIFIED = 3;
/** Exclusion run state of pass 2. */
const RUN_NONE = 0;
const RUN_NOECHO = 1;
const RUN_UNVERIFIED = 2;
const MS_PER_S = 1000;
const KIND_COUNT = 11;

/** A growable column of numbers that keeps its storage from one session to the next (an Array
 *  emptied with `length = 0` gives its storage back, and regrowing eight of them for every session
 *  made garbage). Read `a` (replaced when it grows) below `n`. */
class Column {
  n = 0;
  constructor(public a: Float64Array | Int32Array) {}
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = this.a instanceof Float64Array ? new Float64Array(2 * this.n) : new Int32Array(2 * this.n);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}
const ints = (): Column => new Column(new Int32Array(1024));
/** Packed per-keystroke and per-read columns, reused across calls (single-threaded). */
const kKind = ints();
const kT = new Column(new Float64Array(1024));
const kCp = ints();
const kRead = ints();
const kEcho = ints();
/** Per read: idle time before it (since the previous read or the session start), s. */
const rIdle = new Column(new Float64Array(1024));
/** Per read: time of the last non-echo output event before it (NaN: none since the last read). */
const rLastOut = new Column(new Float64Array(1024));
/** Key index at which each paste occurred (chain breaks). */
const pasteAt = ints();
const SCRATCH_COLUMNS = [kKind, kT, kCp, kRead, kEcho, rIdle, rLastOut, pasteAt];

/** The median (quantileSorted at 0.5), without sorting a copy for one or two values (most digraphs
 *  of a session occur once or twice). */
function medianOf(values: number[]): number {
  if (values.length === 1) return values[0]!;
  if (values.length === 2) {
    const lo = Math.min(values[0]!, values[1]!);
    return lo + 0.5 * (Math.max(values[0]!, values[1]!) - lo); // as quantileSorted interpolates
  }
  return quantileSorted(sortedOf(values), 0.5);
}

/** Scratch buffers of sortedOf, one per slot (grown as needed, never shrunk). A new Float64Array
 *  per sort (dozens per session, one per repeated digraph) was 10 % of profiling a session. */
const sortScratch: Float64Array[] = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
/** sortedOf slots: the IKIs and the Enter latencies live until the profile is built; TEMP is
 *  consumed at once. */
const SORT_IKIS = 0;
const SORT_ENTER = 1;
const SORT_TEMP = 2;

/** `values` sorted ascending, in slot `slot`'s scratch buffer: valid until the slot is used again. */
function sortedOf(values: readonly number[], slot: number = SORT_TEMP): Float64Array {
  const n = values.length;
  let buf = sortScratch[slot]!;
  if (buf.length < n) {
    buf = new Float64Array(Math.max(n, 2 * buf.length));
    sortScratch[slot] = buf;
  }
  for (let i = 0; i < n; i++) buf[i] = values[i]!;
  return buf.subarray(0, n).sort();
}

/** Scratch marks of the IKI multiples hit per grid (index = multiple; LATTICE_MAX_IKI_MS / 10 + 1). */
const latticeMultiples = new Uint8Array(Math.ceil(1000 / 10) + 2);
/** Scratch of the IKIs the lattice test uses (grown as needed). */
let latticeUsable = new Float64Array(256);

function isPrintableCode(c: number): boolean {
  return c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f);
}

/** Result of the lattice test. */
export interface LatticeResult {
  /** null when there are fewer than LATTICE_MIN_SAMPLES usable IKIs. */
  obfuscated: boolean | null;
  gridMs: number | null;
  hitFraction: number | null;
  z: number | null;
  samples: number;
}

/** Tests IKIs (ms) for a fixed timing grid (see LATTICE_* constants). */
export function detectTimingLattice(ikisMs: ArrayLike<number>): LatticeResult {
  if (latticeUsable.length < ikisMs.length) latticeUsable = new Float64Array(2 * ikisMs.length);
  const usable = latticeUsable;
  let n = 0;
  for (let i = 0; i < ikisMs.length; i++) {
    const v = ikisMs[i]!;
    if (v > 0 && v <= LATTICE_MAX_IKI_MS) usable[n++] = v;
  }
  if (n < LATTICE_MIN_SAMPLES)
    return { obfuscated: null, gridMs: null, hitFraction: null, z: null, samples: n };
  let best: { grid: number; z: number; frac: number } | null = null;
  let bestAny = { z: Number.NEGATIVE_INFINITY, frac: 0 };
  for (const grid of LATTICE_GRIDS_MS) {
    let hits = 0;
    let distinct = 0;
    latticeMultiples.fill(0);
    // v × (1 / grid) may round differently from v / grid only next to a half multiple, where
    // |v − k·grid| ≈ grid / 2 is far outside the tolerance: the hits are the same.
    const perGrid = 1 / grid;
    for (let i = 0; i < n; i++) {
      const v = usable[i]!;
      const k = Math.round(v * perGrid);
      if (k >= 1 && Math.abs(v - k * grid) <= LATTICE_TOLERANCE_MS) {
        hits++;
        if (latticeMultiples[k] === 0) {
          latticeMultiples[k] = 1;
          distinct++;
        }
      }
    }
    const p0 = (2 * LATTICE_TOLERANCE_MS) / grid;
    const z = (hits - n * p0) / Math.sqrt(n * p0 * (1 - p0));
    const frac = hits / n;
    if (z > bestAny.z) bestAny = { z, frac };
    if (
      frac >= LATTICE_MIN_HIT_FRACTION &&
      z >= LATTICE_MIN_Z &&
      distinct >= LATTICE_MIN_DISTINCT_MULTIPLES &&
      (best === null || z > best.z)
    )
      best = { grid, z, frac };
  }
  if (best === null)
    return { obfuscated: false, gridMs: null, hitFraction: bestAny.frac, z: bestAny.z, samples: n };
  return { obfuscated: true, gridMs: best.grid, hitFraction: best.frac, z: best.z, samples: n };
}

/** Echo-match state for the latest read (see the file comment). */
interface EchoMatch {
  active: boolean;
  readT: number;
  first: number;
  /** Next printable key to match (index), or `stop` when all matched. */
  next: number;
  /** First Enter of the read (or the read's end). */
  stop: number;
  needNewline: boolean;
  /** 0: matching characters; 1: all matched, waiting for CR/LF. */
  phase: number;
}

function nextPrintable(from: number, stop: number): number {
  let k = from;
  while (k < stop && kKind.a[k] !== KeyKind.PRINTABLE) k++;
  return k;
}

/** Ends a match: on success (or partial success for reads without Enter) marks matched keys. */
function finishEcho(m: EchoMatch, success: boolean): void {
  if (success || !m.needNewline) {
    const end = success && m.phase === 1 ? m.stop : m.next;
    for (let k = m.first; k < end; k++) if (kKind.a[k] === KeyKind.PRINTABLE) kEcho.a[k] = ECHO_YES;
  }
  m.active = false;
}

/** CSI finals that may precede or interleave an echo (cursor moves, erase, insert/delete, SGR). */
function isEchoCsiFinal(f: number): boolean {
  // @ A B C D G K P X m
  return (
    f === 0x40 ||
    (f >= 0x41 && f <= 0x44) ||
    f === 0x47 ||
    f === 0x4b ||
    f === 0x50 ||
    f === 0x58 ||
    f === 0x6d
  );
}

/** Advances the echo match over one output event. */
function scanEcho(m: EchoMatch, data: string): void {
  const n = data.length;
  let j = 0;
  while (j < n) {
    const c = data.charCodeAt(j);
    if (c === 0x1b) {
      if (j + 1 < n && data.charCodeAt(j + 1) === 0x5b) {
        let e = j + 2;
        const priv = e < n ? data.charCodeAt(e) : 0;
        while (e < n) {
          const b = data.charCodeAt(e);
          if (b >= 0x40 && b <= 0x7e) break;
          e++;
        }
        if (e < n && !(priv >= 0x3c && priv <= 0x3f) && isEchoCsiFinal(data.charCodeAt(e))) {
          j = e + 1;
          continue;
        }
      }
      finishEcho(m, false); // prompt/mode/title sequence: not an echo
      return;
    }
    if (!isPrintableCode(c)) {
      if (c === 13 || c === 10) {
        finishEcho(m, m.phase === 1);
        return;
      }
      j++;
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && j + 1 < n) {
      const d = data.charCodeAt(j + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        j++;
      }
    }
    j++;
    if (m.phase === 1 || kCp.a[m.next] !== cp) {
      finishEcho(m, false);
      return;
    }
    m.next = nextPrintable(m.next + 1, m.stop);
    if (m.next >= m.stop) {
      if (!m.needNewline) {
        finishEcho(m, true);
        return;
      }
      m.phase = 1;
    }
  }
}

/** Output events that are the echo of one keystroke, for output-only recordings. */
function echoKeystroke(data: string): { kind: KeyKindValue; cp: number } | null {
  if (data.length === 1) {
    const c = data.charCodeAt(0);
    if (isPrintableCode(c) && (c < 0xd800 || c > 0xdfff)) return { kind: KeyKind.PRINTABLE, cp: c };
    return null;
  }
  if (data.length === 2) {
    const c = data.charCodeAt(0);
    const d = data.charCodeAt(1);
    if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff)
      return { kind: KeyKind.PRINTABLE, cp: ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000 };
    if (c === 13 && d === 10) return { kind: KeyKind.ENTER, cp: -1 };
    return null;
  }
  if (data === '\b \b' || data === '\b\x1b[K' || data === '\b\x1b[1P' || data === '\b\x1b[P')
    return { kind: KeyKind.BACKSPACE, cp: -1 };
  return null;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

interface DigraphAcc {
  count: number;
  sum: number;
  iats: number[];
}

/** Digraph of a printable ASCII pair: index a·128 + b. */
const ASCII_PAIRS = 128 * 128;
/** Strings and SimHash tokens of ASCII digraphs, made once per process (the same pairs recur in
 *  every session, and a token string reused keeps its hash, which the SimHash cache looks up). */
const asciiDigraphStrings: (string | undefined)[] = new Array(ASCII_PAIRS).fill(undefined);
const asciiDigraphTokens: (string | undefined)[] = new Array(
  ASCII_PAIRS * (DIGRAPH_IAT_BUCKET_EDGES_MS.length + 1),
).fill(undefined);

/**
 * The digraphs of one session, reused across sessions (single-threaded): a flat table for pairs of
 * printable ASCII characters, which are almost all of them, and a Map for the rest. A Map keyed by
 * code-point pair alone was a fifth of the cost of profiling a session.
 */
class DigraphTable {
  private readonly ascii: (DigraphAcc | undefined)[] = new Array(ASCII_PAIRS).fill(undefined);
  private readonly touched: number[] = [];
  private readonly other = new Map<number, DigraphAcc>();

  clear(): void {
    for (const i of this.touched) this.ascii[i] = undefined;
    this.touched.length = 0;
    this.other.clear();
  }

  get size(): number {
    return this.touched.length + this.other.size;
  }

  add(a: number, b: number, iat: number): void {
    let acc: DigraphAcc | undefined;
    if (a < 128 && b < 128) {
      const i = (a << 7) | b;
      acc = this.ascii[i];
      if (acc === undefined) {
        acc = { count: 0, sum: 0, iats: [] };
        this.ascii[i] = acc;
        this.touched.push(i);
      }
    } else {
      const key = a * 0x110000 + b;
      acc = this.other.get(key);
      if (acc === undefined) {
        acc = { count: 0, sum: 0, iats: [] };
        this.other.set(key, acc);
      }
    }
    acc.count++;
    acc.sum += iat;
    acc.iats.push(iat);
  }

  get(a: number, b: number): DigraphAcc {
    return (a < 128 && b < 128 ? this.ascii[(a << 7) | b] : this.other.get(a * 0x110000 + b))!;
  }

  /** Calls fn for each digraph, in no particular order. */
  forEach(fn: (a: number, b: number, acc: DigraphAcc) => void): void {
    for (const i of this.touched) fn(i >> 7, i & 127, this.ascii[i]!);
    for (const [key, acc] of this.other) {
      const a = Math.floor(key / 0x110000);
      fn(a, key - a * 0x110000, acc);
    }
  }
}

const digraphTable = new DigraphTable();

function digraphString(a: number, b: number): string {
  if (a >= 128 || b >= 128) return String.fromCodePoint(a, b);
  const i = (a << 7) | b;
  let s = asciiDigraphStrings[i];
  if (s === undefined) {
    s = String.fromCodePoint(a, b);
    asciiDigraphStrings[i] = s;
  }
  return s;
}

/** digraphToken of the digraph (a, b), the same string object each time for an ASCII pair. */
function digraphTokenOf(a: number, b: number, medianIatMs: number): string {
  if (a >= 128 || b >= 128) return digraphToken(String.fromCodePoint(a, b), medianIatMs);
  const slot = ((a << 7) | b) * (DIGRAPH_IAT_BUCKET_EDGES_MS.length + 1) + iatBucket(medianIatMs);
  let s = asciiDigraphTokens[slot];
  if (s === undefined) {
    s = digraphToken(digraphString(a, b), medianIatMs);
    asciiDigraphTokens[slot] = s;
  }
  return s;
}

/** Sort keys of rankDigraphs, reused. */
let rankKeys = new Float64Array(256);

/**
 * The `limit` most frequent digraphs, ties by the digraphs' code units. Below U+D800 each character
 * is one code unit, so a·2^16 + b orders two digraphs as their strings would; then count·2^32 plus
 * the complement of that order is one number per digraph (exact: counts stay below 2^21), sorted
 * natively. A digraph with a surrogate or astral character sends the session down a comparator
 * sort over the strings.
 */
function rankDigraphs(table: DigraphTable, limit: number): DigraphStat[] {
  const n = table.size;
  if (rankKeys.length < n) rankKeys = new Float64Array(2 * n);
  let k = 0;
  let simple = true;
  table.forEach((a, b, acc) => {
    if (a >= 0xd800 || b >= 0xd800 || acc.count >= 2 ** 21) simple = false;
    else rankKeys[k++] = acc.count * 2 ** 32 + (0xffff_ffff - (a * 0x10000 + b));
  });
  const out: DigraphStat[] = [];
  if (simple) {
    const keys = rankKeys.subarray(0, n).sort();
    for (let i = n - 1; i >= 0 && out.length < limit; i--) {
      const order = 0xffff_ffff - (keys[i]! % 2 ** 32);
      const a = Math.floor(order / 0x10000);
      const b = order - a * 0x10000;
      const acc = table.get(a, b);
      out.push({ digraph: digraphString(a, b), count: acc.count, mean_iat_ms: acc.sum / acc.count });
    }
    return out;
  }
  const all: DigraphStat[] = [];
  table.forEach((a, b, acc) => {
    all.push({ digraph: String.fromCodePoint(a, b), count: acc.count, mean_iat_ms: acc.sum / acc.count });
  });
  all.sort((x, y) => y.count - x.count || (x.digraph < y.digraph ? -1 : x.digraph > y.digraph ? 1 : 0));
  return all.slice(0, limit);
}

/** Events the profile uses: finite time in (−∞, MAX_EVENT_TIME_S] and string data. */
function usableEvent(ev: unknown): ev is RecordingEvent {
  if (ev === null || typeof ev !== 'object') return false;
  const { t, data } = ev as RecordingEvent;
  return typeof t === 'number' && Number.isFinite(t) && t <= MAX_EVENT_TIME_S && typeof data === 'string';
}

/** Computes the keystroke profile of one recording. Total: never throws on any Recording shape. */
export function profileSession(rec: Recording): SessionProfile {
  const events: readonly RecordingEvent[] = Array.isArray(rec?.events) ? rec.events : [];
  for (const c of SCRATCH_COLUMNS) c.n = 0;

  let hasInput = false;
  let hasOutput = false;
  for (let i = 0; i < events.length && !(hasInput && hasOutput); i++) {
    const ev = events[i];
    if (!usableEvent(ev)) continue;
    if (ev.code === 'i') hasInput = true;
    else if (ev.code === 'o') hasOutput = true;
  }
  /** Input without any output: no keystroke's echo can be verified, all are excluded. */
  const allUnverified = hasInput && !hasOutput;

  let pasteCount = 0;
  let pasteChars = 0;
  let readNo = -1;
  let readT = 0;
  const sink: KeystrokeSink = {
    key(kind, codePoint, _t) {
      kKind.push(kind);
      kT.push(readT);
      kCp.push(codePoint);
      kRead.push(readNo);
      kEcho.push(kind === KeyKind.PRINTABLE ? ECHO_UNVERIFIED : ECHO_NA);
    },
    paste(_t, chars) {
      pasteCount++;
      pasteChars += chars;
      pasteAt.push(kKind.n);
    },
  };
  const tok = new KeystrokeTokenizer();
  // Bracketed paste is honoured only once the output enables it, or always without output.
  tok.setBracketedPaste(!hasOutput, sink);
  const m: EchoMatch = { active: false, readT: 0, first: 0, next: 0, stop: 0, needNewline: false, phase: 0 };
  let bracketedPasteMode = false;
  let lastOutT = Number.NaN;
  let prevInputT = 0;
  let duration = 0;

  for (let i = 0; i < events.length; i++) {
    const ev = events[i];
    if (!usableEvent(ev)) continue;
    const t = ev.t;
    const data = ev.data;
    if (t > duration) duration = t;
    if (ev.code === 'i') {
      if (m.active) finishEcho(m, false);
      readNo++;
      readT = t;
      rIdle.push(t - prevInputT);
      rLastOut.push(lastOutT);
      prevInputT = t;
      lastOutT = Number.NaN;
      const first = kKind.n;
      tok.feed(data, t, sink);
      const end = kKind.n;
      let stop = first;
      while (stop < end && kKind.a[stop] !== KeyKind.ENTER) stop++;
      let printablesBefore = 0;
      for (let k = first; k < stop; k++) {
        if (kKind.a[k] !== KeyKind.PRINTABLE) continue;
        kEcho.a[k] = ECHO_NO; // until the echo match marks it ECHO_YES; after stop: ECHO_UNVERIFIED
        printablesBefore++;
      }
      if (printablesBefore > 0) {
        m.active = true;
        m.readT = t;
        m.first = first;
        m.stop = stop;
        m.next = nextPrintable(first, stop);
        m.needNewline = stop < end;
        m.phase = 0;
      }
    } else if (ev.code === 'o') {
      // Most output holds no mode change: one scan rules both out.
      const any = data.includes('\x1b[?2004');
      const on = any ? data.lastIndexOf('\x1b[?2004h') : -1;
      const off = any ? data.lastIndexOf('\x1b[?2004l') : -1;
      if (on > off) {
        bracketedPasteMode = true;
        tok.setBracketedPaste(true, sink);
      } else if (off > on) tok.setBracketedPaste(false, sink); // also ends a paste in progress
      if (!hasInput) {
        const e = echoKeystroke(data);
        if (e !== null) {
          readNo++;
          rIdle.push(t - prevInputT);
          rLastOut.push(lastOutT);
          prevInputT = t;
          lastOutT = Number.NaN;
          kKind.push(e.kind);
          kT.push(t);
          kCp.push(e.cp);
          kRead.push(readNo);
          kEcho.push(ECHO_YES);
          continue;
        }
      }
      lastOutT = t;
      if (m.active) {
        if (t - m.readT > ECHO_WINDOW_S) finishEcho(m, false);
        else scanEcho(m, data);
      }
    }
  }
  if (m.active) finishEcho(m, false);
  tok.finish(sink);

  // Pass 2: features over included keystrokes.
  const counts = new Array<number>(KIND_COUNT).fill(0);
  let total = 0;
  let noechoLines = 0;
  /** Whether the current input line has been counted as a no-echo line. */
  let lineCounted = false;
  let run = RUN_NONE;
  const ikis: number[] = [];
  const enterLat: number[] = [];
  const startLat: number[] = [];
  const digraphs = digraphTable;
  digraphs.clear();
  let digraphSamples = 0;
  let chainT = Number.NaN;
  let prevKind = -1;
  let prevCp = -1;
  let prevEcho = ECHO_UNVERIFIED;
  let prevRead = -1;
  let readKeys = 0;
  let readPrintables = 0;
  let multicharReads = 0;
  let multicharNoEnterKeys = 0;
  let readHasEnter = false;
  let wholeCommandEnters = 0;
  let corrections = 0;
  let pi = 0;
  const closeRead = (): void => {
    if (readKeys >= MULTICHAR_READ_MIN_KEYS) {
      multicharReads++;
      if (!readHasEnter) multicharNoEnterKeys += readKeys;
    }
  };
  const nKeys = kKind.n;
  for (let k = 0; k < nKeys; k++) {
    while (pi < pasteAt.n && pasteAt.a[pi]! <= k) {
      chainT = Number.NaN;
      prevKind = -1;
      pi++;
    }
    const kind = kKind.a[k]!;
    // Without any output nothing is verifiable (and not-echoed cannot be told from unverifiable).
    const echo = allUnverified && kind === KeyKind.PRINTABLE ? ECHO_UNVERIFIED : kEcho.a[k]!;
    let excluded: boolean;
    if (kind === KeyKind.PRINTABLE) {
      if (echo === ECHO_YES) {
        run = RUN_NONE;
        excluded = false;
      } else if (echo === ECHO_NO) {
        if (!lineCounted) {
          noechoLines++;
          lineCounted = true;
        }
        run = RUN_NOECHO;
        excluded = true;
      } else {
        if (run !== RUN_NOECHO) run = RUN_UNVERIFIED; // never ends a no-echo run
        excluded = true;
      }
    } else excluded = run !== RUN_NONE;
    if (kind === KeyKind.ENTER || kind === KeyKind.CTRL_C || kind === KeyKind.CTRL_D) {
      run = RUN_NONE; // the line ends (this key is still excluded if its run was)
      lineCounted = false;
    }
    if (allUnverified) excluded = true;
    if (excluded) {
      chainT = Number.NaN;
      prevKind = -1;
      continue;
    }
    total++;
    counts[kind]!++;
    if (kind === KeyKind.BACKSPACE || kind === KeyKind.CTRL_W || kind === KeyKind.CTRL_U) corrections++;
    const t = kT.a[k]!;
    const r = kRead.a[k]!;
    if (r !== prevRead) {
      if (prevRead >= 0) closeRead();
      readKeys = 0;
      readPrintables = 0;
      readHasEnter = false;
      const idle = rIdle.a[r]!;
      const lastOut = rLastOut.a[r]!;
      if (idle * MS_PER_S >= START_IDLE_MIN_MS && Number.isFinite(lastOut))
        startLat.push((t - lastOut) * MS_PER_S);
      if (Number.isFinite(chainT)) {
        const iki = (t - chainT) * MS_PER_S;
        ikis.push(iki);
        if (kind === KeyKind.ENTER && prevKind !== -1 && prevKind !== KeyKind.ENTER) enterLat.push(iki);
        if (
          kind === KeyKind.PRINTABLE &&
          echo === ECHO_YES &&
          prevKind === KeyKind.PRINTABLE &&
          prevEcho === ECHO_YES
        ) {
          digraphs.add(prevCp, kCp.a[k]!, iki);
          digraphSamples++;
        }
      }
      chainT = t;
      prevRead = r;
    }
    readKeys++;
    if (kind === KeyKind.PRINTABLE) readPrintables++;
    else if (kind === KeyKind.ENTER) {
      if (!readHasEnter && readPrintables >= 2) wholeCommandEnters++;
      readHasEnter = true;
    }
    prevKind = kind;
    prevCp = kCp.a[k]!;
    prevEcho = echo;
  }
  if (prevRead >= 0) closeRead();

  // IKI statistics.
  const nIki = ikis.length;
  const ikiSorted = sortedOf(ikis, SORT_IKIS);
  const ikiMean = nIki > 0 ? mean(ikis) : null;
  const ikiP50 = nIki > 0 ? quantileSorted(ikiSorted, 0.5) : null;
  const hist: PauseHist = { burst: 0, think: 0, distracted: 0 };
  for (const v of ikis) {
    if (v < PAUSE_BURST_MAX_MS) hist.burst++;
    else if (v < PAUSE_THINK_MAX_MS) hist.think++;
    else hist.distracted++;
  }
  let histRel: PauseHist | null = null;
  if (ikiP50 !== null) {
    histRel = { burst: 0, think: 0, distracted: 0 };
    const b = REL_BURST_MAX_X_MEDIAN * ikiP50;
    const th = REL_THINK_MAX_X_MEDIAN * ikiP50;
    for (const v of ikis) {
      if (v < b) histRel.burst++;
      else if (v < th) histRel.think++;
      else histRel.distracted++;
    }
  }
  const enterSorted = sortedOf(enterLat, SORT_ENTER);
  const lattice = detectTimingLattice(ikis);

  // Digraphs and SimHash (a sum over the digraphs: their order does not matter).
  let simhash: bigint | null = null;
  if (digraphs.size >= SIMHASH_MIN_DISTINCT_DIGRAPHS && digraphSamples >= SIMHASH_MIN_DIGRAPH_SAMPLES) {
    const tokens: WeightedToken[] = [];
    digraphs.forEach((a, b, acc) => {
      tokens.push({ token: digraphTokenOf(a, b, medianOf(acc.iats)), weight: acc.count });
    });
    simhash = simhash64(tokens);
  }
  const topDigraphs = rankDigraphs(digraphs, TOP_DIGRAPHS);

  const rate = (c: number): number | null => (total > 0 ? c / total : null);
  const timingSource: SessionProfile['kd_timing_source'] = hasInput
    ? allUnverified
      ? 'unverified'
      : 'input'
    : nKeys > 0
      ? 'echo'
      : 'none';

  const verdict = decideVerdict({
    ikis,
    total,
    pasteChars,
    pasteCount,
    multicharNoEnterKeys,
    enters: counts[KeyKind.ENTER]!,
    wholeCommandEnters,
    corrections,
    lattice,
    timingSource,
    bracketedPasteMode,
    unverifiedEcho: allUnverified,
  });

  return {
    schema_version: SESSION_PROFILE_SCHEMA_VERSION,
    duration_s: duration,
    kd_total_keystrokes: total,
    kd_iki_count: nIki,
    kd_iki_mean_ms: ikiMean,
    kd_iki_stdev_ms: ikiMean !== null && nIki >= 2 ? popStdev(ikis) : null,
    kd_iki_p50_ms: ikiP50,
    kd_iki_p95_ms: nIki > 0 ? quantileSorted(ikiSorted, 0.95) : null,
    kd_enter_latency_p50_ms: enterSorted.length > 0 ? quantileSorted(enterSorted, 0.5) : null,
    kd_enter_latency_p95_ms: enterSorted.length > 0 ? quantileSorted(enterSorted, 0.95) : null,
    kd_burst_ratio: nIki > 0 ? hist.burst / nIki : null,
    kd_think_ratio: nIki > 0 ? hist.think / nIki : null,
    kd_backspace_rate: rate(counts[KeyKind.BACKSPACE]!),
    kd_ctrl_w_rate: rate(counts[KeyKind.CTRL_W]!),
    kd_ctrl_u_rate: rate(counts[KeyKind.CTRL_U]!),
    kd_ctrl_c_rate: rate(counts[KeyKind.CTRL_C]!),
    kd_ctrl_d_rate: rate(counts[KeyKind.CTRL_D]!),
    kd_arrow_rate: rate(counts[KeyKind.ARROW]!),
    kd_tab_rate: rate(counts[KeyKind.TAB]!),
    kd_digraph_simhash: simhash,
    kd_top_digraphs: topDigraphs,
    kd_start_latency_ms: startLat.length > 0 ? quantileSorted(sortedOf(startLat), 0.5) : null,
    kd_pause_hist: hist,
    kd_pause_hist_rel: histRel,
    kd_max_pause_s: nIki > 0 ? ikiSorted[nIki - 1]! / MS_PER_S : null,
    kd_paste_count: pasteCount,
    kd_paste_chars: pasteChars,
    kd_multichar_reads: multicharReads,
    kd_timing_obfuscated: lattice.obfuscated,
    kd_timing_grid_ms: lattice.gridMs,
    kd_timing_source: timingSource,
    kd_noecho_lines: noechoLines,
    verdict: verdict.verdict,
    verdict_evidence: verdict.evidence,
  };
}

interface VerdictInput {
  ikis: number[];
  total: number;
  pasteChars: number;
  pasteCount: number;
  multicharNoEnterKeys: number;
  enters: number;
  wholeCommandEnters: number;
  corrections: number;
  lattice: LatticeResult;
  timingSource: SessionProfile['kd_timing_source'];
  bracketedPasteMode: boolean;
  unverifiedEcho: boolean;
}

/** Rule order: bracketed-paste share → whole-command writes → unbracketed multi-char share →
 *  burst-IKI timing (superhuman median, constant delay, CV), with the timing rules disabled when
 *  the timing lattice is detected (fine timing is then the client's grid, not the typist). */
function decideVerdict(v: VerdictInput): { verdict: SessionVerdict; evidence: VerdictEvidence[] } {
  const ev: VerdictEvidence[] = [];
  const inputChars = v.total + v.pasteChars;
  if (v.timingSource === 'echo') ev.push({ signal: 'echo_derived_timing', value: true, supports: null });
  if (v.unverifiedEcho) ev.push({ signal: 'no_output_echo_unverifiable', value: true, supports: null });
  if (v.bracketedPasteMode) ev.push({ signal: 'bracketed_paste_mode', value: true, supports: null });
  if (inputChars === 0) {
    ev.push({ signal: 'no_input', value: 0, supports: null });
    return { verdict: 'unknown', evidence: ev };
  }
  const pasteShare = v.pasteChars / inputChars;
  if (v.pasteCount > 0) ev.push({ signal: 'paste_share', value: round4(pasteShare), supports: 'pasted' });
  if (pasteShare >= PASTE_SHARE_MIN) return { verdict: 'pasted', evidence: ev };
  if (v.enters > 0 && v.wholeCommandEnters > 0) {
    const share = v.wholeCommandEnters / v.enters;
    ev.push({ signal: 'whole_command_write_share', value: round4(share), supports: 'scripted' });
    if (share >= WHOLE_COMMAND_SHARE_MIN) return { verdict: 'scripted', evidence: ev };
  }
  const multiShare = v.multicharNoEnterKeys / inputChars;
  if (v.multicharNoEnterKeys > 0) {
    ev.push({ signal: 'multichar_read_share', value: round4(multiShare), supports: 'pasted' });
    if (multiShare >= PASTE_SHARE_MIN) return { verdict: 'pasted', evidence: ev };
  }
  if (v.corrections > 0) ev.push({ signal: 'corrections', value: v.corrections, supports: 'human' });
  const burst = v.ikis.filter((x) => x < PAUSE_THINK_MAX_MS);
  if (burst.length < VERDICT_MIN_BURST_IKIS) {
    ev.push({ signal: 'too_few_burst_ikis', value: burst.length, supports: null });
    return { verdict: 'unknown', evidence: ev };
  }
  const bm = mean(burst);
  const cv = bm > 0 ? popStdev(burst) / bm : 0;
  const median = quantileSorted(sortedOf(burst), 0.5);
  let nearMedian = 0;
  for (const x of burst) if (Math.abs(x - median) <= CONSTANT_DELAY_TOLERANCE_MS) nearMedian++;
  const constantShare = nearMedian / burst.length;
  const cvEv: VerdictEvidence = { signal: 'burst_iki_cv', value: round4(cv), supports: null };
  const medianEv: VerdictEvidence = { signal: 'burst_iki_median_ms', value: round4(median), supports: null };
  ev.push(cvEv, medianEv);
  if (v.lattice.obfuscated === true) {
    ev.push({ signal: 'timing_lattice_ms', value: v.lattice.gridMs, supports: null });
    ev.push({ signal: 'fine_timing_untrusted', value: true, supports: null });
    if (v.corrections > 0 && cv >= HUMAN_MIN_BURST_CV) {
      cvEv.supports = 'human';
      return { verdict: 'human', evidence: ev };
    }
    return { verdict: 'unknown', evidence: ev };
  }
  if (median < SCRIPTED_MAX_MEDIAN_IKI_MS) {
    medianEv.supports = 'scripted';
    return { verdict: 'scripted', evidence: ev };
  }
  if (constantShare >= CONSTANT_DELAY_MIN_SHARE) {
    ev.push({ signal: 'constant_delay_share', value: round4(constantShare), supports: 'scripted' });
    return { verdict: 'scripted', evidence: ev };
  }
  if (cv < SCRIPTED_MAX_BURST_CV) {
    cvEv.supports = 'scripted';
    return { verdict: 'scripted', evidence: ev };
  }
  if (cv >= HUMAN_MIN_BURST_CV) {
    cvEv.supports = 'human';
    return { verdict: 'human', evidence: ev };
  }
  return { verdict: 'unknown', evidence: ev };
}
