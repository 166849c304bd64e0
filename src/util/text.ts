// Small text helpers shared by the parsers.

/** Appends `code` to `list` unless it is already there (anomaly lists hold each code once, in
 *  first-seen order). */
export function pushOnce(list: string[], code: string): void {
  if (!list.includes(code)) list.push(code);
}

/** Lower-cases A–Z only (protocol names and tokens compare case-insensitively in ASCII; the
 *  latin1 letters of a hostile value stay as they are). */
export function asciiLower(s: string): string {
  if (!ASCII_UPPER.test(s)) return s;
  // toLowerCase would also fold latin1 letters (À → à): only for all-ASCII strings.
  return NON_ASCII.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
}

const ASCII_UPPER = /[A-Z]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** Longest byte run decoded with one String.fromCharCode call. Past it, Buffer's native decoder
 *  is faster despite the Buffer object it needs (Node 20: at 100 bytes 0.19 µs against 0.87 µs,
 *  at 1,000 bytes 0.21 against 3.4 µs; at 8 bytes fromCharCode is twice as fast). SSH name-lists
 *  (hundreds of bytes each) were 3.7 % of a parser worker's time. */
const FROM_CHAR_CODE_MAX = 24;

/** Decodes bytes as latin1 (ISO-8859-1: one char per byte, U+0000–U+00FF, so no byte is lost). */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length <= FROM_CHAR_CODE_MAX)
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** Calls `fn` with each non-empty line of a UTF-8 chunk of JSON lines (no trailing '\n'). */
export function forEachLine(chunk: Uint8Array, fn: (line: string) => void): void {
  const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) fn(text.slice(start, end));
    start = end + 1;
  }
}
