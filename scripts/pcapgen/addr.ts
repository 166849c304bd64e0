// Textual and numeric forms of IPv4 (RFC 791), IPv6 (RFC 4291 §2.2, RFC 5952) and MAC addresses.

// Parses dotted-quad IPv4 text into 4 bytes.
export function parseIPv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new TypeError(`not an IPv4 address: ${text}`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new TypeError(`not an IPv4 address: ${text}`);
    out[i] = v;
  }
  return out;
}

// Parses IPv6 text (with "::" and an optional trailing dotted quad) into 16 bytes.
export function parseIPv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const halves = text.split('::');
  if (halves.length > 2) throw new TypeError(`not an IPv6 address: ${text}`);
  const toWords = (s: string): number[] => {
    if (s === '') return [];
    const words: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIPv4(g);
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new TypeError(`not an IPv6 address: ${text}`);
        words.push(Number.parseInt(g, 16));
      }
    }
    return words;
  };
  const head = toWords(halves[0]!);
  const tail = halves.length === 2 ? toWords(halves[1]!) : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) {
    throw new TypeError(`not an IPv6 address: ${text}`);
  }
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >>> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

// Parses IPv4 or IPv6 text; bytes pass through unchanged.
export function parseIp(addr: string | Uint8Array): Uint8Array {
  if (typeof addr !== 'string') {
    if (addr.length !== 4 && addr.length !== 16) throw new TypeError('IP address must be 4 or 16 bytes');
    return addr;
  }
  return addr.includes(':') ? parseIPv6(addr) : parseIPv4(addr);
}

// Formats 4 or 16 address bytes as text (IPv6 in RFC 5952 canonical form).
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

// IPv4 address bytes from a 32-bit unsigned integer.
export function ipv4FromU32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

// 32-bit unsigned integer of IPv4 address bytes.
export function ipv4ToU32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

// Parses "aa:bb:cc:dd:ee:ff" into 6 bytes.
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`not a MAC address: ${text}`);
  }
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

// Formats 6 bytes as a lower-case colon-separated MAC address.
export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}
