// Small text helpers shared by the parsers.

/** Appends `code` to `list` unless it is already there (anomaly lists hold each code once, in
 *  first-seen order). */
export function pushOnce(list: string[], code: string): void {
  if (!list.includes(code)) list.push(code);
}

/** Longest byte run decoded with one String.fromCharCode call (argument-count limit). */
const FROM_CHAR_CODE_CHUNK = 4096;

/** Decodes bytes as latin1 (ISO-8859-1: one char per byte, U+0000–U+00FF, so no byte is lost). */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length <= FROM_CHAR_CODE_CHUNK)
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
