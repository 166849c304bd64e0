/**
 * Bounded reassembly of a byte stream delivered as (offset, bytes) pieces that may overlap, repeat or
 * arrive out of order (QUIC CRYPTO frames, RFC 9000 §19.6; DTLS handshake fragments, RFC 6347 §4.2.3).
 */
import { MAX_ASSEMBLER_RANGES } from './limits.js';

export { MAX_ASSEMBLER_RANGES };

/**
 * Collects pieces of one stream up to a fixed byte limit; the first bytes written at an offset win.
 *
 * Invariants: `ranges` is sorted, disjoint and non-adjacent, holds at most MAX_ASSEMBLER_RANGES entries
 * and lies inside [0, limit); `buf` is never larger than `limit` nor than twice the highest byte stored
 * (and at least 1 KiB). A byte once stored never changes, so a `prefix()` view stays valid and correct
 * after later `add`s (a grown buffer is a copy). Each `add` is O(ranges + piece length).
 */
export class OffsetAssembler {
  /** Stream bytes at offsets >= limit are dropped. */
  readonly limit: number;
  /** Set when a piece was (partly) dropped because of `limit` or the range cap. */
  truncated = false;
  /** Set when a piece overlapped stored bytes with different content (the stored bytes were kept). */
  conflicting = false;
  private buf: Uint8Array = new Uint8Array(0);
  private ranges: Array<[number, number]> = [];

  /** Creates an assembler that keeps at most `limit` bytes from offset 0. */
  constructor(limit: number) {
    this.limit = Number.isSafeInteger(limit) && limit > 0 ? limit : 0;
  }

  /**
   * Adds `data` at stream `offset`. Returns false when nothing of a non-empty piece could be stored
   * (offset invalid or beyond `limit`, or the piece would open a range beyond the cap); an empty piece
   * at a valid offset returns true.
   */
  add(offset: number, data: Uint8Array): boolean {
    if (!Number.isSafeInteger(offset) || offset < 0) return false;
    if (data.length === 0) return true;
    let end = offset + data.length;
    if (end > this.limit) {
      this.truncated = true;
      end = this.limit;
    }
    if (end <= offset) return false;
    if (this.ranges.length >= MAX_ASSEMBLER_RANGES && !this.touches(offset, end)) {
      this.truncated = true;
      return false;
    }
    this.grow(end);
    // Write the gaps between stored ranges; compare the parts already stored.
    let p = offset;
    for (const [s, e] of this.ranges) {
      if (e <= p) continue;
      if (s >= end) break;
      if (s > p) this.buf.set(data.subarray(p - offset, s - offset), p);
      const overlapEnd = Math.min(e, end);
      if (!this.conflicting && !this.same(Math.max(s, p), overlapEnd, data, offset)) this.conflicting = true;
      p = Math.max(p, e);
      if (p >= end) break;
    }
    if (p < end) this.buf.set(data.subarray(p - offset, end - offset), p);
    this.merge(offset, end);
    return true;
  }

  /** Length of the contiguous prefix received from offset 0. */
  get contiguous(): number {
    const first = this.ranges[0];
    return first !== undefined && first[0] === 0 ? first[1] : 0;
  }

  /** Bytes stored, over all ranges. */
  get received(): number {
    let n = 0;
    for (const [s, e] of this.ranges) n += e - s;
    return n;
  }

  /** Number of disjoint ranges stored (1 when the stream so far is gap-free from its first piece). */
  get rangeCount(): number {
    return this.ranges.length;
  }

  /** View of the contiguous prefix (see the class invariants for its lifetime). */
  prefix(): Uint8Array {
    return this.buf.subarray(0, this.contiguous);
  }

  private same(from: number, to: number, data: Uint8Array, offset: number): boolean {
    for (let i = from; i < to; i++) if (this.buf[i] !== data[i - offset]) return false;
    return true;
  }

  private touches(start: number, end: number): boolean {
    for (const [s, e] of this.ranges) if (s <= end && e >= start) return true;
    return false;
  }

  private grow(end: number): void {
    if (end <= this.buf.length) return;
    let size = Math.max(1024, this.buf.length);
    while (size < end) size *= 2;
    const next = new Uint8Array(Math.min(size, this.limit));
    next.set(this.buf);
    this.buf = next;
  }

  private merge(start: number, end: number): void {
    const out: Array<[number, number]> = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const r of this.ranges) {
      if (r[1] < s) out.push(r);
      else if (r[0] > e) {
        if (!placed) {
          out.push([s, e]);
          placed = true;
        }
        out.push(r);
      } else {
        s = Math.min(s, r[0]);
        e = Math.max(e, r[1]);
      }
    }
    if (!placed) out.push([s, e]);
    this.ranges = out;
  }
}
