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

import { isoFromSeconds } from '../util/time.js';

/** `"…_ts":N`, `"first_seen":N`, `"last_seen":N` at the start of a member, N a JSON number. */
const TIME_MEMBER = /([{,])"([^"\\]*_ts|first_seen|last_seen)":(-?\d[\d.eE+-]*)/g;
/** A `folded_gaps` member holding a flat list of numbers (null for a non-finite one), a number or
 *  null, with the comma before it (or after it, when it opens its object). */
const FOLDED_GAPS = /([{,])"folded_gaps":(?:\[[^\]["{]*\]|null|-?\d[\d.eE+-]*)(,?)/g;
/** The escape JSON.stringify writes for NUL, when its backslash is not itself escaped. */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

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
