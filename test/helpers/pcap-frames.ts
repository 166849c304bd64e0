/**
 * Test-only: the packet walk shared by the capture readers (pcap-streams.ts for TCP, udp-datagrams.ts
 * for UDP). Reads a classic pcap (microsecond or nanosecond, either byte order) or pcapng file, format
 * detected by magic number, not by file name; decodes Ethernet (+802.1Q/802.1ad/0x9100 VLAN tags),
 * Linux SLL and SLL2, raw IP and BSD/OpenBSD loopback framing, then IPv4 and IPv6 (hop-by-hop, routing
 * and destination-options extension headers skipped) down to the transport payload. IP fragments are
 * skipped; tunnels are left to the caller (see tunnels.ts). Not production code: the real capture path
 * is native/.
 */
import { readFileSync } from 'node:fs';

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW_ALIASES = [12, 14, 101, 228, 229]; // DLT_RAW (two values), LINKTYPE_RAW, IPV4, IPV6
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = [0x8100, 0x88a8, 0x9100];

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** One captured frame and the link type of its interface. */
export interface CaptureFrame {
  linkType: number;
  frame: Uint8Array;
}

/** The transport-layer part of an unfragmented IPv4/IPv6 packet. */
export interface IpPayload {
  /** IP protocol number (after any IPv6 extension headers). */
  protocol: number;
  /** Source and destination addresses, 4 or 16 bytes. */
  src: Uint8Array;
  dst: Uint8Array;
  /** The transport header and data, cut to the IP length. */
  body: Uint8Array;
}

/** A decoded packet with the 1-based number of its frame in the capture (every frame counts). */
export interface CapturedPacket extends IpPayload {
  frameNumber: number;
}

/** Big-endian u16 at `at`, or -1 past the end. */
export function u16(b: Uint8Array, at: number): number {
  return at + 2 <= b.length ? (b[at]! << 8) | b[at + 1]! : -1;
}

/**
 * Every IP payload of the capture at `path`, in capture order. `unwrap` may replace each IP packet
 * (by its innermost one, for tunnels) or drop it (undefined).
 */
export function* capturePackets(
  path: string,
  unwrap: (ip: Uint8Array) => Uint8Array | undefined = (ip) => ip,
): Generator<CapturedPacket> {
  let frameNumber = 0;
  for (const { linkType, frame } of captureFrames(new Uint8Array(readFileSync(path)), path)) {
    frameNumber++;
    const outer = linkToIp(linkType, frame);
    const ip = outer === undefined ? undefined : unwrap(outer);
    const payload = ip === undefined ? undefined : ipPayload(ip);
    if (payload !== undefined) yield { frameNumber, ...payload };
  }
}

/** Every frame of a classic pcap or pcapng file. */
export function* captureFrames(f: Uint8Array, path: string): Generator<CaptureFrame> {
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

function* pcapngFrames(f: Uint8Array, dv: DataView): Generator<CaptureFrame> {
  let le = true;
  const interfaces: number[] = []; // link type per Interface Description Block, per section
  for (let p = 0; p + 12 <= f.length; ) {
    if (dv.getUint32(p, false) === 0x0a0d0d0a) {
      // Section Header Block: its byte-order magic decides the endianness of the section.
      le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
      interfaces.length = 0;
    }
    const type = dv.getUint32(p, le);
    const length = dv.getUint32(p + 4, le);
    if (length < 12 || p + length > f.length) break;
    if (type === 1 && length >= 16) {
      interfaces.push(dv.getUint16(p + 8, le)); // Interface Description Block
    } else if ((type === 6 || type === 2) && length >= 32) {
      // Enhanced Packet Block (32-bit interface id), obsolete Packet Block (16-bit interface id)
      const iface = type === 6 ? dv.getUint32(p + 8, le) : dv.getUint16(p + 8, le);
      const captured = Math.min(dv.getUint32(p + 20, le), length - 32);
      yield {
        linkType: interfaces[iface] ?? LINKTYPE_ETHERNET,
        frame: f.subarray(p + 28, p + 28 + captured),
      };
    } else if (type === 3 && length >= 16) {
      const captured = Math.min(dv.getUint32(p + 8, le), length - 16); // Simple Packet Block
      yield { linkType: interfaces[0] ?? LINKTYPE_ETHERNET, frame: f.subarray(p + 12, p + 12 + captured) };
    }
    p += length;
  }
}

/** The IP packet inside a link-layer frame, or undefined when it is not IPv4/IPv6. */
export function linkToIp(linkType: number, f: Uint8Array): Uint8Array | undefined {
  if (linkType === LINKTYPE_ETHERNET) return ethernetToIp(f);
  let at: number;
  let etherType: number;
  if (linkType === LINKTYPE_LINUX_SLL) {
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
  return ipAfter(f, at, etherType);
}

/** The IP packet inside an Ethernet frame (VLAN tags skipped), or undefined. */
export function ethernetToIp(f: Uint8Array): Uint8Array | undefined {
  let etherType = u16(f, 12);
  let at = 14;
  while (VLAN_TAGS.includes(etherType)) {
    etherType = u16(f, at + 2);
    at += 4;
  }
  return ipAfter(f, at, etherType);
}

function ipAfter(f: Uint8Array, at: number, etherType: number): Uint8Array | undefined {
  if ((etherType !== ETHERTYPE_IPV4 && etherType !== ETHERTYPE_IPV6) || at >= f.length) return undefined;
  return f.subarray(at);
}

function ipVersionEtherType(f: Uint8Array, at: number): number {
  const v = (f[at] ?? 0) >> 4;
  return v === 6 ? ETHERTYPE_IPV6 : v === 4 ? ETHERTYPE_IPV4 : -1;
}

/** The transport payload of an IPv4/IPv6 packet, or undefined (not IP, a fragment, truncated). */
export function ipPayload(ip: Uint8Array): IpPayload | undefined {
  const version = (ip[0] ?? 0) >> 4;
  if (version === 4) {
    const ihl = (ip[0]! & 15) * 4;
    if (ip.length < 20 || ihl < 20) return undefined;
    if ((u16(ip, 6) & 0x3fff) !== 0) return undefined; // MF flag + offset: a fragment
    const total = u16(ip, 2);
    return {
      protocol: ip[9]!,
      src: ip.subarray(12, 16),
      dst: ip.subarray(16, 20),
      // a zero total length (TSO, captured before segmentation) means "to the end"
      body: ip.subarray(ihl, Math.min(total > 0 ? total : ip.length, ip.length)),
    };
  }
  if (version === 6) {
    if (ip.length < 40) return undefined;
    const end = Math.min(40 + u16(ip, 4), ip.length);
    let next = ip[6]!;
    let at = 40;
    // hop-by-hop, routing, destination options: skipped; a fragment header (44) ends up as the protocol
    while ((next === 0 || next === 43 || next === 60) && at + 2 <= end) {
      next = ip[at]!;
      at += (ip[at + 1]! + 1) * 8;
    }
    if (next === 0 || next === 43 || next === 60) return undefined;
    return {
      protocol: next,
      src: ip.subarray(8, 24),
      dst: ip.subarray(24, 40),
      body: ip.subarray(Math.min(at, end), end),
    };
  }
  return undefined;
}
