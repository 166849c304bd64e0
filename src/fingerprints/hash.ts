import * as crypto from 'node:crypto';

/**
 * Hashes and list encodings shared by the fingerprints. Inputs are ASCII fingerprint strings.
 *
 * Speed: lists are rendered into one reused scratch buffer and decoded once (no per-value string
 * building), `crypto.hash` (one-shot, Node ≥ 20.12) is used when present, and results for short
 * inputs are memoised in a bounded map, because sensors see the same few client stacks over and over.
 */

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot: OneShot | undefined = (crypto as { hash?: OneShot }).hash;

/** Memo entries per algorithm; the map is cleared when full (bounded memory, no LRU bookkeeping). */
const HASH_MEMO_MAX_ENTRIES = 4096;
/** Characters; longer inputs are hashed but not memoised, so the memo stays under ~4096 × 512 chars. */
const HASH_MEMO_MAX_KEY_LENGTH = 512;

const md5Memo = new Map<string, string>();
const sha256Memo = new Map<string, string>();

function digest(algorithm: 'md5' | 'sha256', s: string): string {
  return oneShot !== undefined
    ? oneShot(algorithm, s, 'hex')
    : crypto.createHash(algorithm).update(s).digest('hex');
}

function memoised(memo: Map<string, string>, algorithm: 'md5' | 'sha256', s: string): string {
  if (s.length > HASH_MEMO_MAX_KEY_LENGTH) return digest(algorithm, s);
  let h = memo.get(s);
  if (h === undefined) {
    h = digest(algorithm, s);
    if (memo.size >= HASH_MEMO_MAX_ENTRIES) memo.clear();
    memo.set(s, h);
  }
  return h;
}

/** Lower-case hex MD5 of the UTF-8 string `s`. */
export function md5Hex(s: string): string {
  return memoised(md5Memo, 'md5', s);
}

/** Lower-case hex SHA-256 of the UTF-8 string `s`. */
export function sha256Hex(s: string): string {
  return memoised(sha256Memo, 'sha256', s);
}

/** JA4+ "hash12": the first 12 lower-case hex characters of SHA-256 of `s`. */
export function hash12(s: string): string {
  return sha256Hex(s).slice(0, 12);
}

/** HEX2[b] = two lower-case hex digits of the byte b. */
export const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lazily filled cache of 4-hex strings, one slot per 16-bit value (so repeated codes share one string). */
const HEX4_CACHE: Array<string | undefined> = new Array(65536);

/** Four lower-case hex digits of the 16-bit value `v` ("0a0a", "1301"). */
export function hex4(v: number): string {
  const k = v & 0xffff;
  let s = HEX4_CACHE[k];
  if (s === undefined) {
    s = HEX2[k >> 8]! + HEX2[k & 0xff]!;
    HEX4_CACHE[k] = s;
  }
  return s;
}

const HEX_DIGIT = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Bytes of scratch: enough for the longest list we render (6 chars per 16-bit decimal value). */
const SCRATCH_INITIAL_BYTES = 16 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_INITIAL_BYTES);

/** Makes sure the scratch buffer holds `n` bytes (grows by doubling, bounded by the caller's input). */
function reserve(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  return scratch;
}

/** Joins 16-bit values as 4-hex codes with a one-character separator (default ','). */
export function joinHex4(list: ArrayLike<number>, sep = ','): string {
  const n = list.length;
  if (n === 0) return '';
  const buf = reserve(n * 5);
  const sepCode = sep.charCodeAt(0);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const v = list[i]!;
    if (i > 0) buf[p++] = sepCode;
    buf[p++] = HEX_DIGIT[(v >> 12) & 15]!;
    buf[p++] = HEX_DIGIT[(v >> 8) & 15]!;
    buf[p++] = HEX_DIGIT[(v >> 4) & 15]!;
    buf[p++] = HEX_DIGIT[v & 15]!;
  }
  return buf.toString('latin1', 0, p);
}

/**
 * Joins non-negative 16-bit integers in decimal with a one-character separator, skipping values for
 * which `skip` returns true.
 */
export function joinDecimal(list: ArrayLike<number>, sep: string, skip?: (v: number) => boolean): string {
  const n = list.length;
  if (n === 0) return '';
  const buf = reserve(n * 6);
  const sepCode = sep.charCodeAt(0);
  let p = 0;
  let first = true;
  for (let i = 0; i < n; i++) {
    let v = list[i]! & 0xffff;
    if (skip?.(v)) continue;
    if (!first) buf[p++] = sepCode;
    first = false;
    if (v >= 10000) buf[p++] = 48 + ((v / 10000) | 0);
    if (v >= 1000) buf[p++] = 48 + (((v / 1000) | 0) % 10);
    if (v >= 100) buf[p++] = 48 + (((v / 100) | 0) % 10);
    if (v >= 10) buf[p++] = 48 + (((v / 10) | 0) % 10);
    v %= 10;
    buf[p++] = 48 + v;
  }
  return buf.toString('latin1', 0, p);
}
