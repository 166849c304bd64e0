// Capture-file writers: classic pcap (microsecond magic 0xa1b2c3d4, nanosecond 0xa1b23c4d) and
// pcapng (Section Header, Interface Description and Enhanced Packet blocks), little-endian,
// buffered in large chunks. Timestamps are microseconds since the epoch (plus optional extra
// nanoseconds for nanosecond files).

import * as fs from 'node:fs';
import { encodePacket, type PacketSpec } from './frames.js';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const DEFAULT_CHUNK = 4 << 20;
const MAX_FRAME = 65535 + 128;
const TWO_32 = 4294967296;

// One packet to write: capture time in microseconds, the captured bytes, and optionally the
// original wire length and sub-microsecond nanoseconds (0..999).
export interface PacketRecord {
  ts: number;
  frame: Uint8Array;
  origLen?: number | undefined;
  nanos?: number | undefined;
}

// Buffered output to a file descriptor or to memory.
class ChunkedOutput {
  buf: Buffer;
  view: DataView;
  off = 0;
  private readonly fd: number | undefined;
  private readonly parts: Buffer[] = [];
  bytesWritten = 0;

  constructor(path: string | undefined, chunkSize: number) {
    this.buf = Buffer.allocUnsafeSlow(chunkSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.fd = path === undefined ? undefined : fs.openSync(path, 'w');
  }

  // Guarantees n free bytes at buf[off].
  reserve(n: number): void {
    if (this.off + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(n);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  flush(): void {
    if (this.off === 0) return;
    if (this.fd === undefined) this.parts.push(Buffer.from(this.buf.subarray(0, this.off)));
    else {
      let done = 0;
      while (done < this.off) done += fs.writeSync(this.fd, this.buf, done, this.off - done);
    }
    this.bytesWritten += this.off;
    this.off = 0;
  }

  close(): Buffer | undefined {
    this.flush();
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      return undefined;
    }
    return Buffer.concat(this.parts);
  }
}

export interface PcapWriterOptions {
  linkType: number;
  nanosecond?: boolean | undefined;
  snaplen?: number | undefined;
  // Output file; omitted means in memory (close() returns the bytes).
  path?: string | undefined;
  chunkSize?: number | undefined;
}

// Common surface of the pcap and pcapng writers.
export interface CaptureWriter {
  readonly packets: number;
  readonly frameBytes: number;
  write(ts: number, frame: Uint8Array, origLen?: number, nanos?: number): void;
  writeRange(ts: number, src: Uint8Array, start: number, length: number): void;
  encode(ts: number, spec: PacketSpec, nanos?: number): number;
  close(): Buffer | undefined;
}

// Classic pcap writer (one link type per file).
export class PcapWriter implements CaptureWriter {
  private readonly out: ChunkedOutput;
  private readonly nano: boolean;
  private readonly snaplen: number;
  packets = 0;
  frameBytes = 0;

  constructor(opts: PcapWriterOptions) {
    this.out = new ChunkedOutput(opts.path, opts.chunkSize ?? DEFAULT_CHUNK);
    this.nano = opts.nanosecond ?? false;
    this.snaplen = opts.snaplen ?? 262144;
    const b = this.out.buf;
    b.writeUInt32LE(this.nano ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8); // thiszone
    b.writeUInt32LE(0, 12); // sigfigs
    b.writeUInt32LE(this.snaplen, 16);
    b.writeUInt32LE(opts.linkType, 20);
    this.out.off = 24;
  }

  private header(at: number, ts: number, nanos: number, caplen: number, origLen: number): void {
    const v = this.out.view;
    const sec = Math.floor(ts / 1e6);
    const frac = this.nano ? (ts - sec * 1e6) * 1000 + nanos : ts - sec * 1e6;
    v.setUint32(at, sec >>> 0, true);
    v.setUint32(at + 4, frac >>> 0, true);
    v.setUint32(at + 8, caplen, true);
    v.setUint32(at + 12, origLen, true);
    this.packets++;
    this.frameBytes += caplen;
  }

  // Appends one record, copying the frame (cut to the snap length; origLen keeps the wire length).
  write(ts: number, frame: Uint8Array, origLen = frame.length, nanos = 0): void {
    const out = this.out;
    const cap = Math.min(frame.length, this.snaplen);
    out.reserve(16 + cap);
    this.header(out.off, ts, nanos, cap, origLen);
    out.buf.set(cap === frame.length ? frame : frame.subarray(0, cap), out.off + 16);
    out.off += 16 + cap;
  }

  // Appends one record whose frame is src[start, start+length).
  writeRange(ts: number, src: Uint8Array, start: number, length: number): void {
    const out = this.out;
    const cap = Math.min(length, this.snaplen);
    out.reserve(16 + cap);
    this.header(out.off, ts, 0, cap, length);
    out.buf.set(src.subarray(start, start + cap), out.off + 16);
    out.off += 16 + cap;
  }

  // Encodes a packet spec straight into the output buffer; returns the frame length.
  encode(ts: number, spec: PacketSpec, nanos = 0): number {
    const out = this.out;
    out.reserve(16 + MAX_FRAME);
    const n = encodePacket(spec, out.buf, out.off + 16);
    const cap = Math.min(n, this.snaplen);
    this.header(out.off, ts, nanos, cap, n);
    out.off += 16 + cap;
    return n;
  }

  // Flushes and closes; returns the file bytes when writing to memory.
  close(): Buffer | undefined {
    return this.out.close();
  }
}

export interface PcapngInterface {
  linkType: number;
  snaplen?: number | undefined;
  nanosecond?: boolean | undefined;
  name?: string | undefined;
}

export interface PcapngWriterOptions {
  interfaces: readonly PcapngInterface[];
  path?: string | undefined;
  chunkSize?: number | undefined;
}

// pcapng writer: one section, one Interface Description Block per interface, Enhanced Packet Blocks.
export class PcapngWriter implements CaptureWriter {
  private readonly out: ChunkedOutput;
  private readonly nanoIf: boolean[];
  private readonly snapIf: number[];
  packets = 0;
  frameBytes = 0;

  constructor(opts: PcapngWriterOptions) {
    if (opts.interfaces.length === 0) throw new RangeError('pcapng needs at least one interface');
    this.out = new ChunkedOutput(opts.path, opts.chunkSize ?? DEFAULT_CHUNK);
    this.nanoIf = opts.interfaces.map((i) => i.nanosecond ?? false);
    this.snapIf = opts.interfaces.map((i) => (i.snaplen ? i.snaplen : Number.POSITIVE_INFINITY));
    const out = this.out;
    const b = out.buf;
    // Section Header Block with no options; section length unknown (-1).
    b.writeUInt32LE(PCAPNG_SHB, 0);
    b.writeUInt32LE(28, 4);
    b.writeUInt32LE(PCAPNG_BYTE_ORDER_MAGIC, 8);
    b.writeUInt16LE(1, 12);
    b.writeUInt16LE(0, 14);
    b.writeInt32LE(-1, 16);
    b.writeInt32LE(-1, 20);
    b.writeUInt32LE(28, 24);
    out.off = 28;
    for (const itf of opts.interfaces) this.writeIdb(itf);
  }

  private writeIdb(itf: PcapngInterface): void {
    const name = itf.name === undefined ? undefined : Buffer.from(itf.name, 'utf8');
    const nameLen = name ? 4 + ((name.length + 3) & ~3) : 0;
    const tsresolLen = itf.nanosecond ? 8 : 0;
    const optLen = nameLen + tsresolLen + (nameLen || tsresolLen ? 4 : 0);
    const total = 20 + optLen;
    const out = this.out;
    out.reserve(total);
    const b = out.buf;
    let p = out.off;
    b.writeUInt32LE(PCAPNG_IDB, p);
    b.writeUInt32LE(total, p + 4);
    b.writeUInt16LE(itf.linkType, p + 8);
    b.writeUInt16LE(0, p + 10);
    b.writeUInt32LE(itf.snaplen ?? 262144, p + 12);
    p += 16;
    if (name) {
      b.writeUInt16LE(2, p); // if_name
      b.writeUInt16LE(name.length, p + 2);
      b.fill(0, p + 4, p + nameLen);
      name.copy(b, p + 4);
      p += nameLen;
    }
    if (itf.nanosecond) {
      b.writeUInt16LE(9, p); // if_tsresol
      b.writeUInt16LE(1, p + 2);
      b.writeUInt32LE(9, p + 4); // 10^-9, then 3 padding bytes
      p += 8;
    }
    if (optLen) {
      b.writeUInt32LE(0, p); // opt_endofopt
      p += 4;
    }
    b.writeUInt32LE(total, p);
    out.off = p + 4;
  }

  private epbHeader(
    at: number,
    ifId: number,
    ts: number,
    nanos: number,
    caplen: number,
    origLen: number,
  ): number {
    const b = this.out.buf;
    const padded = (caplen + 3) & ~3;
    const total = 32 + padded;
    let hi: number;
    let lo: number;
    if (this.nanoIf[ifId]) {
      // sec * 1e9 + ns exceeds 2^53: assemble the 64-bit count from 16-bit pieces.
      const sec = Math.floor(ts / 1e6);
      const x = (sec % 65536) * 1e9 + (ts - sec * 1e6) * 1000 + nanos;
      const y = Math.floor(sec / 65536) * 1e9;
      const loTotal = (y % 65536) * 65536 + x;
      hi = Math.floor(y / 65536) + Math.floor(loTotal / TWO_32);
      lo = loTotal % TWO_32;
    } else {
      hi = Math.floor(ts / TWO_32);
      lo = ts % TWO_32;
    }
    b.writeUInt32LE(PCAPNG_EPB, at);
    b.writeUInt32LE(total, at + 4);
    b.writeUInt32LE(ifId, at + 8);
    b.writeUInt32LE(hi >>> 0, at + 12);
    b.writeUInt32LE(lo >>> 0, at + 16);
    b.writeUInt32LE(caplen, at + 20);
    b.writeUInt32LE(origLen, at + 24);
    b.fill(0, at + 28 + caplen, at + 28 + padded);
    b.writeUInt32LE(total, at + 28 + padded);
    this.packets++;
    this.frameBytes += caplen;
    return total;
  }

  // Appends one Enhanced Packet Block on interface 0.
  write(ts: number, frame: Uint8Array, origLen = frame.length, nanos = 0): void {
    this.writeOn(0, ts, frame, origLen, nanos);
  }

  // Appends one Enhanced Packet Block on interface 0 whose frame is src[start, start+length).
  writeRange(ts: number, src: Uint8Array, start: number, length: number): void {
    this.writeOn(0, ts, src.subarray(start, start + length));
  }

  // Appends one Enhanced Packet Block on the given interface.
  writeOn(ifId: number, ts: number, frame: Uint8Array, origLen = frame.length, nanos = 0): void {
    if (ifId >= this.nanoIf.length) throw new RangeError(`no interface ${ifId}`);
    const out = this.out;
    const cap = Math.min(frame.length, this.snapIf[ifId]!);
    out.reserve(36 + cap);
    out.buf.set(cap === frame.length ? frame : frame.subarray(0, cap), out.off + 28);
    out.off += this.epbHeader(out.off, ifId, ts, nanos, cap, origLen);
  }

  // Encodes a packet spec straight into the output on interface 0; returns the frame length.
  encode(ts: number, spec: PacketSpec, nanos = 0): number {
    const out = this.out;
    out.reserve(36 + MAX_FRAME);
    const n = encodePacket(spec, out.buf, out.off + 28);
    out.off += this.epbHeader(out.off, 0, ts, nanos, Math.min(n, this.snapIf[0]!), n);
    return n;
  }

  // Flushes and closes; returns the file bytes when writing to memory.
  close(): Buffer | undefined {
    return this.out.close();
  }
}

export interface CaptureFileOptions {
  linkType: number;
  format?: 'pcap' | 'pcapng' | undefined;
  nanosecond?: boolean | undefined;
  snaplen?: number | undefined;
}

// Opens a pcap or pcapng writer for one link type (path omitted: in memory).
export function openCaptureWriter(opts: CaptureFileOptions & { path?: string | undefined }): CaptureWriter {
  if (opts.format === 'pcapng') {
    return new PcapngWriter({
      path: opts.path,
      interfaces: [{ linkType: opts.linkType, snaplen: opts.snaplen, nanosecond: opts.nanosecond }],
    });
  }
  return new PcapWriter(opts);
}

// Writes records to a capture file in one call.
export function writeCaptureFile(
  path: string,
  records: Iterable<PacketRecord>,
  opts: CaptureFileOptions,
): void {
  const w = openCaptureWriter({ ...opts, path });
  for (const r of records) w.write(r.ts, r.frame, r.origLen, r.nanos);
  w.close();
}

// Serialises records to capture-file bytes in memory.
export function captureFileBytes(records: Iterable<PacketRecord>, opts: CaptureFileOptions): Buffer {
  const w = openCaptureWriter(opts);
  for (const r of records) w.write(r.ts, r.frame, r.origLen, r.nanos);
  return w.close()!;
}
