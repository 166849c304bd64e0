/**
 * A bounded reader for DER (ITU-T X.690 §8, §10): identifier octets, definite lengths, contents.
 *
 * Invariant: a reader only ever looks at `data[pos, end)`; every declared length is checked against
 * what remains before anything is read or sliced; reads never throw. A malformed TLV makes `next`
 * return null and sets the sticky `error`; the caller decides which structural error that is.
 */

/** What went wrong at the TLV level. */
export type DerError = 'truncated' | 'bad_tag' | 'bad_length';

/** One TLV; offsets index the reader's buffer. */
export interface Tlv {
  /** The first identifier octet: class (2 bits), constructed (1 bit), low tag number (5 bits). */
  id: number;
  /** Tag number (the low 5 bits of `id`, or the high-tag-number form's value). */
  tag: number;
  /** Offset of the identifier octet: the TLV is `data[start, end)`. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the last content octet. */
  end: number;
}

/** Identifier octets (class universal unless noted) used by RFC 5280 certificates. */
export const Der = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  VIDEOTEX_STRING: 0x15,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  GRAPHIC_STRING: 0x19,
  VISIBLE_STRING: 0x1a,
  GENERAL_STRING: 0x1b,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** Context-specific, constructed [0] … [3]. */
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
  CONTEXT_2: 0xa2,
  CONTEXT_3: 0xa3,
} as const;

/** Low tag-number bits all set: the tag number follows in base-128 octets (X.690 §8.1.2.4). */
const HIGH_TAG_NUMBER = 0x1f;
/** Bytes of a high tag number accepted (tag < 2^21); nothing in a certificate needs more. */
const MAX_TAG_NUMBER_BYTES = 3;
/** Bytes of a long-form length accepted: 4 (2^32 − 1) already exceeds every certificate. */
const MAX_LENGTH_BYTES = 4;

/** Reads consecutive TLVs from `data[pos, end)`. */
export class DerReader {
  pos: number;
  /** Set by the first malformed TLV; never cleared. */
  error: DerError | null = null;
  readonly data: Uint8Array;
  readonly end: number;

  /** Reads `data[start, end)`; bounds are clamped to the buffer. */
  constructor(data: Uint8Array, start = 0, end = data.length) {
    this.data = data;
    this.end = Math.max(0, Math.min(end, data.length));
    this.pos = Math.max(0, Math.min(start, this.end));
  }

  /** A reader over the contents of `tlv` (which must come from this reader's buffer). */
  static inside(data: Uint8Array, tlv: Tlv): DerReader {
    return new DerReader(data, tlv.contentStart, tlv.end);
  }

  /** True when every byte has been consumed. */
  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The identifier octet of the next TLV, or -1 at the end. */
  peekId(): number {
    return this.pos < this.end ? this.data[this.pos]! : -1;
  }

  /** Reads the next TLV and moves past it; null (with `error` set) when it is malformed or truncated. */
  next(): Tlv | null {
    if (this.error !== null) return null;
    const d = this.data;
    const end = this.end;
    const start = this.pos;
    let p = start;
    if (p >= end) return this.fail('truncated');
    const id = d[p++]!;
    let tag = id & HIGH_TAG_NUMBER;
    if (tag === HIGH_TAG_NUMBER) {
      tag = 0;
      for (let i = 0; ; i++) {
        if (i === MAX_TAG_NUMBER_BYTES) return this.fail('bad_tag');
        if (p >= end) return this.fail('truncated');
        const b = d[p++]!;
        tag = (tag << 7) | (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
    }
    if (p >= end) return this.fail('truncated');
    let length = d[p++]!;
    if (length >= 0x80) {
      const count = length & 0x7f;
      // 0x80 is BER's indefinite form, which DER forbids; more than 4 length bytes never fits.
      if (count === 0 || count > MAX_LENGTH_BYTES) return this.fail('bad_length');
      if (p + count > end) return this.fail('truncated');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + d[p++]!;
    }
    if (length > end - p) return this.fail('truncated');
    this.pos = p + length;
    return { id, tag, start, contentStart: p, end: p + length };
  }

  /** Reads the next TLV and requires identifier octet `id`; null otherwise (the position is kept then). */
  expect(id: number): Tlv | null {
    if (this.peekId() !== id) return null;
    return this.next();
  }

  private fail(e: DerError): null {
    this.error = e;
    return null;
  }
}

/** The content octets of `tlv` (a view, no copy). */
export function contents(data: Uint8Array, tlv: Tlv): Uint8Array {
  return data.subarray(tlv.contentStart, tlv.end);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]!;
  return s;
}

/** Bit length of the unsigned big-endian magnitude `bytes` (leading zero bytes ignored); 0 for zero. */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** An INTEGER's content octets read as a two's-complement number (X.690 §8.3). */
export interface DerInteger {
  negative: boolean;
  /** Minimal unsigned big-endian magnitude: no leading zero bytes, one 0x00 byte for zero. */
  magnitude: Uint8Array;
  /** The encoding has a superfluous leading 0x00 or 0xFF byte (X.690 §8.3.2 forbids it). */
  nonMinimal: boolean;
}

/** Decodes INTEGER content octets; null when empty (X.690 §8.3.1 requires at least one octet). */
export function decodeInteger(c: Uint8Array): DerInteger | null {
  if (c.length === 0) return null;
  const nonMinimal = c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80));
  const negative = c[0]! >= 0x80;
  let mag: Uint8Array;
  if (!negative) {
    mag = c;
  } else {
    // Two's complement: magnitude = ~c + 1.
    mag = new Uint8Array(c.length);
    let carry = 1;
    for (let i = c.length - 1; i >= 0; i--) {
      const v = (~c[i]! & 0xff) + carry;
      mag[i] = v & 0xff;
      carry = v >> 8;
    }
  }
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  return { negative, magnitude: mag.subarray(i), nonMinimal };
}

/** A small non-negative INTEGER (content ≤ 4 octets), or null when negative, empty or larger. */
export function smallInteger(c: Uint8Array): number | null {
  if (c.length === 0 || c.length > 4 || c[0]! >= 0x80) return null;
  let v = 0;
  for (let i = 0; i < c.length; i++) v = v * 256 + c[i]!;
  return v;
}
