// The RFC 5424 message model shared by the formatter and the parser, with the grammar's small
// predicates (PRINTUSASCII, SD-NAME) and timestamp conversions. Section numbers are RFC 5424's.

import { SD_NAME_MAX_CHARS } from './limits.js';

/** §6.2.1: facility local0, which DECNET uses for every line. */
export const FACILITY_LOCAL0 = 16;

/** §6.2.1 severities. */
export const Severity = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
} as const;

/** §6.2: the NILVALUE of every header field and of STRUCTURED-DATA. */
export const NILVALUE = '-';

/** DECNET's SD-ID (docs/decnet-reference.md §3.17): name `relay`, private enterprise number 55555. */
export const DECNET_SD_ID = 'relay@55555';

/** One SD-PARAM (§6.3.3): a PARAM-NAME and its unescaped value. Names may repeat in an element. */
export type SdParam = readonly [name: string, value: string];

/** One SD-ELEMENT (§6.3.1): its SD-ID and its params in wire order. */
export interface SdElement {
  id: string;
  params: SdParam[];
}

/** A syslog message (§6). Header fields are null for NILVALUE. `timestamp` is the TIMESTAMP text
 *  as sent (§6.2.3); timestampToIso() converts it. `msg` is null when the message has none. */
export interface SyslogMessage {
  facility: number;
  severity: number;
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: SdElement[];
  msg: string | null;
  /** §6.4: MSG starts with a UTF-8 BOM (written only when true; DECNET never writes one). */
  msgBom?: boolean;
}

/** PRI value (§6.2.1): facility × 8 + severity. */
export function priority(facility: number, severity: number): number {
  return facility * 8 + severity;
}

/** True when `s` is 1..max characters of PRINTUSASCII (%d33-126), the header-field alphabet. */
export function isPrintUsAscii(s: string, max: number): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** True for a character allowed in an SD-NAME (§6.3.2): PRINTUSASCII except '=', ']', '"'. */
export function isSdNameChar(c: number): boolean {
  return c >= 33 && c <= 126 && c !== 61 && c !== 93 && c !== 34;
}

/** True when `s` is a valid SD-NAME (SD-ID or PARAM-NAME): 1..32 SD-NAME characters. */
export function isSdName(s: string): boolean {
  if (s.length === 0 || s.length > SD_NAME_MAX_CHARS) return false;
  for (let i = 0; i < s.length; i++) if (!isSdNameChar(s.charCodeAt(i))) return false;
  return true;
}

/** `s` made into a valid SD-NAME: each character outside the alphabet becomes '_', and the result is
 *  cut to 32 characters ('_' when empty). Names that are already valid come back unchanged. */
export function toSdName(s: string): string {
  if (isSdName(s)) return s;
  let out = '';
  for (let i = 0; i < s.length && out.length < SD_NAME_MAX_CHARS; i++) {
    out += isSdNameChar(s.charCodeAt(i)) ? s[i] : '_';
  }
  return out || '_';
}

/** `s` made into a header field (§6.2): characters outside PRINTUSASCII become '_', cut to `max`;
 *  null (NILVALUE) when empty or absent. */
export function toHeaderField(s: string | null | undefined, max: number): string | null {
  if (s === null || s === undefined || s === '') return null;
  if (isPrintUsAscii(s, max)) return s;
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    out += c >= 33 && c <= 126 ? s[i] : '_';
  }
  return out;
}

/** A TIMESTAMP (§6.2.3) taken apart: the UTC instant as ms since the epoch plus the sub-ms digits,
 *  and what was tolerated beyond the RFC. */
export interface ParsedTimestamp {
  /** Milliseconds since the epoch, UTC (whole ms). */
  ms: number;
  /** Microseconds within the millisecond (0..999); digits past the sixth are dropped. */
  us: number;
  /** 'no_offset' (taken as UTC, as DECNET's parser does), 'long_fraction' (over 6 digits). */
  anomalies: string[];
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses a TIMESTAMP (§6.2.3: RFC 3339 with "T" and "Z" upper case, no leap second). Returns null
 *  when it is not one. A missing offset (Python's naive isoformat) is read as UTC, noted. */
export function parseTimestamp(s: string): ParsedTimestamp | null {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return null;
  if (month === 2 && day === 29 && !isLeapYear(year)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const anomalies: string[] = [];
  const frac = m[7] ?? '';
  if (frac.length > 6) anomalies.push('long_fraction');
  const digits = (frac + '000000').slice(0, 6);
  let offsetMin = 0;
  const off = m[8];
  if (off === undefined) anomalies.push('no_offset');
  else if (off !== 'Z') {
    const oh = Number(off.slice(1, 3));
    const om = Number(off.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offsetMin = (off[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, Number(digits.slice(0, 3)));
  return { ms: d.getTime() - offsetMin * 60_000, us: Number(digits.slice(3)), anomalies };
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** A TIMESTAMP as ISO-8601 UTC with six fractional digits and 'Z' (the shape of every deckscope
 *  `ts`), or null when it is not a valid TIMESTAMP or falls outside years 0000-9999 in UTC. */
export function timestampToIso(s: string | null): string | null {
  if (s === null) return null;
  const t = parseTimestamp(s);
  return t === null ? null : isoFromParts(t.ms, t.us);
}

function isoFromParts(ms: number, us: number): string | null {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 0 || year > 9999) return null;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0..9999
  return `${iso.slice(0, 23)}${String(us).padStart(3, '0')}Z`;
}

/** An ISO-8601 / RFC 3339 time as DECNET writes its TIMESTAMP: Python's
 *  `datetime.now(timezone.utc).isoformat()`, i.e. `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, the fraction
 *  left out when it is zero (docs/decnet-reference.md §3.17). Null when `iso` is not a valid time. */
export function decnetTimestamp(iso: string): string | null {
  const utc = timestampToIso(iso);
  if (utc === null) return null;
  const frac = utc.slice(19, 26);
  return `${utc.slice(0, 19)}${frac === '.000000' ? '' : frac}+00:00`;
}
