// Compact in-memory IP-range → ASN tables parsed from ip-location-db's numeric CSVs
// (`start,end,asn,"org"`, inclusive ranges, sorted by start), one class for both families: an
// address is one 32-bit word (IPv4) or four big-endian words (IPv6). Organisation names are
// deduplicated.
// Lookup is a binary search for the last range starting at or before the address.

import { formatIp } from '../util/ip.js';

/** One ASN hit: the AS, its organisation and the CIDR block of the range that holds the address. */
export interface AsnHit {
  asn: number;
  org: string | null;
  prefix: string;
}

/** Load figures for describe()/diagnostics. */
export interface AsnTableInfo {
  rows: number;
  /** Rows whose range overlapped the next row's start and were shortened (later row wins). */
  clipped: number;
  /** Rows skipped: ASN 0, end before start or unparseable. */
  skipped: number;
  names: number;
  loadMs: number;
}

interface RawRow {
  start: string;
  end: string;
  asn: number;
  org: string;
}

/** Calls `row` for every data line of a `start,end,asn,org` CSV; `org` may be quoted with "" escapes. */
function scanCsv(text: string, row: (r: RawRow) => void): number {
  let bad = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let eol = text.indexOf('\n', i);
    if (eol < 0) eol = n;
    const c1 = text.indexOf(',', i);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c1 < 0 || c3 < 0 || c3 >= eol) {
      if (text.slice(i, eol).trim() !== '') bad++;
      i = eol + 1;
      continue;
    }
    let org: string;
    let next: number;
    if (text.charCodeAt(c3 + 1) === 0x22 /* " */) {
      // Quoted field: may contain commas, "" escapes and (in theory) newlines.
      let j = c3 + 2;
      let out = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          out += text.slice(j);
          j = n;
          break;
        }
        out += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          out += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      org = out;
      const e = text.indexOf('\n', j);
      next = e < 0 ? n : e + 1;
    } else {
      org = text.slice(c3 + 1, eol);
      if (org.endsWith('\r')) org = org.slice(0, -1);
      next = eol + 1;
    }
    const asn = Number(text.slice(c2 + 1, c3));
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) bad++;
    else row({ start: text.slice(i, c1), end: text.slice(c1 + 1, c2), asn, org });
    i = next;
  }
  return bad;
}

class NameTable {
  readonly names: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  intern(s: string): number {
    let k = this.index.get(s);
    if (k === undefined) {
      k = this.names.length;
      // Flat copy: a slice of the CSV text would keep the whole file's string alive.
      const flat = Buffer.from(s, 'utf8').toString('utf8');
      this.names.push(flat);
      this.index.set(flat, k);
    }
    return k;
  }
}

function grow(a: Uint32Array, min: number): Uint32Array {
  if (a.length >= min) return a;
  const b = new Uint32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** An address family's key: 1 word for IPv4, 4 big-endian 32-bit words for IPv6. */
interface Family {
  words: 1 | 4;
  /** Writes the decimal address `text` as entry `i` of `arr`; false when it is not one. */
  put(arr: Uint32Array, i: number, text: string): boolean;
  /** The CIDR block of the range [start, end] (entries `i` of the tables) that holds `x`. */
  prefix(x: Uint32Array, starts: Uint32Array, ends: Uint32Array, i: number): string;
}

const IPV4: Family = {
  words: 1,
  put(arr, i, text) {
    const v = Number(text);
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) return false;
    arr[i] = v;
    return true;
  },
  prefix: (x, starts, ends, i) => cidr4Within(x[0]!, starts[i]!, ends[i]!),
};

const IPV6: Family = {
  words: 4,
  put(arr, i, text) {
    let v: bigint;
    try {
      v = BigInt(text);
    } catch {
      return false;
    }
    if (v < 0n || v >> 128n !== 0n) return false;
    putWords(arr, i, v);
    return true;
  },
  prefix: (x, starts, ends, i) => cidr6Within(wordsToBig(x, 0), wordsToBig(starts, i), wordsToBig(ends, i)),
};

/** A range table of one address family: sorted inclusive [start, end] ranges, `words` 32-bit
 *  words per address, with their ASN and organisation. */
export class AsnTable {
  readonly info: AsnTableInfo;
  private constructor(
    private readonly family: Family,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly orgs: Uint32Array,
    private readonly names: string[],
    info: AsnTableInfo,
  ) {
    this.info = info;
  }

