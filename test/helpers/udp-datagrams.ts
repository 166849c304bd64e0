/**
 * Test-only: reads a classic pcap or pcapng file (format detected by magic number, not by file name) and
 * returns the UDP payloads of every flow direction in capture order. Handles Ethernet (+802.1Q/802.1ad
 * VLAN tags), Linux SLL and SLL2, raw IP and BSD/OpenBSD loopback framing, IPv4 and IPv6 (hop-by-hop,
 * routing and destination-options extension headers); addresses are formatted as src/util/ip formatIp
 * does (RFC 5952 for IPv6). IP fragments and tunnels are skipped. Not
 * production code: the real capture path is native/.
 */
import { readFileSync } from 'node:fs';
import { formatIp } from '../../src/util/ip.js';

/** The UDP payloads one endpoint sent to another, in capture order. */
export interface UdpDirection {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payloads: Uint8Array[];
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW_ALIASES = [12, 14, 101, 228, 229]; // DLT_RAW (two values), LINKTYPE_RAW, IPV4, IPV6
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

const IPPROTO_UDP = 17;
const UDP_HEADER_LENGTH = 8;

/** Reads every UDP direction of a capture file, ordered by first appearance. */
export function readUdpDatagrams(path: string): UdpDirection[] {
  const file = new Uint8Array(readFileSync(path));
  const dirs = new Map<string, UdpDirection>();
  for (const { linkType, frame } of frames(file, path)) {
    const ip = linkToIp(linkType, frame);
    if (ip !== undefined) onIp(ip, dirs);
  }
  return [...dirs.values()];
}

/** One UDP conversation: the side that sent first is the client. */
export interface UdpFlow {
  client: UdpDirection;
  /** The reverse direction; empty payloads if the server never answered. */
  server: UdpDirection;
}

/** Pairs the directions of {@link readUdpDatagrams} into flows; the first sender is the client. */
export function readUdpFlows(path: string): UdpFlow[] {
  const dirs = readUdpDatagrams(path);
  const byKey = new Map<string, UdpDirection>();
  for (const d of dirs) byKey.set(dirKey(d.src, d.srcPort, d.dst, d.dstPort), d);
  const taken = new Set<UdpDirection>();
  const out: UdpFlow[] = [];
  for (const d of dirs) {
    if (taken.has(d)) continue;
    taken.add(d);
    const reverse = byKey.get(dirKey(d.dst, d.dstPort, d.src, d.srcPort));
    if (reverse !== undefined) taken.add(reverse);
    out.push({
      client: d,
      server: reverse ?? { src: d.dst, srcPort: d.dstPort, dst: d.src, dstPort: d.srcPort, payloads: [] },
    });
  }
  return out;
}

function dirKey(src: string, srcPort: number, dst: string, dstPort: number): string {
  return `${src}|${srcPort}|${dst}|${dstPort}`;
}

interface Frame {
  linkType: number;
  frame: Uint8Array;
}

function* frames(f: Uint8Array, path: string): Generator<Frame> {
  if (f.length < 24) throw new Error(`not a capture file: ${path}`);
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const magic = dv.getUint32(0, false);
  if (magic === 0x0a0d0d0a) {
    yield* pcapngFrames(f, dv);
    return;
  }
  // microsecond and nanosecond classic pcap, both byte orders
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a capture file: ${path}`);
  const linkType = dv.getUint32(20, le) & 0xffff;
  for (let p = 24; p + 16 <= f.length; ) {
    const captured = dv.getUint32(p + 8, le);
    if (p + 16 + captured > f.length) break;
    yield { linkType, frame: f.subarray(p + 16, p + 16 + captured) };
    p += 16 + captured;
  }
}

function* pcapngFrames(f: Uint8Array, dv: DataView): Generator<Frame> {
  let le = true;
  const interfaces: number[] = []; // link type per Interface Description Block, per section
  for (let p = 0; p + 12 <= f.length; ) {
    if (dv.getUint32(p, false) === 0x0a0d0d0a) {
      le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
      interfaces.length = 0;
    }
    const type = dv.getUint32(p, le);
    const length = dv.getUint32(p + 4, le);
    if (length < 12 || p + length > f.length) break;
    if (type === 1 && length >= 16) {
      interfaces.push(dv.getUint16(p + 8, le));
    } else if (type === 6 && length >= 32) {
      const iface = dv.getUint32(p + 8, le);
      const captured = Math.min(dv.getUint32(p + 20, le), length - 32);
      yield {
        linkType: interfaces[iface] ?? LINKTYPE_ETHERNET,
        frame: f.subarray(p + 28, p + 28 + captured),
      };
    } else if (type === 3 && length >= 16) {
      const original = dv.getUint32(p + 8, le);
      const captured = Math.min(original, length - 16);
      yield { linkType: interfaces[0] ?? LINKTYPE_ETHERNET, frame: f.subarray(p + 12, p + 12 + captured) };
    }
    p += length;
  }
}

function u16(b: Uint8Array, at: number): number {
  return at + 2 <= b.length ? (b[at]! << 8) | b[at + 1]! : -1;
}

/** The IP packet inside a link-layer frame, or undefined when it is not IPv4/IPv6. */
function linkToIp(linkType: number, f: Uint8Array): Uint8Array | undefined {
  let at: number;
  let etherType: number;
  if (linkType === LINKTYPE_ETHERNET) {
    etherType = u16(f, 12);
    at = 14;
    while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
      etherType = u16(f, at + 2);
      at += 4;
    }
  } else if (linkType === LINKTYPE_LINUX_SLL) {
    etherType = u16(f, 14);
    at = 16;
  } else if (linkType === LINKTYPE_LINUX_SLL2) {
    etherType = u16(f, 0);
    at = 20;
  } else if (linkType === LINKTYPE_NULL || linkType === LINKTYPE_LOOP) {
    at = 4; // 4-byte address family in host or network order; the IP version nibble decides
    etherType = ipVersionEtherType(f, at);
  } else if (LINKTYPE_RAW_ALIASES.includes(linkType)) {
    at = 0;
    etherType = ipVersionEtherType(f, at);
  } else {
    return undefined;
  }
  if ((etherType !== ETHERTYPE_IPV4 && etherType !== ETHERTYPE_IPV6) || at >= f.length) return undefined;
  return f.subarray(at);
}

function ipVersionEtherType(f: Uint8Array, at: number): number {
  const v = (f[at] ?? 0) >> 4;
  return v === 6 ? ETHERTYPE_IPV6 : v === 4 ? ETHERTYPE_IPV4 : -1;
}

function onIp(ip: Uint8Array, dirs: Map<string, UdpDirection>): void {
  const version = ip[0]! >> 4;
  let src: Uint8Array;
  let dst: Uint8Array;
  let udp: Uint8Array;
  if (version === 4) {
    if (ip.length < 20) return;
    const ihl = (ip[0]! & 15) * 4;
    const total = u16(ip, 2);
    const fragment = u16(ip, 6) & 0x3fff; // MF flag + offset
    if (ip[9] !== IPPROTO_UDP || fragment !== 0 || ihl < 20) return;
    src = ip.subarray(12, 16);
    dst = ip.subarray(16, 20);
    udp = ip.subarray(ihl, Math.min(total > 0 ? total : ip.length, ip.length));
  } else if (version === 6) {
    if (ip.length < 40) return;
    let next = ip[6]!;
    let at = 40;
    while ((next === 0 || next === 43 || next === 60) && at + 2 <= ip.length) {
      next = ip[at]!;
      at += (ip[at + 1]! + 1) * 8;
    }
    if (next !== IPPROTO_UDP) return; // fragment header (44) included: fragments are skipped
    src = ip.subarray(8, 24);
    dst = ip.subarray(24, 40);
    udp = ip.subarray(at, Math.min(40 + u16(ip, 4), ip.length));
  } else {
    return;
  }
  if (udp.length < UDP_HEADER_LENGTH) return;
  const srcPort = u16(udp, 0);
  const dstPort = u16(udp, 2);
  const udpLength = u16(udp, 4);
  const end = udpLength >= UDP_HEADER_LENGTH ? Math.min(udpLength, udp.length) : udp.length;
  const payload = udp.slice(UDP_HEADER_LENGTH, end);
  if (payload.length === 0) return;
  const s = formatIp(src);
  const d = formatIp(dst);
  const key = dirKey(s, srcPort, d, dstPort);
  let dir = dirs.get(key);
  if (dir === undefined) {
    dir = { src: s, srcPort, dst: d, dstPort, payloads: [] };
    dirs.set(key, dir);
  }
  dir.payloads.push(payload);
}
