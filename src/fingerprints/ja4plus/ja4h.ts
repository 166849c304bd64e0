import { createHash } from 'node:crypto';
import { asciiLower } from '../../util/text.js';
import { hash12 } from '../hash.js';
import { JA4_EMPTY_HASH } from '../ja4.js';

/**
 * JA4H — HTTP client fingerprint (FoxIO-LLC/ja4 technical_details/JA4H.md and JA4H.png). JA4+ method
 * under the FoxIO License 1.1 (see LICENSE-FoxIO-1.1.txt beside this file); `--no-ja4plus` turns it
 * off. Written from the spec in docs/fingerprints.md §3; where FoxIO's implementations disagree, the
 * choice is documented on the function that makes it and in test/unit/fingerprints/ja4h.test.ts.
 *
 * `JA4H = a_b_c_d`:
 *   a = method code (2) + version code (2) + 'c'/'n' (Cookie) + 'r'/'n' (Referer) + header count (2,
 *       saturating at 99) + language code (4);
 *   b = hash12 of the header names in wire order (Cookie, Referer and HTTP/2 pseudo-headers excluded);
 *   c = hash12 of the cookie names, d = hash12 of the cookie name=value pairs, both sorted by name
 *       (stable) for `ja4h`, in wire order for `ja4h_o`. An empty list gives `000000000000`.
 * `_r`/`_ro` print the comma-joined lists instead of their hashes.
 */

/** What JA4H needs from a request (HTTP/1.x heads from the parser satisfy it). */
export interface Ja4hInput {
  /** The method as sent. */
  method: string;
  /** `HTTP/1.0`, `HTTP/1.1`; HTTP/2 and HTTP/3 callers pass `HTTP/2` / `HTTP/3`. */
  version: string;
  /**
   * Header fields in wire order, names as received. Strings are byte strings (latin1: one char per
   * octet, as the HTTP/1 parser decodes them), so hashes are over the octets on the wire.
   */
  headers: ReadonlyArray<readonly [string, string]>;
}

/** The four JA4H variants: sorted + hashed, raw, original (cookie) order, original order raw. */
export interface Ja4hResult {
  ja4h: string;
  ja4h_r: string;
  ja4h_o: string;
  ja4h_ro: string;
}

/** The header count in section a saturates here; the hashed list is never cut. */
const JA4H_MAX_COUNT = 99;

/**
 * Method code: the first two characters, ASCII lower-case (GET → 'ge', M-SEARCH → 'm-'); a
 * one-character method is padded with '0'. (FoxIO Python takes the first two characters as well; the
 * Wireshark plugin uses a lookup table with codes such as 'ms' for M-SEARCH and 'cy' for COPY and
 * '00' for unknown methods; Rust knows nine methods only.)
 */
export function ja4hMethodCode(method: string): string {
  return asciiLower(method.slice(0, 2)).padEnd(2, '0');
}

/**
 * Version code: the digits of `HTTP/<major>[.<minor>]`, minor defaulting to 0 (HTTP/1.0 → '10',
 * HTTP/1.1 → '11', HTTP/2 → '20', HTTP/3 → '30'); anything else '00'.
 */
export function ja4hVersionCode(version: string): string {
  const m = /^HTTP\/([0-9])(?:\.([0-9]))?$/.exec(version);
  return m === null ? '00' : m[1]! + (m[2] ?? '0');
}

/**
 * Language code from an Accept-Language value: the first list element up to ',' or ';' (the
 * language-range without weight), surrounding OWS removed, '-' removed, ASCII lower-case, cut or
 * right-padded with '0' to 4 ('en-US,en;q=0.9' → 'enus', 'da, en-GB' → 'da00', null → '0000').
 */
export function ja4hLanguageCode(acceptLanguage: string | null): string {
  if (acceptLanguage === null) return '0000';
  const first = acceptLanguage.split(/[,;]/, 1)[0]!.replace(/^[ \t]+|[ \t]+$/g, '');
  return asciiLower(first.replaceAll('-', '')).slice(0, 4).padEnd(4, '0');
}

