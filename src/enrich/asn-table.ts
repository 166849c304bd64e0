// Compact in-memory IP-range → ASN tables parsed from ip-location-db's numeric CSVs
// (`start,end,asn,"org"`, inclusive ranges, sorted by start). IPv4 ranges are Uint32Array pairs;
// IPv6 ranges are four big-endian 32-bit words per address. Organisation names are deduplicated.
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

/** IPv4 range table. */
export class AsnTable4 {
  readonly info: AsnTableInfo;
  private constructor(
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly orgs: Uint32Array,
    private readonly names: string[],
    info: AsnTableInfo,
  ) {
    this.info = info;
  }

  /** Parses `asn-ipv4-num.csv` text (decimal start and end). */
  static parse(text: string): AsnTable4 {
    const t0 = performance.now();
    const names = new NameTable();
    let cap = 1024;
    let starts: Uint32Array = new Uint32Array(cap);
    let ends: Uint32Array = new Uint32Array(cap);
    let asns: Uint32Array = new Uint32Array(cap);
    let orgs: Uint32Array = new Uint32Array(cap);
    let count = 0;
    let skipped = 0;
    let sorted = true;
    const bad = scanCsv(text, (r) => {
      const s = Number(r.start);
      const e = Number(r.end);
      if (
        !(s >= 0 && e >= s && e <= 0xffffffff) ||
        !Number.isInteger(s) ||
        !Number.isInteger(e) ||
        r.asn === 0
      ) {
        skipped++;
        return;
      }
      if (count === cap) {
        cap *= 2;
        starts = grow(starts, cap);
        ends = grow(ends, cap);
        asns = grow(asns, cap);
        orgs = grow(orgs, cap);
      }
      if (count > 0 && s < starts[count - 1]!) sorted = false;
      starts[count] = s;
      ends[count] = e;
      asns[count] = r.asn;
      orgs[count] = names.intern(r.org);
      count++;
    });
    if (!sorted) {
      const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => starts[a]! - starts[b]!);
      [starts, ends, asns, orgs] = [starts, ends, asns, orgs].map((arr) =>
        Uint32Array.from(order, (i) => arr[i]!),
      ) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    }
    let clipped = 0;
    for (let i = 1; i < count; i++) {
      if (starts[i]! <= ends[i - 1]!) {
        // Overlap (a known defect of some data releases): the later row wins from its start on.
        ends[i - 1] = starts[i]! - 1; // may become < start for identical starts: never matches then
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
    return new AsnTable4(
      starts.slice(0, count),
      ends.slice(0, count),
      asns.slice(0, count),
      orgs.slice(0, count),
      names.names,
      info,
    );
  }

  /** Looks up a 32-bit address (as an unsigned number). */
  lookup(x: number): AsnHit | null {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= x) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const start = starts[found]!;
    const end = this.ends[found]!;
    if (x > end || end < start) return null;
    return {
      asn: this.asns[found]!,
      org: this.names[this.orgs[found]!] || null,
      prefix: cidr4Within(x, start, end),
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

/** IPv6 range table: four 32-bit words per address, most significant first. */
export class AsnTable6 {
  readonly info: AsnTableInfo;
  private constructor(
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly orgs: Uint32Array,
    private readonly names: string[],
    info: AsnTableInfo,
  ) {
    this.info = info;
  }

  /** Parses `asn-ipv6-num.csv` text (128-bit decimal start and end); rows out of start order are skipped. */
  static parse(text: string): AsnTable6 {
    const t0 = performance.now();
    const names = new NameTable();
    let cap = 1024;
    let starts: Uint32Array = new Uint32Array(cap * 4);
    let ends: Uint32Array = new Uint32Array(cap * 4);
    let asns: Uint32Array = new Uint32Array(cap);
    let orgs: Uint32Array = new Uint32Array(cap);
    let count = 0;
    let skipped = 0;
    let prevStart = -1n;
    const bad = scanCsv(text, (r) => {
      let s: bigint;
      let e: bigint;
      try {
        s = BigInt(r.start);
        e = BigInt(r.end);
      } catch {
        skipped++;
        return;
      }
      if (s < 0n || e < s || e >> 128n !== 0n || r.asn === 0 || s < prevStart) {
        skipped++;
        return;
      }
      prevStart = s;
      if (count === cap) {
        cap *= 2;
        starts = grow(starts, cap * 4);
        ends = grow(ends, cap * 4);
        asns = grow(asns, cap);
        orgs = grow(orgs, cap);
      }
      putWords(starts, count, s);
      putWords(ends, count, e);
      asns[count] = r.asn;
      orgs[count] = names.intern(r.org);
      count++;
    });
    let clipped = 0;
    for (let i = 1; i < count; i++) {
      if (cmpAt(starts, i, ends, i - 1) <= 0) {
        putWords(ends, i - 1, wordsToBig(starts, i) - 1n);
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
    return new AsnTable6(
      starts.slice(0, count * 4),
      ends.slice(0, count * 4),
      asns.slice(0, count),
      orgs.slice(0, count),
      names.names,
      info,
    );
  }

  /** Looks up a 16-byte address. */
  lookup(b: Uint8Array): AsnHit | null {
    const x = new Uint32Array(4);
    for (let k = 0; k < 4; k++) {
      x[k] = ((b[4 * k]! << 24) | (b[4 * k + 1]! << 16) | (b[4 * k + 2]! << 8) | b[4 * k + 3]!) >>> 0;
    }
    const n = this.asns.length;
    let lo = 0;
    let hi = n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpAt(this.starts, mid, x, 0) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    if (cmpAt(x, 0, this.ends, found) > 0 || cmpAt(this.ends, found, this.starts, found) < 0) return null;
    return {
      asn: this.asns[found]!,
      org: this.names[this.orgs[found]!] || null,
      prefix: cidr6Within(wordsToBig(x, 0), wordsToBig(this.starts, found), wordsToBig(this.ends, found)),
    };
  }
}

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

function cmpAt(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let k = 0; k < 4; k++) {
    const d = a[4 * i + k]! - b[4 * j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

function bigToBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
