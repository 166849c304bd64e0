// Terminal session recordings: asciicast v2, asciicast v3 and DECNET "sessrec" day-shards
// (docs: behavior.md §4.2, decnet-reference.md §4.6). The format is detected from the content,
// never from the file name. Parsing is total: hostile input yields `{ ok: false }` or skipped,
// counted lines, never an exception.
//
// Times: every event time is converted to seconds since the start of its session and rounded to
// 1 µs (the precision asciinema writes). Rounding makes the three formats of one session give
// bit-identical times: v3 intervals are accumulated in integer microseconds, and absolute epoch
// times of shards (whose doubles carry ~0.24 µs of error at 1.7e9) are recovered exactly.
//
// Database safety (the Recording's fields go to PostgreSQL text / inet / timestamptz columns):
// * metadata strings (sid, honeypot, service) have U+0000 removed and lone surrogates replaced by
//   U+FFFD (text and jsonb reject both), and are capped at MAX_META_CHARS;
// * attackerIp is the canonical text of src/enrich/addresses.ts parseAddress (IPv4-mapped IPv6
//   becomes IPv4, zone ids such as `%eth0`, which inet rejects, are dropped);
// * startedAt is kept only when 0 ≤ startedAt and startedAt + (last event time) ≤ MAX_TIMESTAMP_S
//   (9999-12-31T23:59:59Z); otherwise it is null (anomaly `bad_timestamp`). A shard header
//   timestamp written in milliseconds (≈ 1.7e12) is therefore out of range and null: it is not
//   guessed to be milliseconds (the first event time is then the origin, as without a header
//   timestamp);
// * events later than MAX_EVENT_TIME_S (10 years) after the start are dropped (anomaly
//   `time_out_of_range`), so durations stay small enough for any date arithmetic.

import { parseAddress } from '../enrich/addresses.js';

/** Longest line accepted, in UTF-16 code units; longer lines are skipped (anomaly `line_too_long`). */
export const MAX_LINE_CHARS = 1 << 20;
/** Most events kept per session; later ones are dropped (anomaly `events_capped`). */
export const MAX_EVENTS_PER_SESSION = 1_000_000;
/** Most sessions kept from one DECNET shard; events of later sids are dropped (`sessions_capped`). */
export const MAX_SESSIONS_PER_FILE = 100_000;
/** Shard times at or above this many seconds are read as absolute Unix epoch times (≥ 2001-09-09);
 *  smaller ones as seconds since the session start. */
export const EPOCH_MIN_S = 1e9;
/** A shard header timestamp is used as the time origin only if the first event follows it within
 *  this many seconds (otherwise the first event time is the origin). */
const HEADER_ORIGIN_MAX_LEAD_S = 86_400;
/** Time quantum of the normalised event times: 1 µs. */
const US_PER_S = 1e6;
/** Longest metadata string kept (IPs, honeypot and service names, sids). */
const MAX_META_CHARS = 256;
/** Largest startedAt (and startedAt + duration) kept: 9999-12-31T23:59:59Z, Unix seconds. */
export const MAX_TIMESTAMP_S = 253_402_300_799;
/** Events more than this many seconds (10 × 365 days) after the session start are dropped
 *  (anomaly `time_out_of_range`). */
export const MAX_EVENT_TIME_S = 315_360_000;
const MAX_EVENT_US = MAX_EVENT_TIME_S * US_PER_S;

/** One recorded event. */
export interface RecordingEvent {
  /** Seconds since the start of the session (monotonic, rounded to 1 µs). */
  t: number;
  /** Event code: "o" output, "i" input, "m" marker, "r" resize, "x" exit (v3). */
  code: string;
  /** Event payload (terminal text for "o"/"i"; "COLSxROWS" for "r"; the exit status for "x"). */
  data: string;
}

export type RecordingFormat = 'asciicast-v2' | 'asciicast-v3' | 'decnet-shard';

