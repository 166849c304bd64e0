/**
 * Byte-level grammar shared by the HTTP/1.x parsers (RFC 9110 §5.6, RFC 9112 §2–§5). Everything works
 * on bytes; text is decoded as latin1 (one char per byte) so nothing is lost or replaced.
 */
import { asciiLower, pushOnce } from '../../util/text.js';

export const SP = 0x20;
export const HTAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const COLON = 0x3a;

/** TCHAR[b] = 1 if b is a tchar (RFC 9110 §5.6.2): ALPHA / DIGIT / "!#$%&'*+-.^_`|~". */
const TCHAR = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;

/** True if `b` may appear in a token (method, field name). */
export function isTchar(b: number): boolean {
  return TCHAR[b] === 1;
}

/** True for the bytes RFC 9112 §3 lets a recipient treat as a request-line separator (SP, HTAB, VT, FF, CR). */
export function isLineSpace(b: number): boolean {
  return b === SP || b === HTAB || b === 0x0b || b === 0x0c || b === CR;
}

/** OWS (RFC 9110 §5.6.3): SP or HTAB. */
export function isOws(b: number): boolean {
  return b === SP || b === HTAB;
}

/** The Buffer over the last `data` decoded: a parser decodes many fields of the same bytes, and
 *  making a Buffer object was half the cost of each (it holds one input alive until the next). */
let lastData: Uint8Array | null = null;
let lastBuffer: Buffer | null = null;

/** Decodes `data[start, end)` as latin1 (byte n → U+00nn). */
export function latin1(data: Uint8Array, start: number, end: number): string {
  if (data !== lastData || lastBuffer === null) {
    lastBuffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    lastData = data;
  }
  return lastBuffer.toString('latin1', start, end);
}

/** ASCII-only lower-casing: field names are compared case-insensitively (RFC 9110 §5.1). */
export { asciiLower, pushOnce };

/** Parsing outcome shared by every parser in this folder. */
export type HttpParseStatus = 'ok' | 'incomplete' | 'invalid';

/** A header field as received: raw-case name, latin1 value with surrounding OWS removed. */
export type HttpHeader = [name: string, value: string];

/** Values of every field named `name` (case-insensitive), in wire order. */
export function headerValues(headers: readonly HttpHeader[], name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of headers) if (n.length === want.length && asciiLower(n) === want) out.push(v);
  return out;
}

/** Value of the first field named `name` (case-insensitive), or null. */
export function headerValue(headers: readonly HttpHeader[], name: string): string | null {
  const want = name.toLowerCase();
  for (const [n, v] of headers) if (n.length === want.length && asciiLower(n) === want) return v;
  return null;
}
