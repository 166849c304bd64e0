// IP address formatting and CIDR parsing without allocation-heavy helpers.

/** Formats 4 or 16 address bytes: dotted IPv4 or RFC 5952 compressed IPv6. */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = new Array(8);
  for (let i = 0; i < 8; i++) words[i] = (b[2 * i]! << 8) | b[2 * i + 1]!;
  // IPv4-mapped ::ffff:a.b.c.d
  if (
    words[0] === 0 &&
    words[1] === 0 &&
    words[2] === 0 &&
    words[3] === 0 &&
    words[4] === 0 &&
    words[5] === 0xffff
  ) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // Longest run of zero words (length >= 2), first one on ties (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += words[i]!.toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

/** Parses a dotted IPv4 or textual IPv6 address into bytes; null when invalid. */
export function parseIp(s: string): Uint8Array | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return Uint8Array.from(parts);
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let head = s;
  let v4: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    v4 = parseIp(s.slice(lastColon + 1));
    if (v4?.length !== 4) return null;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return null;
  const left = dbl[0] ? dbl[0].split(':') : [];
  const right = dbl.length === 2 && dbl[1] ? dbl[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if ((dbl.length === 1 && missing !== 0) || missing < 0 || (dbl.length === 2 && missing < 1)) return null;
  const words = [...left, ...new Array(dbl.length === 2 ? missing : 0).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const w = words[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
    const n = Number.parseInt(w, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

export interface Cidr {
  version: 4 | 6;
  addr: Uint8Array;
  prefix: number;
}

/** Parses "addr/prefix" (or a bare address); null when invalid. Host bits are cleared. */
export function parseCidr(s: string): Cidr | null {
  const [a, p, ...rest] = s.trim().split('/');
  if (!a || rest.length) return null;
  const addr = parseIp(a);
  if (!addr) return null;
  const bits = addr.length * 8;
  const prefix = p === undefined ? bits : /^\d+$/.test(p) ? Number(p) : Number.NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return null;
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    addr[i]! &= (0xff00 >> keep) & 0xff;
  }
  return { version: addr.length === 4 ? 4 : 6, addr, prefix };
}