/** One terminal session. */
export interface Recording {
  /** Session id (DECNET `sid`, a header `sid`/`session_id`, or the id part of the file name). */
  sid: string | null;
  format: RecordingFormat;
  /** Start of the session, Unix seconds (header `timestamp`, or the first absolute shard time). */
  startedAt: number | null;
  /** Terminal size in character cells, when the header gives it. */
  cols: number | null;
  rows: number | null;
  /** Attacker address: canonical text of parseAddress (src/enrich/addresses.ts), from metadata or
   *  the file name. */
  attackerIp: string | null;
  /** Honeypot / decky name, from metadata or the file name. */
  honeypot: string | null;
  /** Service name (e.g. "ssh"), from metadata or the file name. */
  service: string | null;
  /** Events in time order. */
  events: RecordingEvent[];
}

export type RecordingsResult =
  | {
      ok: true;
      sessions: Recording[];
      /** Non-empty, non-comment lines that produced no event (bad JSON, bad shape, capped…). */
      skippedLines: number;
      /** Counts by anomaly name: bad_json, bad_event, non_finite_time, negative_time,
       *  non_monotonic_time, time_out_of_range, bad_timestamp, unknown_code, line_too_long,
       *  events_capped, sessions_capped, shard_event_without_header, duplicate_header. */
      anomalies: Record<string, number>;
    }
  | { ok: false; error: string };

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Codes accepted in asciicast events. */
const EVENT_CODES = new Set(['o', 'i', 'm', 'r', 'x']);

/** Header keys (in the header, its `env`, or a DECNET `hdr`) naming the attacker address. */
const IP_KEYS = [
  'attacker_ip',
  'src_ip',
  'remote_ip',
  'peer',
  'client_ip',
  'source_ip',
  'remote_addr',
  'peer_ip',
];
/** Environment variables holding "client-ip client-port ..." (OpenSSH). */
const SSH_ENV_KEYS = ['SSH_CLIENT', 'SSH_CONNECTION'];
const HONEYPOT_KEYS = ['honeypot', 'decky', 'decky_id', 'decky_name', 'hostname', 'host'];
const SERVICE_KEYS = ['service', 'service_name'];
const SID_KEYS = ['sid', 'session_id', 'session'];
const TIMESTAMP_KEYS = ['timestamp', 'ts', 'started_at', 'start'];
/** A name-like token accepted from file names (honeypot, service). */
const NAME_TOKEN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;
const RECORDING_EXT = /\.(?:cast|jsonl|ndjson|json|log|txt)$/i;

/** Returns the canonical IP (parseAddress text) from "1.2.3.4", "1.2.3.4:22", "[2001:db8::1]:22",
 *  "2001:db8::1", "fe80::1%eth0", "::ffff:1.2.3.4" (→ "1.2.3.4"), or null. */
export function parseIpLike(value: Json): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_META_CHARS) return null;
  let s = value.trim();
  const direct = parseAddress(s);
  if (direct !== null) return direct.text;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close > 0) s = s.slice(1, close);
    const a = parseAddress(s);
    return a !== null && s.includes(':') ? a.text : null; // an IPv6 literal (IPv4-mapped → IPv4)
  }
  const colon = s.lastIndexOf(':');
  if (colon > 0 && s.indexOf(':') === colon) {
    const a = parseAddress(s.slice(0, colon));
    if (a !== null && a.version === 4) return a.text;
  }
  return null;
}

/** Removes U+0000 and replaces lone surrogates by U+FFFD (PostgreSQL text/jsonb reject both). */
export function sanitizeText(s: string): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0 && (c < 0xd800 || c > 0xdfff)) continue;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a valid pair
        continue;
      }
    }
    out += s.slice(from, i) + (c === 0 ? '' : '\ufffd');
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

function metaString(value: Json): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length > 4 * MAX_META_CHARS) return null;
  const s = sanitizeText(value).trim();
  return s.length > 0 && s.length <= MAX_META_CHARS ? s : null;
}

