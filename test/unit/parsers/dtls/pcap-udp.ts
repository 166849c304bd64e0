/**
 * Test-only: reads a classic pcap or pcapng file and returns every UDP flow with the payloads of each
 * direction in capture order (the client is the side that sent first), plus the 1-based frame number
 * of each datagram so tests can line them up with tshark output. Handles Ethernet (+VLAN/QinQ), Linux
 * SLL/SLL2, raw IP and BSD loopback framing, IPv4 and IPv6 (extension headers skipped); IP fragments and
 * tunnels are ignored. Not production code: the real capture path is native/.
 */
import { readFileSync } from 'node:fs';

export interface UdpEndpoint {
  ip: string;
  port: number;
}

export interface UdpFlow {
  client: UdpEndpoint;
  server: UdpEndpoint;
  clientDatagrams: Uint8Array[];
  serverDatagrams: Uint8Array[];
  /** Frame number (1-based, capture order) of each datagram above. */
  clientFrames: number[];
  serverFrames: number[];
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;
/** DLT_RAW as some systems number it (OpenBSD 14, others 12). */
const LINKTYPE_RAW_ALIASES = [12, 14];

const IPPROTO_UDP = 17;

/** Reads every UDP flow of a capture file, in order of first appearance. */
export function readUdpFlows(path: string): UdpFlow[] {
  const file = new Uint8Array(readFileSync(path));
  const flows = new Map<string, UdpFlow>();
  let frameNo = 0;
  for (const { linkType, frame } of frames(file, path)) {
    frameNo++;
    const ip = linkToIp(linkType, frame);
    const udp = ip === undefined ? undefined : ipToUdp(ip);
    if (udp === undefined) continue;
    const a = `${udp.src}|${udp.srcPort}`;
    const b = `${udp.dst}|${udp.dstPort}`;
    const forward = flows.get(`${a}>${b}`);
    if (forward !== undefined) {
      forward.clientDatagrams.push(udp.payload);
      forward.clientFrames.push(frameNo);
      continue;
    }
    const reverse = flows.get(`${b}>${a}`);
    if (reverse !== undefined) {
      reverse.serverDatagrams.push(udp.payload);
      reverse.serverFrames.push(frameNo);
      continue;
    }
    flows.set(`${a}>${b}`, {
      client: { ip: udp.src, port: udp.srcPort },
      server: { ip: udp.dst, port: udp.dstPort },
      clientDatagrams: [udp.payload],
      serverDatagrams: [],
      clientFrames: [frameNo],
      serverFrames: [],
    });
  }
  return [...flows.values()];
}

function* frames(f: Uint8Array, path: string): Generator<{ linkType: number; frame: Uint8Array }> {
  if (f.length < 24) throw new Error(`not a capture file: ${path}`);
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const magic = dv.getUint32(0, false);
  if (magic === 0x0a0d0d0a) {
    yield* pcapngFrames(f, dv);
    return;
  }
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a capture file: ${path}`);
  const linkType = dv.getUint32(20, le) & 0xffff;
  let p = 24;
  while (p + 16 <= f.length) {
    const incl = dv.getUint32(p + 8, le);
    if (p + 16 + incl > f.length) break;
    yield { linkType, frame: f.subarray(p + 16, p + 16 + incl) };
    p += 16 + incl;
  }
}

function* pcapngFrames(f: Uint8Array, dv: DataView): Generator<{ linkType: number; frame: Uint8Array }> {
  let le = true;
  const links: number[] = [];
  let p = 0;
  while (p + 12 <= f.length) {
    if (dv.getUint32(p, false) === 0x0a0d0d0a) {
      // Section Header Block: its byte-order magic decides the endianness of the section.
      le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
      links.length = 0;
    }
    const type = dv.getUint32(p, le);
    const len = dv.getUint32(p + 4, le);
    if (len < 12 || p + len > f.length) break;
    if (type === 1) {
      links.push(dv.getUint16(p + 8, le)); // Interface Description Block
    } else if (type === 6 && len >= 32) {
      const cap = dv.getUint32(p + 20, le); // Enhanced Packet Block
      if (p + 28 + cap <= p + len)
        yield { linkType: links[dv.getUint32(p + 8, le)] ?? 1, frame: f.subarray(p + 28, p + 28 + cap) };
    } else if (type === 3 && len >= 16) {
      const orig = dv.getUint32(p + 8, le); // Simple Packet Block
      const cap = Math.min(orig, len - 16);
      yield { linkType: links[0] ?? 1, frame: f.subarray(p + 12, p + 12 + cap) };
    } else if (type === 2 && len >= 32) {
      const cap = dv.getUint32(p + 20, le); // obsolete Packet Block
      if (p + 28 + cap <= p + len)
        yield { linkType: links[dv.getUint16(p + 8, le)] ?? 1, frame: f.subarray(p + 28, p + 28 + cap) };
    }
    p += len;
  }
}

/** The IP packet inside a link-layer frame, or undefined. */
function linkToIp(linkType: number, fr: Uint8Array): Uint8Array | undefined {
  const u16 = (o: number) => (fr[o]! << 8) | fr[o + 1]!;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (fr.length < 14) return undefined;
      let type = u16(12);
      let o = 14;
      while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && o + 4 <= fr.length) {
        type = u16(o + 2);
        o += 4;
      }
      return type === 0x0800 || type === 0x86dd ? fr.subarray(o) : undefined;
    }
    case LINKTYPE_LINUX_SLL:
      return fr.length >= 16 && (u16(14) === 0x0800 || u16(14) === 0x86dd) ? fr.subarray(16) : undefined;
    case LINKTYPE_LINUX_SLL2:
      return fr.length >= 20 && (u16(0) === 0x0800 || u16(0) === 0x86dd) ? fr.subarray(20) : undefined;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      // 4-byte address family (host order for NULL, network order for LOOP); the IP version nibble decides.
      return fr.length > 4 ? fr.subarray(4) : undefined;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return fr;
    default:
      return LINKTYPE_RAW_ALIASES.includes(linkType) ? fr : undefined;
  }
}

interface Udp {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

function ipv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** IPv6 address in the RFC 5952 short form (lower-case hex, longest zero run as '::'). */
function ipv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** The UDP datagram inside an IPv4/IPv6 packet, or undefined (not UDP, fragment, truncated). */
function ipToUdp(ip: Uint8Array): Udp | undefined {
  if (ip.length < 1) return undefined;
  const version = ip[0]! >> 4;
  let proto: number;
  let l4: Uint8Array;
  let src: string;
  let dst: string;
  if (version === 4) {
    const ihl = (ip[0]! & 0x0f) * 4;
    if (ip.length < 20 || ihl < 20) return undefined;
    const fragment = ((ip[6]! << 8) | ip[7]!) & 0x3fff; // MF flag + offset
    if (fragment !== 0) return undefined;
    const total = (ip[2]! << 8) | ip[3]!;
    proto = ip[9]!;
    src = ipv4(ip.subarray(12, 16));
    dst = ipv4(ip.subarray(16, 20));
    l4 = ip.subarray(ihl, Math.min(ip.length, Math.max(total, ihl)));
  } else if (version === 6) {
    if (ip.length < 40) return undefined;
    const payloadLength = (ip[4]! << 8) | ip[5]!;
    proto = ip[6]!;
    src = ipv6(ip.subarray(8, 24));
    dst = ipv6(ip.subarray(24, 40));
    let o = 40;
    const end = Math.min(ip.length, 40 + payloadLength);
    // Hop-by-hop, routing, destination options: skip; fragment header: give up.
    while (proto === 0 || proto === 43 || proto === 60) {
      if (o + 2 > end) return undefined;
      proto = ip[o]!;
      o += (ip[o + 1]! + 1) * 8;
    }
    if (proto === 44) return undefined;
    l4 = ip.subarray(Math.min(o, end), end);
  } else {
    return undefined;
  }
  if (proto !== IPPROTO_UDP || l4.length < 8) return undefined;
  const udpLength = (l4[4]! << 8) | l4[5]!;
  return {
    src,
    dst,
    srcPort: (l4[0]! << 8) | l4[1]!,
    dstPort: (l4[2]! << 8) | l4[3]!,
    payload: l4.subarray(8, Math.min(l4.length, Math.max(udpLength, 8))),
  };
}