/** A cookie from a Cookie field: `pair` is the trimmed `name=value` piece, `name` what precedes '='. */
export interface Ja4hCookie {
  name: string;
  pair: string;
}

/**
 * Cookies of every Cookie field in wire order: each value split on ';', pieces trimmed of OWS, empty
 * pieces dropped; the name is the trimmed text before the first '=' (the whole piece when there is
 * none, so a bare name is kept).
 */
export function ja4hCookies(headers: Ja4hInput['headers']): Ja4hCookie[] {
  const out: Ja4hCookie[] = [];
  for (const [name, value] of headers) {
    if (!sameName(name, 'cookie')) continue;
    for (const piece of value.split(';')) {
      const pair = trimOws(piece);
      if (pair.length === 0) continue;
      const eq = pair.indexOf('=');
      out.push({ name: eq < 0 ? pair : trimOws(pair.slice(0, eq)), pair });
    }
  }
  return out;
}

/** Computes JA4H, JA4H_r, JA4H_o and JA4H_ro of a request. */
export function ja4h(request: Ja4hInput): Ja4hResult {
  let cookie = false;
  let referer = false;
  let language: string | null = null;
  const names: string[] = [];
  for (const [name, value] of request.headers) {
    if (sameName(name, 'cookie')) {
      cookie = true;
    } else if (sameName(name, 'referer')) {
      referer = true;
    } else if (name.length > 0 && !name.startsWith(':')) {
      names.push(name);
      if (language === null && sameName(name, 'accept-language')) language = value;
    }
  }
  const a =
    ja4hMethodCode(request.method) +
    ja4hVersionCode(request.version) +
    (cookie ? 'c' : 'n') +
    (referer ? 'r' : 'n') +
    String(Math.min(JA4H_MAX_COUNT, names.length)).padStart(2, '0') +
    ja4hLanguageCode(language);
  const headerList = names.join(',');
  const b = hashList(headerList);
  const wire = ja4hCookies(request.headers);
  // Array.prototype.sort is stable: equal names keep their wire order.
  const sorted = wire.slice().sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const sortedNames = sorted.map((c) => c.name).join(',');
  const sortedPairs = sorted.map((c) => c.pair).join(',');
  const wireNames = wire.map((c) => c.name).join(',');
  const wirePairs = wire.map((c) => c.pair).join(',');
  return {
    ja4h: `${a}_${b}_${hashList(sortedNames)}_${hashList(sortedPairs)}`,
    ja4h_r: `${a}_${headerList}_${sortedNames}_${sortedPairs}`,
    ja4h_o: `${a}_${b}_${hashList(wireNames)}_${hashList(wirePairs)}`,
    ja4h_ro: `${a}_${headerList}_${wireNames}_${wirePairs}`,
  };
}

/**
 * hash12 of a comma-joined list, `000000000000` when the list is empty (docs/fingerprints.md §0; the
 * Wireshark plugin instead hashes the empty header list to e3b0c44298fc). Byte strings with octets
 * ≥ 0x80 are hashed as those octets, not as their UTF-8 re-encoding, so a UTF-8 cookie value hashes
 * as FoxIO's tools (which see the decoded text) hash it.
 */
function hashList(s: string): string {
  if (s.length === 0) return JA4_EMPTY_HASH;
  if (/^[\u0000-\u007f]*$/.test(s) || /[^\u0000-\u00ff]/.test(s)) return hash12(s);
  return createHash('sha256').update(Buffer.from(s, 'latin1')).digest('hex').slice(0, 12);
}

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Case-insensitive (ASCII) comparison of a field name with a lower-case name. */
function sameName(name: string, lower: string): boolean {
  return name.length === lower.length && asciiLower(name) === lower;
}