/** A startedAt usable as a timestamptz: finite, ≥ 0, and start + duration ≤ MAX_TIMESTAMP_S. */
function validStart(startedAt: number | null, durationS: number): boolean {
  return (
    startedAt !== null &&
    Number.isFinite(startedAt) &&
    startedAt >= 0 &&
    startedAt <= MAX_TIMESTAMP_S &&
    startedAt + durationS <= MAX_TIMESTAMP_S
  );
}

/** Sets rec.startedAt to `startedAt` if valid for the session's events, else null (`bad_timestamp`). */
function setStart(rec: Recording, startedAt: number | null, an: Anomalies): void {
  const last = rec.events.length > 0 ? rec.events[rec.events.length - 1]!.t : 0;
  if (startedAt === null) rec.startedAt = null;
  else if (validStart(startedAt, last)) rec.startedAt = startedAt;
  else {
    rec.startedAt = null;
    an.add('bad_timestamp');
  }
}

function firstString(objs: JsonObject[], keys: string[]): string | null {
  for (const o of objs)
    for (const k of keys) {
      const v = metaString(o[k]);
      if (v !== null) return v;
    }
  return null;
}

function firstIp(objs: JsonObject[]): string | null {
  for (const o of objs) {
    for (const k of IP_KEYS) {
      const ip = parseIpLike(o[k]);
      if (ip !== null) return ip;
    }
    for (const k of SSH_ENV_KEYS) {
      const v = o[k];
      if (typeof v === 'string') {
        const ip = parseIpLike(v.trim().split(/\s+/)[0] ?? '');
        if (ip !== null) return ip;
      }
    }
  }
  return null;
}

function finiteNumber(v: Json): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function cellCount(v: Json): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000 ? v : null;
}

/** Metadata objects searched, in priority order: the header itself, a nested `hdr`, then `env`s. */
function metaObjects(header: JsonObject): JsonObject[] {
  const out: JsonObject[] = [header];
  const hdr = header.hdr;
  if (isObject(hdr)) out.push(hdr);
  if (isObject(header.env)) out.push(header.env);
  if (isObject(hdr) && isObject(hdr.env)) out.push(hdr.env);
  return out;
}

/** Facts taken from a file name: `IP_HONEYPOT_SERVICE_ID.cast`, or a DECNET path
 *  `{decky}/{service}/{basename}` (the latter only for shards). */
interface FileNameMeta {
  ip: string | null;
  honeypot: string | null;
  service: string | null;
  sid: string | null;
  pathHoneypot: string | null;
  pathService: string | null;
}

function fileNameMeta(fileName: string | undefined): FileNameMeta {
  const m: FileNameMeta = {
    ip: null,
    honeypot: null,
    service: null,
    sid: null,
    pathHoneypot: null,
    pathService: null,
  };
  if (typeof fileName !== 'string' || fileName.length === 0 || fileName.length > 4096) return m;
  const segments = fileName.split(/[\\/]/).filter((s) => s.length > 0);
  const base = (segments[segments.length - 1] ?? '').replace(RECORDING_EXT, '');
  const parts = base.split('_');
  const ip = parseIpLike(parts[0] ?? '');
  if (ip !== null) {
    m.ip = ip;
    if (parts[1] !== undefined && NAME_TOKEN.test(parts[1])) m.honeypot = parts[1];
    if (parts[2] !== undefined && NAME_TOKEN.test(parts[2])) m.service = parts[2];
    const sid = sanitizeText(parts.slice(3).join('_'));
    if (sid.length > 0 && sid.length <= MAX_META_CHARS) m.sid = sid;
  }
  if (segments.length >= 3) {
    const decky = segments[segments.length - 3]!;
    const service = segments[segments.length - 2]!;
    if (NAME_TOKEN.test(decky) && NAME_TOKEN.test(service)) {
      m.pathHoneypot = decky;
      m.pathService = service;
    }
  }
  return m;
}

