// Line framing and small lexical helpers shared by the SMTP client and server parsers (RFC 5321 §2.3.8:
// lines end with CR LF; a bare LF is accepted and flagged, as most servers do).
import { escapeText, latin1 } from '../ssh/text.js';
import { MAX_LINE_SCAN_BYTES } from './limits.js';

export { escapeText, latin1, pushOnce } from '../ssh/text.js';

export const CR = 0x0d;
export const LF = 0x0a;

/** ok: parsed; incomplete: more bytes are needed; invalid: these bytes can never become SMTP. */
export type SmtpParseStatus = 'ok' | 'incomplete' | 'invalid';

/** One line of `data`: content in [start, contentEnd), the next line at `next`. */
export interface Line {
  kind: 'line';
  start: number;
  contentEnd: number;
  next: number;
  /** The line ended with LF alone. */
  bareLf: boolean;
  /** A CR not followed by LF inside the content. */
  bareCr: boolean;
}

export type LineRead = Line | { kind: 'incomplete' } | { kind: 'too_long' };

/** Index of the first `byte` in data[from, to), or -1. */
export function indexOfByte(data: Uint8Array, byte: number, from: number, to: number): number {
  const i = data.subarray(from, to).indexOf(byte);
  return i < 0 ? -1 : from + i;
}

/**
 * Reads the line starting at `off`. 'incomplete' when no LF is present yet, 'too_long' when no LF
 * appears within `scanLimit` bytes (a line that can never be SMTP).
 */
export function readLine(data: Uint8Array, off: number, scanLimit = MAX_LINE_SCAN_BYTES): LineRead {
  const n = data.length;
  const lf = indexOfByte(data, LF, off, Math.min(n, off + scanLimit));
  if (lf < 0) return n - off >= scanLimit ? { kind: 'too_long' } : { kind: 'incomplete' };
  let contentEnd = lf;
  const bareLf = !(lf > off && data[lf - 1] === CR);
  if (!bareLf) contentEnd--;
  return {
    kind: 'line',
    start: off,
    contentEnd,
    next: lf + 1,
    bareLf,
    bareCr: indexOfByte(data, CR, off, contentEnd) >= 0,
  };
}

/** The line's content as latin1 text (one char per byte, nothing lost). */
export function lineText(data: Uint8Array, line: Line): string {
  return latin1(data.subarray(line.start, line.contentEnd));
}

/** Bytes of a latin1 string (inverse of {@link latin1}). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Escaped text (see ssh/text.ts: printable ASCII kept, other bytes as \xHH), cut to `max` chars. */
export function clipEscaped(s: string, max: number): { text: string; clipped: boolean } {
  const e = escapeText(s);
  return e.length <= max ? { text: e, clipped: false } : { text: e.slice(0, max), clipped: true };
}

/** True for a byte that is a C0 control character other than TAB, or DEL. */
export function isControl(b: number): boolean {
  return (b < 0x20 && b !== 0x09) || b === 0x7f;
}

/** True when data[start, end) contains a control byte other than TAB (CR and LF are framing). */
export function hasControl(data: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = data[i]!;
    if (isControl(b) && b !== CR) return true;
  }
  return false;
}
