import { MAX_HEADER_FIELDS, MAX_HEADER_SECTION_BYTES } from './limits.js';
import { COLON, CR, type HttpHeader, isOws, isTchar, LF, latin1, pushOnce } from './syntax.js';

/** A line of a head: content is `[start, end)` (CR of the CRLF excluded); the next line starts at `next`. */
export interface Line {
  start: number;
  end: number;
  next: number;
}

/**
 * Finds the line starting at `pos` whose LF lies before `limit` (exclusive). Returns undefined when the
 * data or the limit ends first. A line ended by a bare LF gets 'bare_lf' (RFC 9112 §2.2 lets a
 * recipient accept it).
 */
export function readLine(
  data: Uint8Array,
  pos: number,
  limit: number,
  anomalies: string[],
): Line | undefined {
  const scanEnd = Math.min(data.length, limit);
  if (pos >= scanEnd) return undefined;
  const at = data.subarray(pos, scanEnd).indexOf(LF);
  if (at < 0) return undefined;
  const lf = pos + at;
  let end = lf;
  if (end > pos && data[end - 1] === CR) end--;
  else pushOnce(anomalies, 'bare_lf');
  return { start: pos, end, next: lf + 1 };
}

/** Result of {@link parseFieldSection}. `end` is just past the empty line that closes the head. */
export type FieldSection =
  | { status: 'ok'; headers: HttpHeader[]; end: number }
  | { status: 'incomplete'; headers: HttpHeader[] }
  | { status: 'invalid'; headers: HttpHeader[]; error: string };

/** Decodes a field value, replacing CR and NUL with SP as RFC 9110 §5.5 asks of a recipient. */
function fieldValue(data: Uint8Array, start: number, end: number, anomalies: string[]): string {
  let s = start;
  let e = end;
  while (s < e && isOws(data[s]!)) s++;
  while (e > s && isOws(data[e - 1]!)) e--;
  let dirty = false;
  for (let i = s; i < e; i++) {
    const b = data[i]!;
    if (b === CR) {
      pushOnce(anomalies, 'bare_cr');
      dirty = true;
    } else if ((b < 0x20 && b !== 0x09) || b === 0x7f) {
      pushOnce(anomalies, 'bad_field_value');
      if (b === 0) dirty = true;
    }
  }
  const v = latin1(data, s, e);
  return dirty ? v.replace(/[\r\0]/g, ' ') : v;
}

/**
 * Parses the field lines of a head (RFC 9112 §5) from `start` up to and including the empty line.
 * Tolerated and listed in `anomalies`: bare LF ('bare_lf'), bare CR or NUL in a value, replaced by SP
 * ('bare_cr', 'bad_field_value' for any CTL), obs-fold, unfolded into one SP ('obs_fold'), whitespace-
 * preceded lines before the first field, skipped ('whitespace_before_first_field'), lines without a
 * colon or with an empty name, skipped ('field_line_without_colon', 'empty_field_name'), whitespace
 * between name and colon, kept in the name as received ('whitespace_before_colon'), non-token names
 * ('bad_field_name'). Fatal: 'header_section_too_long', 'too_many_header_fields'. Never throws.
 */
export function parseFieldSection(data: Uint8Array, start: number, anomalies: string[]): FieldSection {
  const headers: HttpHeader[] = [];
  const limit = start + MAX_HEADER_SECTION_BYTES;
  let pos = start;
  for (;;) {
    const line = readLine(data, pos, limit, anomalies);
    if (line === undefined) {
      if (data.length >= limit) return { status: 'invalid', headers, error: 'header_section_too_long' };
      return { status: 'incomplete', headers };
    }
    pos = line.next;
    if (line.end === line.start) return { status: 'ok', headers, end: line.next };
    if (isOws(data[line.start]!)) {
      const last = headers[headers.length - 1];
      if (last === undefined) {
        pushOnce(anomalies, 'whitespace_before_first_field');
      } else {
        pushOnce(anomalies, 'obs_fold');
        const more = fieldValue(data, line.start, line.end, anomalies);
        if (more.length > 0) last[1] = last[1].length > 0 ? last[1] + ' ' + more : more;
      }
      continue;
    }
    const colon = data.subarray(line.start, line.end).indexOf(COLON);
    if (colon < 0) {
      pushOnce(anomalies, 'field_line_without_colon');
      continue;
    }
    const nameEnd = line.start + colon;
    if (nameEnd === line.start) {
      pushOnce(anomalies, 'empty_field_name');
      continue;
    }
    let tokenEnd = nameEnd;
    while (tokenEnd > line.start && isOws(data[tokenEnd - 1]!)) tokenEnd--;
    if (tokenEnd < nameEnd) pushOnce(anomalies, 'whitespace_before_colon');
    for (let i = line.start; i < tokenEnd; i++) {
      const b = data[i]!;
      if (!isTchar(b)) {
        pushOnce(anomalies, 'bad_field_name');
        if (b === CR) pushOnce(anomalies, 'bare_cr');
      }
    }
    if (headers.length >= MAX_HEADER_FIELDS) {
      return { status: 'invalid', headers, error: 'too_many_header_fields' };
    }
    const name = latin1(data, line.start, nameEnd);
    headers.push([
      name.includes('\r') ? name.replace(/\r/g, ' ') : name,
      fieldValue(data, nameEnd + 1, line.end, anomalies),
    ]);
  }
}