class Anomalies {
  readonly counts: Record<string, number> = {};
  skipped = 0;
  add(name: string): void {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }
  skip(name: string): void {
    this.skipped++;
    this.add(name);
  }
}

/** Accumulates one session's events with clamping and the event cap. */
class SessionBuilder {
  readonly events: RecordingEvent[] = [];
  /** Last event time, µs since start. */
  lastUs = 0;
  constructor(readonly rec: Recording) {}

  /** Appends an event at `us` microseconds since start (clamped to be monotonic). Returns false
   *  when the time is more than MAX_EVENT_TIME_S after the start (event dropped). */
  push(us: number, code: string, data: string, an: Anomalies): boolean {
    if (!(us <= MAX_EVENT_US)) {
      an.skip('time_out_of_range');
      return false;
    }
    if (this.events.length >= MAX_EVENTS_PER_SESSION) {
      an.skip('events_capped');
      return true;
    }
    if (us < 0) {
      an.add('negative_time');
      us = 0;
    }
    if (us < this.lastUs) {
      an.add('non_monotonic_time');
      us = this.lastUs;
    }
    this.lastUs = us;
    this.events.push({ t: us / US_PER_S, code, data });
    return true;
  }
}

/** Calls fn(start, end) for each line (without '\n' and a trailing '\r'). */
function forEachLineRange(text: string, fn: (start: number, end: number) => void): void {
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    fn(pos, end);
    pos = nl + 1;
  }
}

/** True if text[start, end) is blank (spaces, tabs). */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

function firstNonBlank(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return c;
  }
  return -1;
}

/** Powers of ten exactly representable as doubles (10^0 … 10^22). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Output of scanEventLine. */
export interface ScannedEvent {
  time: number;
  code: string;
  data: string;
}

/** Skips JSON whitespace (space, tab, CR; a line holds no LF) from `i`; returns the next index. */
function skipWs(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) break;
    i++;
  }
  return i;
}

/** Scans a JSON string literal whose opening quote is at `i`: the index after the closing quote,
 *  or -1 (unterminated, a raw control character). `escaped` is set when it holds a backslash. */
function scanString(text: string, i: number, end: number, flags: { escaped: boolean }): number {
  flags.escaped = false;
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) {
      flags.escaped = true;
      j++;
    } else if (c < 0x20) return -1;
  }
  return -1;
}

const stringFlags = { escaped: false };

/** The value of the string literal text[from, to), quotes included. */
function stringValue(text: string, from: number, to: number, escaped: boolean): string | null {
  if (!escaped) return text.slice(from + 1, to - 1);
  const p = tryParse(text.slice(from, to));
  return p.ok && typeof p.value === 'string' ? p.value : null;
}

/**
 * The common asciicast event line, `[TIME, "CODE", "DATA"]`, read without building a JSON array
 * (JSON.parse of the events was the largest cost of ingesting a session). Returns false for any
 * other line, which the caller then gives to JSON.parse: the fast path only ever takes lines whose
 * JSON.parse result it reproduces exactly. TIME must be a plain decimal of at most 15 digits, so
 * that digits / 10^fraction-digits (both exact doubles, one correctly rounded division) is the
 * double JSON.parse would give.
 */
