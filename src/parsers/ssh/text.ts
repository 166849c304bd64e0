/**
 * Text helpers shared by the SSH parsers.
 *
 * Escaping (every banner, pre-banner line and algorithm name that reaches an event goes through
 * {@link escapeText}): printable US-ASCII 0x20–0x7E is kept as is, except the backslash, which becomes
 * `\\`; every other byte becomes `\xHH` (two lower-case hex digits). The result is printable ASCII only
 * (no control characters, no CR/LF, nothing above 0x7E), so it is safe in JSON, syslog and terminals,
 * and it is reversible: the original bytes can be recovered exactly.
 */
import { latin1, pushOnce } from '../../util/text.js';

export { latin1, pushOnce };

/** True when every byte of data[start, end) is printable US-ASCII (0x20–0x7E). */
export function isPrintableAscii(data: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = data[i]!;
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

/** Characters that {@link escapeText} changes: outside 0x20–0x7E, or the backslash. */
const NEEDS_ESCAPE = /[^\x20-\x5b\x5d-\x7e]/;

/** Escapes a latin1 string (char codes 0–255; others become `\uHHHH`) as described at the top of this file. */
export function escapeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else if (c <= 0xff) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += '\\u' + c.toString(16).padStart(4, '0'); // not latin1 input: still printable and reversible
  }
  return out;
}

/** {@link escapeText} of the latin1 decoding of `bytes`. */
export function escapeBytes(bytes: Uint8Array): string {
  return escapeText(latin1(bytes));
}
