// 64-bit SimHash over weighted tokens, DECNET-style digraph tokens (decnet-reference.md §4.6).
//
// Reproducing a hash by hand:
//   1. Token hash = FNV-1a 64 of the token's UTF-8 bytes: h = 0xcbf29ce484222325; for each byte
//      b: h = (h XOR b) * 0x100000001b3 mod 2^64. (FNV-1a 64("a") = 0xaf63dc4c8601ec8c.)
//   2. For each bit i (0 = least significant) keep a sum v[i] over tokens of +w when bit i of the
//      token hash is 1 and -w when it is 0 (w = the token weight).
//   3. Bit i of the SimHash is 1 iff v[i] > 0 (a tie gives 0). The 64-bit result is returned as a
//      signed bigint (two's complement), so it fits a PostgreSQL bigint.
// Digraph tokens (see digraphToken): `${digraph}:${bucket}`, where digraph is the two typed
// characters and bucket the index 0–6 of the digraph's median inter-key time against the edges
// 30/60/120/250/500/1000 ms (0: < 30 ms, 1: 30–60, …, 5: 500–1000, 6: ≥ 1000 ms); weight = the
// digraph's count.

/** Upper edges (exclusive) of the IAT buckets, in milliseconds; bucket 6 is ≥ 1000 ms. */
export const DIGRAPH_IAT_BUCKET_EDGES_MS = [30, 60, 120, 250, 500, 1000] as const;

const TWO_32 = 4294967296;
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
/** Low part of the FNV-64 prime 0x100000001b3 = 2^40 + 0x1b3. */
const FNV_PRIME_LOW = 0x1b3;

/** FNV-1a 64 state: high and low 32 bits (unsigned), updated without BigInt. */
let fnvHi = 0;
let fnvLo = 0;

function fnvByte(b: number): void {
  const lo = (fnvLo ^ b) >>> 0;
  // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64
  const loMul = lo * FNV_PRIME_LOW; // < 2^41, exact
  const carry = Math.floor(loMul / TWO_32);
  fnvLo = loMul - carry * TWO_32;
  fnvHi = (fnvHi * FNV_PRIME_LOW + carry + ((lo << 8) >>> 0)) % TWO_32; // < 2^42, exact
}

/** FNV-1a 64 of the UTF-8 encoding of `s` (lone surrogates encode as U+FFFD, like TextEncoder),
 *  as [high 32 bits, low 32 bits], unsigned. */
export function fnv1a64Parts(s: string): [number, number] {
  fnvHi = FNV_OFFSET_HI;
  fnvLo = FNV_OFFSET_LO;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      fnvByte(c);
      continue;
    }
    if (c < 0x800) {
      fnvByte(0xc0 | (c >> 6));
      fnvByte(0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
        fnvByte(0xf0 | (c >> 18));
        fnvByte(0x80 | ((c >> 12) & 0x3f));
        fnvByte(0x80 | ((c >> 6) & 0x3f));
        fnvByte(0x80 | (c & 0x3f));
        continue;
      }
      c = 0xfffd;
    }
    fnvByte(0xe0 | (c >> 12));
    fnvByte(0x80 | ((c >> 6) & 0x3f));
    fnvByte(0x80 | (c & 0x3f));
  }
  return [fnvHi, fnvLo];
}

/** FNV-1a 64 of the UTF-8 bytes of `s`, as an unsigned bigint. */
export function fnv1a64(s: string): bigint {
  const [hi, lo] = fnv1a64Parts(s);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** A token and its weight. */
export interface WeightedToken {
  token: string;
  weight: number;
}

/** FNV-1a 64 of tokens already seen: the same digraph:bucket tokens recur in every session. Emptied
 *  when it reaches TOKEN_HASH_CACHE_MAX entries (tokens are short, so it stays a few MiB). */
const tokenHashes = new Map<string, [number, number]>();
const TOKEN_HASH_CACHE_MAX = 65_536;

/** Weight sums by nibble position (16 of a 64-bit hash) and nibble value (16): simhash64's
 *  accumulator, reused (single-threaded). */
const nibbleSums = new Float64Array(16 * 16);

/** 64-bit SimHash of weighted tokens (see the file comment), as a signed 64-bit bigint.
 *
 *  Bit b is set when the weights of the tokens whose hash has bit b set outweigh the others:
 *  sum(set) − sum(clear) = 2·sum(set) − total > 0. The per-bit sums are gathered a nibble at a
 *  time (16 additions per token instead of 64 signed ones) and summed per bit at the end; exact
 *  for integer weights, which is what the profile uses (digraph counts). */
export function simhash64(tokens: Iterable<WeightedToken>): bigint {
  const acc = nibbleSums;
  acc.fill(0);
  let total = 0;
  for (const { token, weight } of tokens) {
    if (!Number.isFinite(weight) || weight === 0) continue;
    let parts = tokenHashes.get(token);
    if (parts === undefined) {
      parts = fnv1a64Parts(token);
      if (tokenHashes.size >= TOKEN_HASH_CACHE_MAX) tokenHashes.clear();
      tokenHashes.set(token, parts);
    }
    const [hi, lo] = parts;
    total += weight;
    for (let j = 0; j < 8; j++) {
      acc[(j << 4) | ((lo >>> (j << 2)) & 15)]! += weight;
      acc[((j + 8) << 4) | ((hi >>> (j << 2)) & 15)]! += weight;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let j = 0; j < 16; j++) {
    for (let k = 0; k < 4; k++) {
      const bit = 1 << k;
      let set = 0;
      for (let v = bit; v < 16; v = (v + 1) | bit) set += acc[(j << 4) | v]!;
      if (2 * set <= total) continue;
      const b = (j << 2) + k;
      if (b < 32) lo |= 1 << b;
      else hi |= 1 << (b - 32);
    }
  }
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/** Number of differing bits between two 64-bit values (signed or unsigned bigints). */
export function hamming64(a: bigint, b: bigint): number {
  const x = BigInt.asUintN(64, a ^ b);
  let hi = Number(x >> 32n);
  let lo = Number(x & 0xffffffffn);
  let count = 0;
  while (hi !== 0) {
    hi &= hi - 1;
    count++;
  }
  while (lo !== 0) {
    lo &= lo - 1;
    count++;
  }
  return count;
}

/** IAT bucket index 0–6 of a time in milliseconds (see DIGRAPH_IAT_BUCKET_EDGES_MS). */
export function iatBucket(ms: number): number {
  let i = 0;
  while (i < DIGRAPH_IAT_BUCKET_EDGES_MS.length && ms >= DIGRAPH_IAT_BUCKET_EDGES_MS[i]!) i++;
  return i;
}

/** The SimHash token of a digraph whose median inter-key time is `medianIatMs`. */
export function digraphToken(digraph: string, medianIatMs: number): string {
  return `${digraph}:${iatBucket(medianIatMs)}`;
}