export function scanEventLine(text: string, start: number, end: number, out: ScannedEvent): boolean {
  let i = skipWs(text, start, end);
  if (text.charCodeAt(i) !== 91) return false; // [
  i = skipWs(text, i + 1, end);
  // TIME
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  const intStart = i;
  let mantissa = 0;
  while (i < end) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    mantissa = mantissa * 10 + c;
    i++;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || (intDigits > 1 && text.charCodeAt(intStart) === 48)) return false;
  let fracDigits = 0;
  if (text.charCodeAt(i) === 46) {
    i++;
    while (i < end) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      mantissa = mantissa * 10 + c;
      fracDigits++;
      i++;
    }
    if (fracDigits === 0) return false;
  }
  if (intDigits + fracDigits > 15) return false;
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) return false; // an exponent: JSON.parse
  const magnitude = fracDigits === 0 ? mantissa : mantissa / EXACT_POW10[fracDigits]!;
  i = skipWs(text, i, end);
  if (text.charCodeAt(i) !== 44) return false; // ,
  // CODE
  i = skipWs(text, i + 1, end);
  if (text.charCodeAt(i) !== 34) return false;
  const codeFrom = i;
  i = scanString(text, i, end, stringFlags);
  if (i < 0) return false;
  const code = stringValue(text, codeFrom, i, stringFlags.escaped);
  i = skipWs(text, i, end);
  if (code === null || text.charCodeAt(i) !== 44) return false;
  // DATA
  i = skipWs(text, i + 1, end);
  if (text.charCodeAt(i) !== 34) return false;
  const dataFrom = i;
  i = scanString(text, i, end, stringFlags);
  if (i < 0) return false;
  const dataTo = i;
  const escaped = stringFlags.escaped;
  i = skipWs(text, i, end);
  if (text.charCodeAt(i) !== 93) return false; // ] (a fourth element: JSON.parse)
  if (skipWs(text, i + 1, end) !== end) return false;
  const data = stringValue(text, dataFrom, dataTo, escaped);
  if (data === null) return false;
  out.time = negative ? -magnitude : magnitude;
  out.code = code;
  out.data = data;
  return true;
}

function tryParse(s: string): { ok: true; value: Json } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(s) as Json };
  } catch {
    return { ok: false };
  }
}

const HASH = 35; // '#'

/**
 * Parses an asciicast v2, asciicast v3 or DECNET session-shard text into sessions (one per sid for
 * shards). `fileName` (optional, may be a path) supplies attacker IP / honeypot / service when the
 * metadata does not. Never throws.
 */
export function parseRecordings(text: string, fileName?: string): RecordingsResult {
  try {
    return parseUnsafe(typeof text === 'string' ? text : '', fileName);
  } catch (err) {
    // Defensive: the parser is written not to throw; this keeps the contract if it ever does.
    return { ok: false, error: `internal parser error: ${(err as Error)?.message ?? String(err)}` };
  }
}

function parseUnsafe(text: string, fileName: string | undefined): RecordingsResult {
  // Locate the header: the first line that is neither blank nor a '#' comment.
  let headerStart = -1;
  let headerEnd = -1;
  let bodyStart = text.length;
  {
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = n;
      const c = firstNonBlank(text, pos, nl);
      if (c !== -1 && c !== HASH) {
        headerStart = pos;
        headerEnd = nl;
        bodyStart = nl + 1;
        break;
      }
      pos = nl + 1;
    }
  }
  const prefix = 'not an asciicast v2/v3 or DECNET session shard: ';
  if (headerStart < 0) return { ok: false, error: `${prefix}empty input` };
  if (headerEnd - headerStart > MAX_LINE_CHARS)
    return { ok: false, error: `${prefix}first line is longer than ${MAX_LINE_CHARS} characters` };
  const parsed = tryParse(text.slice(headerStart, headerEnd));
  if (!parsed.ok || !isObject(parsed.value))
    return { ok: false, error: `${prefix}first line is not a JSON header object` };
  const header = parsed.value;
  const fm = fileNameMeta(fileName);
  const body = text.slice(bodyStart);
  if (header.version === 2 || header.version === 3) {
    return parseAsciicast(header, header.version, body, fm);
  }
  if (typeof header.sid === 'string' || typeof header.sid === 'number') {
    if (isObject(header.hdr) || typeof header.ch === 'string') return parseShard(text, fm);
  }
  if (header.version === 1)
    return { ok: false, error: `${prefix}asciicast v1 (single JSON document) is not supported` };
  if (header.version !== undefined)
    return { ok: false, error: `${prefix}unsupported header version ${JSON.stringify(header.version)}` };
  return { ok: false, error: `${prefix}header has neither "version" nor a DECNET "sid"/"hdr"` };
}

