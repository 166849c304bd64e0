// Internet checksum (RFC 1071) and the TCP/UDP pseudo-header sums of RFC 9293 §3.1 and
// RFC 8200 §8.1.

// Adds the 16-bit big-endian words of buf[off, off+len) to acc (an odd tail byte is padded with 0).
export function sum16(buf: Uint8Array, off: number, len: number, acc = 0): number {
  // High and low bytes are summed apart (8 bytes per step) and combined at the end: the same
  // one's-complement sum once folded, with fewer operations per byte.
  let hi = 0;
  let lo = 0;
  let i = off;
  const end8 = off + (len & ~7);
  for (; i < end8; i += 8) {
    hi += buf[i]! + buf[i + 2]! + buf[i + 4]! + buf[i + 6]!;
    lo += buf[i + 1]! + buf[i + 3]! + buf[i + 5]! + buf[i + 7]!;
  }
  const end = off + (len & ~1);
  for (; i < end; i += 2) {
    hi += buf[i]!;
    lo += buf[i + 1]!;
  }
  if (len & 1) hi += buf[off + len - 1]!;
  return acc + hi * 256 + lo;
}

// Folds a running sum to 16 bits with end-around carry.
export function foldSum(sum: number): number {
  let s = sum;
  while (s > 0xffffffff) s = (s % 65536) + Math.floor(s / 65536);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

// Final one's-complement checksum of a running sum.
export function finishChecksum(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

// Checksum of buf[off, off+len), e.g. an IPv4 header with its checksum field zeroed.
export function internetChecksum(buf: Uint8Array, off: number, len: number): number {
  return finishChecksum(sum16(buf, off, len));
}

// Sum of the IPv4 or IPv6 pseudo-header for an upper-layer packet of `length` bytes.
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  const s = sum16(src, 0, src.length, 0);
  const d = sum16(dst, 0, dst.length, s);
  // IPv4: zero, protocol, 16-bit length. IPv6: 32-bit length, 24 zero bits, next header.
  return d + protocol + (length & 0xffff) + Math.floor(length / 65536);
}
