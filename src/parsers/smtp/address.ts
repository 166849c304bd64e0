// Reverse-path and forward-path of MAIL FROM / RCPT TO (RFC 5321 §4.1.2, with SMTPUTF8 per RFC 6531
// §3.3), reduced to their domain. Invariant: the local part of a mailbox is scanned over, never copied,
// and never appears in anything returned from here (anomaly codes are fixed strings).
import { isIPv4, isIPv6 } from 'node:net';
import { MAX_DOMAIN_OCTETS, MAX_LABEL_OCTETS, MAX_PARAMETERS_KEPT } from './limits.js';
import { latin1Bytes, pushOnce } from './syntax.js';

/** What a path held. 'null': the null reverse-path `<>`; 'no_domain': a mailbox without '@' (RFC 5321
 *  allows `RCPT TO:<Postmaster>`); 'invalid': it could not be parsed. */
export type SmtpPathKind = 'mailbox' | 'null' | 'no_domain' | 'invalid';

/** A parsed path: never the local part. */
export interface SmtpPath {
  kind: SmtpPathKind;
  /** Lower-cased domain (Unicode for SMTPUTF8 domains) or address literal, or null. */
  domain: string | null;
  /** The domain is an address literal (`[198.18.0.1]`, `[IPv6:2001:db8::1]`). */
  addressLiteral: boolean;
  /** The mailbox has non-ASCII bytes (local part or domain: RFC 6531 SMTPUTF8 syntax). */
  utf8: boolean;
  /** Offset in the line text just past the path (after '>' when bracketed). */
  end: number;
}

