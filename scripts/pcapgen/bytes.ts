// A growable big-endian byte writer for building protocol messages (TLS, SSH, DNS, DER ...).

import type { Prng } from './prng.js';

// Appends big-endian fields to a buffer that grows as needed.
export class ByteWriter {
  buf: Buffer;
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  // Makes room for n more bytes.
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  // Appends one byte.
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  // Appends a big-endian 16-bit integer.
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  // Appends a big-endian 24-bit integer.
  u24(v: number): this {
    this.ensure(3);
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  // Appends a big-endian 32-bit integer.
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }

  // Appends raw bytes.
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  // Appends the Latin-1 bytes of a string.
  ascii(s: string): this {
    this.ensure(s.length);
    this.length += this.buf.write(s, this.length, 'latin1');
    return this;
  }

  // Appends n zero bytes.
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  // Appends n random bytes.
  random(prng: Prng, n: number): this {
    this.ensure(n);
    prng.fill(this.buf, this.length, n);
    this.length += n;
    return this;
  }

  // Appends a length field of `width` bytes followed by what `body` writes, then back-patches the length.
  prefixed(width: 1 | 2 | 3 | 4, body: (w: this) => void): this {
    this.ensure(width);
    const at = this.length;
    this.length += width;
    body(this);
    const n = this.length - at - width;
    for (let i = width - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) this.buf[at + i] = v & 0xff;
    if (n >= 2 ** (8 * width)) throw new RangeError(`length ${n} does not fit in ${width} bytes`);
    return this;
  }

  // The bytes written so far (a view of the internal buffer: write nothing more afterwards).
  finish(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

// Concatenates byte arrays into one Buffer.
export function concatBytes(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts as Uint8Array[]);
}

// Encodes a string as Latin-1 bytes.
export function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

// Hands out small byte arrays carved from large shared chunks, so building millions of frames does
// not allocate an ArrayBuffer every few packets. A chunk is freed once no array from it is referenced.
export class Slab {
  private chunk: ArrayBuffer;
  private bytes: Uint8Array;
  private off = 0;
  private readonly reservation: { bytes: Uint8Array; offset: number } = {
    bytes: new Uint8Array(0),
    offset: 0,
  };

  // Small chunks: one long-lived frame pins its whole chunk. With align 1, consecutive takes are
  // adjacent in memory (until a chunk fills up).
  constructor(
    private readonly chunkSize = 64 << 10,
    private readonly align = 8,
  ) {
    this.chunk = new ArrayBuffer(chunkSize);
    this.bytes = new Uint8Array(this.chunk);
  }

  // Room for up to n bytes: returns the chunk's byte view and the offset to write at. Follow with
  // commit(used) before the next reserve.
  reserve(n: number): { bytes: Uint8Array; offset: number } {
    if (this.off + n > this.chunk.byteLength) {
      this.chunk = new ArrayBuffer(Math.max(this.chunkSize, n));
      this.bytes = new Uint8Array(this.chunk);
      this.off = 0;
    }
    this.reservation.bytes = this.bytes;
    this.reservation.offset = this.off;
    return this.reservation;
  }
  // Claims the first `used` bytes of the last reservation and returns them as an array.
  commit(used: number): Uint8Array {
    const view = new Uint8Array(this.chunk, this.off, used);
    this.off = this.align === 1 ? this.off + used : (this.off + used + this.align - 1) & -this.align;
    return view;
  }

  // An uninitialised array of n bytes.
  take(n: number): Uint8Array {
    this.reserve(n);
    return this.commit(n);
  }

  // The current chunk and the offset of the next take: two marks with the same chunk bracket
  // adjacent bytes when align is 1.
  get chunkBytes(): Uint8Array {
    return this.bytes;
  }
  get offset(): number {
    return this.off;
  }
}

// The slab frame builders use by default.
export const frameSlab = new Slab();