function applyMeta(rec: Recording, objs: JsonObject[], fm: FileNameMeta, shard: boolean): void {
  rec.attackerIp = firstIp(objs) ?? fm.ip;
  rec.honeypot = firstString(objs, HONEYPOT_KEYS) ?? fm.honeypot ?? (shard ? fm.pathHoneypot : null);
  rec.service = firstString(objs, SERVICE_KEYS) ?? fm.service ?? (shard ? fm.pathService : null);
}

function parseAsciicast(
  header: JsonObject,
  version: 2 | 3,
  body: string,
  fm: FileNameMeta,
): RecordingsResult {
  const an = new Anomalies();
  const term = isObject(header.term) ? header.term : null;
  const rec: Recording = {
    sid: firstString([header], SID_KEYS) ?? fm.sid,
    format: version === 2 ? 'asciicast-v2' : 'asciicast-v3',
    startedAt: null,
    cols: cellCount(version === 2 ? header.width : term?.cols),
    rows: cellCount(version === 2 ? header.height : term?.rows),
    attackerIp: null,
    honeypot: null,
    service: null,
    events: [],
  };
  applyMeta(rec, metaObjects(header), fm, false);
  const b = new SessionBuilder(rec);
  let accUs = 0; // v3: accumulated intervals, integer µs
  const onEvent = (time: Json, code: Json, data: Json) => {
    if (typeof time !== 'number' || typeof code !== 'string') return an.skip('bad_event');
    if (!Number.isFinite(time)) return an.skip('non_finite_time');
    if (!EVENT_CODES.has(code)) return an.skip('unknown_code');
    if (code === 'x' && typeof data === 'number') data = String(data);
    if (typeof data !== 'string') return an.skip('bad_event');
    let us: number;
    if (version === 2) {
      us = Math.round(time * US_PER_S);
    } else {
      let step = Math.round(time * US_PER_S);
      if (step < 0) {
        an.add('negative_time');
        step = 0;
      }
      us = accUs + step;
    }
    if (!Number.isFinite(us)) return an.skip('non_finite_time');
    if (b.push(us, code, data, an)) accUs = us;
  };
  const ev: ScannedEvent = { time: 0, code: '', data: '' };
  forEachLineRange(body, (start, end) => {
    if (end - start > MAX_LINE_CHARS) return an.skip('line_too_long');
    if (scanEventLine(body, start, end, ev)) return onEvent(ev.time, ev.code, ev.data);
    const c = firstNonBlank(body, start, end);
    if (c === -1) return; // blank line
    if (c === HASH && version === 3) return; // v3 comment
    const p = tryParse(body.slice(start, end));
    if (!p.ok) return an.skip('bad_json');
    const v = p.value;
    if (!Array.isArray(v) || v.length < 3) return an.skip('bad_event');
    onEvent(v[0], v[1], v[2]);
  });
  rec.events = b.events;
  setStart(rec, finiteNumber(header.timestamp), an);
  return { ok: true, sessions: [rec], skippedLines: an.skipped, anomalies: an.counts };
}

interface ShardSession {
  b: SessionBuilder;
  header: JsonObject | null;
  /** Time origin in seconds (0 for relative times); NaN until the first event. */
  originS: number;
  startedAt: number | null;
}

/** The first finite header timestamp, or null; one outside [0, MAX_TIMESTAMP_S] (e.g. in
 *  milliseconds) is null and counted as `bad_timestamp`. */
