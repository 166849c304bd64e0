// The text of a snapshot's jsonb columns, written once per snapshot (thousands a second when a busy
// segment keeps the profiler evicting). Rules, as docs/schema.md states them for these columns:
//  - times in seconds under keys ending in `_ts`, and `first_seen` / `last_seen`, become ISO-8601
//    UTC strings (a non-finite time is null, as JSON.stringify writes it);
//  - `folded_gaps` (up to 512 numbers per timing key) is left out;
//  - NUL, which PostgreSQL's jsonb refuses, becomes U+FFFD.
// JSON.stringify with a replacer function calls it for every value and runs several times slower
// than without one, so the text is made by the native serialiser and then rewritten. In
// JSON.stringify's output an unescaped `"` right after `{` or `,` always opens a member's key (inside
// a string every `"` is escaped), so the rewrites, anchored there, cannot reach inside string values.
// Keys holding `"` or `\` are not rewritten; the snapshot's keys are the profiler's identifiers.

/** `"…_ts":N`, `"first_seen":N`, `"last_seen":N` at the start of a member, N a JSON number. */
const TIME_MEMBER = /([{,])"([^"\\]*_ts|first_seen|last_seen)":(-?\d[\d.eE+-]*)/g;
/** A `folded_gaps` member holding a flat list of numbers (null for a non-finite one), a number or
 *  null, with the comma before it (or after it, when it opens its object). */
const FOLDED_GAPS = /([{,])"folded_gaps":(?:\[[^\]\["{]*\]|null|-?\d[\d.eE+-]*)(,?)/g;
/** The escape JSON.stringify writes for NUL, when its backslash is not itself escaped. */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** Milliseconds in a day, and the last day formatted (`YYYY-MM-DDT`). */
const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** Seconds since the epoch as Date#toISOString writes them (milliseconds, truncated as the Date
 *  constructor truncates). The date part is formatted once per day. Throws RangeError beyond the
 *  Date range, as toISOString does. */
export function isoFromSeconds(s: number): string {
  const ms = Math.trunc(s * 1000);
  if (!(Math.abs(ms) <= 8.64e15)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const full = new Date(day * DAY_MS).toISOString();
    cachedDayPrefix = full.slice(0, full.indexOf('T') + 1);
    cachedDay = day;
  }
  let rem = ms - day * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const m = Math.floor(rem / 60_000);
  rem -= m * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  return `${cachedDayPrefix}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** The jsonb text of one snapshot column (see the file comment). */
export function snapshotJson(v: unknown): string {
  let text = JSON.stringify(v);
  if (text.includes('_ts":') || text.includes('_seen":'))
    text = text.replace(
      TIME_MEMBER,
      (_m, before: string, key: string, n: string) => `${before}"${key}":"${isoFromSeconds(Number(n))}"`,
    );
  if (text.includes('"folded_gaps":'))
    text = text.replace(FOLDED_GAPS, (_m, before: string, after: string) => (before === '{' ? '{' : after));
  if (text.includes('\\u0000')) text = text.replace(NUL_ESCAPE, '$1\\ufffd');
  return text;
}