/** Mail-parameters / Rcpt-parameters keywords (values are never kept: AUTH=, ORCPT= hold mailboxes). */
export interface SmtpParameters {
  keywords: string[];
  smtputf8: boolean;
  size: number | null;
  body: string | null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const ASCII_LABEL = /^[a-z0-9_-]+$/;
const UNICODE_LABEL = /^[\p{L}\p{M}\p{N}_-]+$/u;
const GENERAL_LITERAL = /^[A-Za-z0-9-]*[A-Za-z0-9]:[\x21-\x5a\x5e-\x7e]+$/;
const PARAM_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const BODY_VALUES = new Set(['7BIT', '8BITMIME', 'BINARYMIME']);

/** True when any char of the latin1 string `s` is a byte ≥ 0x80. */
function hasHighBytes(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * The normalised form of a domain given as latin1 text (its raw bytes), or null with an anomaly:
 * UTF-8 decoded (RFC 6531), lower-cased, one trailing dot removed; each label 1–63 octets of letters,
 * digits, '-' or '_' (any Unicode letter, mark or digit in a U-label). Anomalies: 'domain_too_long',
 * 'bad_domain', 'bad_utf8_domain'.
 */
export function normaliseDomain(raw: string, anomalies: string[]): string | null {
  let text = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (text.length === 0) {
    pushOnce(anomalies, 'bad_domain');
    return null;
  }
  if (text.length > MAX_DOMAIN_OCTETS) {
    pushOnce(anomalies, 'domain_too_long');
    return null;
  }
  const unicode = hasHighBytes(text);
  if (unicode) {
    try {
      text = UTF8.decode(latin1Bytes(text));
    } catch {
      pushOnce(anomalies, 'bad_utf8_domain');
      return null;
    }
  }
  text = text.toLowerCase();
  for (const label of text.split('.')) {
    const octets = unicode ? Buffer.byteLength(label, 'utf8') : label.length;
    const ok = unicode ? UNICODE_LABEL.test(label) : ASCII_LABEL.test(label);
    if (!ok || octets > MAX_LABEL_OCTETS) {
      pushOnce(anomalies, 'bad_domain');
      return null;
    }
  }
  return text;
}

/**
 * The normalised form of an address literal's content (between '[' and ']'): `[a.b.c.d]` or
 * `[IPv6:hex]` (RFC 5321 §4.1.3), hex lower-cased; null with 'bad_address_literal', or with
 * 'general_address_literal' for the registered-tag form (not an IP address, not reported).
 */
export function normaliseAddressLiteral(content: string, anomalies: string[]): string | null {
  if (isIPv4(content)) return `[${content}]`;
  if (content.length > 5 && content.slice(0, 5).toLowerCase() === 'ipv6:') {
    const v6 = content.slice(5);
    if (isIPv6(v6)) return `[IPv6:${v6.toLowerCase()}]`;
  } else if (GENERAL_LITERAL.test(content)) {
    pushOnce(anomalies, 'general_address_literal');
    return null;
  }
  pushOnce(anomalies, 'bad_address_literal');
  return null;
}

/** End of the quoted-string starting at `s[i] === '"'` (index after the closing quote), or -1. */
function quotedStringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return -1;
}

/** Index of the first of `stops` in s[i..), or s.length. */
function scanUntil(s: string, i: number, stops: string): number {
  let j = i;
  while (j < s.length && !stops.includes(s[j]!)) j++;
  return j;
}

const INVALID = (end: number): SmtpPath => ({
  kind: 'invalid',
  domain: null,
  addressLiteral: false,
  utf8: false,
  end,
});

/**
 * Parses a Reverse-path / Forward-path starting at `s[i]` (the first character after "FROM:" or "TO:"):
 * `<>`, `<[@route,...:]mailbox>`, or — tolerated, flagged 'missing_angle_brackets' — a bare mailbox
 * ending at SP. The source route is skipped ('source_route'; RFC 5321 §4.1.2: MUST be accepted and
 * ignored); a quoted local part may contain '@', '>', spaces and backslash escapes. Anomalies besides
 * those of {@link normaliseDomain} / {@link normaliseAddressLiteral}: 'bad_path', 'missing_angle_brackets',
 * 'source_route'. Never throws; never returns the local part.
 */
export function parsePath(s: string, i: number, anomalies: string[]): SmtpPath {
  const angle = s[i] === '<';
  let p = angle ? i + 1 : i;
  if (!angle) pushOnce(anomalies, 'missing_angle_brackets');
  if (angle && s[p] === '>')
    return { kind: 'null', domain: null, addressLiteral: false, utf8: false, end: p + 1 };
  if (s[p] === '@') {
    const colon = scanUntil(s, p, angle ? ':>' : ': ');
    if (s[colon] !== ':') {
      pushOnce(anomalies, 'bad_path');
      return INVALID(colon);
    }
    pushOnce(anomalies, 'source_route');
    p = colon + 1;
  }
  // Local part: scanned over, never copied.
  const localStart = p;
  if (s[p] === '"') {
    const q = quotedStringEnd(s, p);
    if (q < 0) {
      pushOnce(anomalies, 'bad_path');
      return INVALID(s.length);
    }
    p = q;
  } else {
    p = scanUntil(s, p, angle ? '@>' : '@ ');
  }
  let utf8 = hasHighBytes(s.slice(localStart, p));
  if (s[p] !== '@') {
    if (angle && s[p] === '>' && p > localStart)
      return { kind: 'no_domain', domain: null, addressLiteral: false, utf8, end: p + 1 };
    if (!angle && p > localStart && (p === s.length || s[p] === ' '))
      return { kind: 'no_domain', domain: null, addressLiteral: false, utf8, end: p };
    pushOnce(anomalies, 'bad_path');
    return INVALID(p);
  }
  p++;
  let domain: string | null;
  let addressLiteral = false;
  let domainEnd: number;
  if (s[p] === '[') {
    const close = scanUntil(s, p + 1, angle ? ']>' : '] ');
    if (s[close] !== ']') {
      pushOnce(anomalies, 'bad_path');
      return INVALID(close);
    }
    domain = normaliseAddressLiteral(s.slice(p + 1, close), anomalies);
    addressLiteral = domain !== null;
    domainEnd = close + 1;
  } else {
    domainEnd = scanUntil(s, p, angle ? '>' : ' ');
    const raw = s.slice(p, domainEnd);
    if (raw.includes('@') || raw.includes(' ')) {
      pushOnce(anomalies, 'bad_domain');
      domain = null;
    } else {
      utf8 ||= hasHighBytes(raw);
      domain = normaliseDomain(raw, anomalies);
    }
  }
  if (angle) {
    if (s[domainEnd] !== '>') {
      pushOnce(anomalies, 'bad_path');
      return INVALID(domainEnd);
    }
    domainEnd++;
  }
  return { kind: 'mailbox', domain, addressLiteral, utf8, end: domainEnd };
}

/**
 * Mail-parameters / Rcpt-parameters after a path (RFC 5321 §4.1.2: SP-separated `keyword[=value]`).
 * Only upper-cased keywords are kept, plus SIZE (RFC 1870) as a number, BODY (RFC 6152) when it is a
 * registered value and SMTPUTF8 (RFC 6531) as a flag. Anomalies: 'bad_parameter', 'junk_after_path'.
 */
export function parseParameters(rest: string, anomalies: string[]): SmtpParameters {
  const out: SmtpParameters = { keywords: [], smtputf8: false, size: null, body: null };
  if (rest.length === 0) return out;
  if (rest[0] !== ' ') {
    pushOnce(anomalies, 'junk_after_path');
    return out;
  }
  for (const param of rest.split(' ')) {
    if (param.length === 0) continue;
    const eq = param.indexOf('=');
    const keyword = eq < 0 ? param : param.slice(0, eq);
    if (!PARAM_KEYWORD.test(keyword) || keyword.length > 32) {
      pushOnce(anomalies, 'bad_parameter');
      continue;
    }
    const upper = keyword.toUpperCase();
    const value = eq < 0 ? '' : param.slice(eq + 1);
    if (upper === 'SMTPUTF8') out.smtputf8 = true;
    else if (upper === 'SIZE' && /^\d{1,15}$/.test(value)) out.size = Number(value);
    else if (upper === 'BODY' && BODY_VALUES.has(value.toUpperCase())) out.body = value.toUpperCase();
    if (!out.keywords.includes(upper) && out.keywords.length < MAX_PARAMETERS_KEPT) out.keywords.push(upper);
  }
  return out;
}