function shardHeaderTimestamp(hdr: JsonObject, an: Anomalies): number | null {
  for (const k of TIMESTAMP_KEYS) {
    const v = finiteNumber(hdr[k]);
    if (v === null) continue;
    if (v >= 0 && v <= MAX_TIMESTAMP_S) return v;
    an.add('bad_timestamp');
    return null;
  }
  return null;
}

function parseShard(text: string, fm: FileNameMeta): RecordingsResult {
  const an = new Anomalies();
  const sessions = new Map<string, ShardSession>();

  const getSession = (sid: string): ShardSession | null => {
    let s = sessions.get(sid);
    if (s !== undefined) return s;
    if (sessions.size >= MAX_SESSIONS_PER_FILE) return null;
    const rec: Recording = {
      sid,
      format: 'decnet-shard',
      startedAt: null,
      cols: null,
      rows: null,
      attackerIp: null,
      honeypot: null,
      service: null,
      events: [],
    };
    applyMeta(rec, [], fm, true);
    s = { b: new SessionBuilder(rec), header: null, originS: Number.NaN, startedAt: null };
    sessions.set(sid, s);
    return s;
  };

  forEachLineRange(text, (start, end) => {
    if (end - start > MAX_LINE_CHARS) return an.skip('line_too_long');
    if (isBlank(text, start, end)) return;
    const p = tryParse(text.slice(start, end));
    if (!p.ok) return an.skip('bad_json');
    const line = p.value;
    if (!isObject(line)) return an.skip('bad_event');
    const sidRaw = line.sid;
    const sidStr = typeof sidRaw === 'number' && Number.isFinite(sidRaw) ? String(sidRaw) : sidRaw;
    if (typeof sidStr !== 'string' || sidStr.length > MAX_META_CHARS) return an.skip('bad_event');
    const sid = sanitizeText(sidStr); // sessions whose sids differ only in NUL / lone surrogates merge
    if (sid.length === 0) return an.skip('bad_event');
    if (isObject(line.hdr)) {
      const s = getSession(sid);
      if (s === null) return an.skip('sessions_capped');
      if (s.header !== null) an.add('duplicate_header');
      const hdr = line.hdr;
      s.header = hdr;
      const rec = s.b.rec;
      const term = isObject(hdr.term) ? hdr.term : null;
      rec.cols = cellCount(hdr.width ?? hdr.cols ?? term?.cols);
      rec.rows = cellCount(hdr.height ?? hdr.rows ?? term?.rows);
      applyMeta(rec, metaObjects(line), fm, true);
      if (Number.isNaN(s.originS)) s.startedAt = shardHeaderTimestamp(hdr, an);
      return;
    }
    const t = line.t;
    const ch = line.ch;
    const d = line.d === undefined ? '' : line.d;
    if (typeof t !== 'number' || typeof ch !== 'string' || typeof d !== 'string') return an.skip('bad_event');
    if (!Number.isFinite(t)) return an.skip('non_finite_time');
    if (!EVENT_CODES.has(ch)) return an.skip('unknown_code');
    const s = getSession(sid);
    if (s === null) return an.skip('sessions_capped');
    if (Number.isNaN(s.originS)) {
      if (s.header === null) an.add('shard_event_without_header');
      if (t >= EPOCH_MIN_S) {
        const h = s.startedAt;
        s.originS = h !== null && h >= EPOCH_MIN_S && h <= t && t - h <= HEADER_ORIGIN_MAX_LEAD_S ? h : t;
        s.startedAt = s.originS;
      } else {
        s.originS = 0;
      }
    }
    const us = Math.round((t - s.originS) * US_PER_S);
    if (!Number.isFinite(us)) return an.skip('non_finite_time');
    s.b.push(us, ch, d, an);
  });
  const out: Recording[] = [];
  for (const s of sessions.values()) {
    s.b.rec.events = s.b.events;
    setStart(s.b.rec, s.startedAt, an);
    out.push(s.b.rec);
  }
  return { ok: true, sessions: out, skippedLines: an.skipped, anomalies: an.counts };
}