  /** Parses `asn-ipv4-num.csv` (version 4) or `asn-ipv6-num.csv` (version 6) text: decimal start
   *  and end. Rows out of start order are sorted; overlapping rows are clipped (later row wins). */
  static parse(text: string, version: 4 | 6): AsnTable {
    const t0 = performance.now();
    const family = version === 4 ? IPV4 : IPV6;
    const w = family.words;
    const names = new NameTable();
    let cap = 1024;
    let starts: Uint32Array = new Uint32Array(cap * w);
    let ends: Uint32Array = new Uint32Array(cap * w);
    let asns: Uint32Array = new Uint32Array(cap);
    let orgs: Uint32Array = new Uint32Array(cap);
    let count = 0;
    let skipped = 0;
    let sorted = true;
    const bad = scanCsv(text, (r) => {
      if (count === cap) {
        cap *= 2;
        starts = grow(starts, cap * w);
        ends = grow(ends, cap * w);
        asns = grow(asns, cap);
        orgs = grow(orgs, cap);
      }
      if (
        r.asn === 0 ||
        !family.put(starts, count, r.start) ||
        !family.put(ends, count, r.end) ||
        cmpAt(ends, count, starts, count, w) < 0
      ) {
        skipped++;
        return;
      }
      if (count > 0 && cmpAt(starts, count, starts, count - 1, w) < 0) sorted = false;
      asns[count] = r.asn;
      orgs[count] = names.intern(r.org);
      count++;
    });
    if (!sorted) {
      const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => cmpAt(starts, a, starts, b, w));
      const pick = (arr: Uint32Array, k: number) => {
        const out = new Uint32Array(count * k);
        for (const [to, from] of order.entries()) out.set(arr.subarray(from * k, from * k + k), to * k);
        return out;
      };
      [starts, ends, asns, orgs] = [pick(starts, w), pick(ends, w), pick(asns, 1), pick(orgs, 1)];
    }
    let clipped = 0;
    for (let i = 1; i < count; i++) {
      if (cmpAt(starts, i, ends, i - 1, w) <= 0) {
        // Overlap (a known defect of some data releases): the later row wins from its start on.
        // The earlier end becomes start - 1, below its own start for identical starts: it never
        // matches then.
        setToPredecessor(ends, i - 1, starts, i, w);
        clipped++;
      }
    }
    const info: AsnTableInfo = {
      rows: count,
      clipped,
      skipped: skipped + bad,
      names: names.names.length - 1,
      loadMs: performance.now() - t0,
    };
    return new AsnTable(
      family,
      starts.slice(0, count * w),
      ends.slice(0, count * w),
      asns.slice(0, count),
      orgs.slice(0, count),
      names.names,
      info,
    );
  }

  /** Looks up an address of the table's family (4 or 16 bytes). */
  lookup(b: Uint8Array): AsnHit | null {
    const w = this.family.words;
    const x = new Uint32Array(w);
    for (let k = 0; k < w; k++) {
      x[k] = ((b[4 * k]! << 24) | (b[4 * k + 1]! << 16) | (b[4 * k + 2]! << 8) | b[4 * k + 3]!) >>> 0;
    }
    let lo = 0;
    let hi = this.asns.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpAt(this.starts, mid, x, 0, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    if (cmpAt(x, 0, this.ends, found, w) > 0 || cmpAt(this.ends, found, this.starts, found, w) < 0)
      return null;
    return {
      asn: this.asns[found]!,
      org: this.names[this.orgs[found]!] || null,
      prefix: this.family.prefix(x, this.starts, this.ends, found),
    };
  }
}

/** The largest CIDR block that contains `x` and lies inside [start, end] (all unsigned 32-bit). */
export function cidr4Within(x: number, start: number, end: number): string {
  for (let p = 0; p <= 32; p++) {
    const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
    const lo = (x & mask) >>> 0;
    const hi = (lo | ~mask) >>> 0;
    if (lo >= start && hi <= end) {
      return `${lo >>> 24}.${(lo >>> 16) & 0xff}.${(lo >>> 8) & 0xff}.${lo & 0xff}/${p}`;
    }
  }
  return `${x >>> 24}.${(x >>> 16) & 0xff}.${(x >>> 8) & 0xff}.${x & 0xff}/32`;
}

const MASK32 = 0xffffffffn;

/** The largest CIDR block that contains `x` and lies inside [start, end] (128-bit). */
export function cidr6Within(x: bigint, start: bigint, end: bigint): string {
  // A block can be no larger than the range, which bounds the shortest possible prefix.
  const sizeBits = (end - start + 1n).toString(2).length - 1;
  const ALL = (1n << 128n) - 1n;
  for (let p = Math.max(0, 128 - sizeBits); p <= 128; p++) {
    const hostMask = (1n << BigInt(128 - p)) - 1n;
    const lo = x & (ALL ^ hostMask);
    const hi = lo | hostMask;
    if (lo >= start && hi <= end) return `${formatIp(bigToBytes(lo))}/${p}`;
  }
  return `${formatIp(bigToBytes(x))}/128`;
}

function putWords(arr: Uint32Array, i: number, v: bigint): void {
  arr[4 * i] = Number((v >> 96n) & MASK32);
  arr[4 * i + 1] = Number((v >> 64n) & MASK32);
  arr[4 * i + 2] = Number((v >> 32n) & MASK32);
  arr[4 * i + 3] = Number(v & MASK32);
}

function wordsToBig(arr: Uint32Array, i: number): bigint {
  return (
    (BigInt(arr[4 * i]!) << 96n) |
    (BigInt(arr[4 * i + 1]!) << 64n) |
    (BigInt(arr[4 * i + 2]!) << 32n) |
    BigInt(arr[4 * i + 3]!)
  );
}

/** Compares entry i of `a` with entry j of `b`, `w` words each, most significant first. */
function cmpAt(a: Uint32Array, i: number, b: Uint32Array, j: number, w: number): number {
  for (let k = 0; k < w; k++) {
    const d = a[w * i + k]! - b[w * j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Sets entry i of `a` to entry j of `b` minus one (wrapping below zero, as Uint32 words do). */
function setToPredecessor(a: Uint32Array, i: number, b: Uint32Array, j: number, w: number): void {
  let borrow = 1;
  for (let k = w - 1; k >= 0; k--) {
    const v = b[w * j + k]! - borrow;
    a[w * i + k] = v >>> 0;
    borrow = v < 0 ? 1 : 0;
  }
}

function bigToBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
