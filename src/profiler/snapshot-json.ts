// The text of a snapshot's jsonb columns, written once per snapshot (thousands a second when a busy
// segment keeps the profiler evicting). Rules, as docs/schema.md states them for these columns:
//  - times in seconds under keys ending in `_ts`, and `first_seen` / `last_seen`, become ISO-8601
//    UTC strings (a non-finite time is null, as JSON.stringify writes it);
//  - `folded_gaps` (up to 512 numbers per timing key) is left out;
//  - NUL, which PostgreSQL's jsonb refuses, becomes U+FFFD.
// JSON.stringify with a replacer function calls it for every value and runs several times slower
// than without one, so the text is made by the native serialiser and then rewritten: in JSON text
// an unescaped `"` always delimits a string, so `"<key>":<number>` can only be a member whose key is
// <key>, and the rewrites cannot reach inside string values.

/** `"…_ts":N`, `"first_seen":N`, `"last_seen":N` with N a JSON number. The snapshot's keys are the
 *  profiler's own identifiers (word characters); input text only ever appears as values. */
const TIME_MEMBER = /"(\w*_ts|first_seen|last_seen)":(-?\d[\d.eE+-]*)/g;
/** A `folded_gaps` member (an array of numbers, or null in place of a non-finite one) with one of
 *  its separating commas. */
const FOLDED_GAPS = /,"folded_gaps":\[[^\]"{]*\]|"folded_gaps":\[[^\]"{]*\],?/g;
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
      (_m, key: string, n: string) => `"${key}":"${isoFromSeconds(Number(n))}"`,
    );
  if (text.includes('"folded_gaps":')) text = text.replace(FOLDED_GAPS, '');
  if (text.includes('\\u0000')) text = text.replace(NUL_ESCAPE, '$1\\ufffd');
  return text;
}
