/**
 * Bounded big-endian byte reader.
 *
 * Invariant: a reader never reads outside `[start, end)` of its buffer and never throws. A read that
 * would overrun returns 0 (numbers) or `undefined` (slices), leaves the position unchanged and sets the
 * sticky `overrun` flag, so a parser can read a whole structure and check the flag once at the end.
 * Slices are zero-copy `subarray` views; nothing is ever allocated from a length field.
 */
export class ByteReader {
  /** Current absolute position in `data`. */
  pos: number;
  /** Set by the first read that did not fit; never cleared. */
  overrun = false;
  readonly data: Uint8Array;
  readonly end: number;

  /** Reads `data[start, end)`; out-of-range bounds are clamped to the buffer. */
  constructor(data: Uint8Array, start = 0, end = data.length) {
    this.data = data;
    this.end = Math.max(0, Math.min(end, data.length));
    this.pos = Math.max(0, Math.min(start, this.end));
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when every byte has been consumed. */
  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** True when at least `n` more bytes are available. */
  has(n: number): boolean {
    return n >= 0 && this.end - this.pos >= n;
  }

  private fail(): 0 {
    this.overrun = true;
    return 0;
  }

  /** Reads an unsigned 8-bit integer (0 on overrun). */
  u8(): number {
    if (this.pos + 1 > this.end) return this.fail();
    return this.data[this.pos++]!;
  }

  /** Reads a big-endian unsigned 16-bit integer (0 on overrun). */
  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) return this.fail();
    this.pos = p + 2;
    return (this.data[p]! << 8) | this.data[p + 1]!;
  }

  /** Reads a big-endian unsigned 24-bit integer (0 on overrun). */
  u24(): number {
    const p = this.pos;
    if (p + 3 > this.end) return this.fail();
    this.pos = p + 3;
    return (this.data[p]! << 16) | (this.data[p + 1]! << 8) | this.data[p + 2]!;
  }

  /** Reads a big-endian unsigned 32-bit integer (0 on overrun). */
  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) return this.fail();
    this.pos = p + 4;
    return (
      ((this.data[p]! << 24) >>> 0) +
      ((this.data[p + 1]! << 16) | (this.data[p + 2]! << 8) | this.data[p + 3]!)
    );
  }

  /** Returns a view of the next `n` bytes and advances, or undefined (and sets `overrun`) if fewer remain. */
  bytes(n: number): Uint8Array | undefined {
    const p = this.pos;
    if (!(n >= 0) || p + n > this.end) {
      this.overrun = true;
      return undefined;
    }
    this.pos = p + n;
    return this.data.subarray(p, p + n);
  }

  /** Advances `n` bytes; returns false (and sets `overrun`) if fewer remain. */
  skip(n: number): boolean {
    if (!(n >= 0) || this.pos + n > this.end) {
      this.overrun = true;
      return false;
    }
    this.pos += n;
    return true;
  }

  /** Reads an opaque vector with a 1-byte length prefix (TLS `opaque x<0..2^8-1>`). */
  vec8(): Uint8Array | undefined {
    if (this.pos + 1 > this.end) {
      this.overrun = true;
      return undefined;
    }
    const start = this.pos;
    const v = this.bytes(this.u8());
    if (v === undefined) this.pos = start;
    return v;
  }

  /** Reads an opaque vector with a 2-byte length prefix (TLS `opaque x<0..2^16-1>`). */
  vec16(): Uint8Array | undefined {
    if (this.pos + 2 > this.end) {
      this.overrun = true;
      return undefined;
    }
    const start = this.pos;
    const v = this.bytes(this.u16());
    if (v === undefined) this.pos = start;
    return v;
  }

  /** Reads an opaque vector with a 3-byte length prefix (TLS `opaque x<0..2^24-1>`). */
  vec24(): Uint8Array | undefined {
    if (this.pos + 3 > this.end) {
      this.overrun = true;
      return undefined;
    }
    const start = this.pos;
    const v = this.bytes(this.u24());
    if (v === undefined) this.pos = start;
    return v;
  }
}

/** Reads a big-endian u16 at `offset`, or -1 if it does not fit in `data`. */
export function peekU16(data: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 2 > data.length) return -1;
  return (data[offset]! << 8) | data[offset + 1]!;
}

/** Reads a big-endian u24 at `offset`, or -1 if it does not fit in `data`. */
export function peekU24(data: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 3 > data.length) return -1;
  return (data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!;
}
