// Frame encoder: link layer (Ethernet II with 802.1Q / 802.1ad tags, Linux cooked v1/v2, raw IP,
// BSD loopback), IPv4 (RFC 791) with options and fragments, IPv6 (RFC 8200) with extension
// headers, TCP (RFC 9293), UDP (RFC 768) and ICMP / ICMPv6, with correct checksums.

import { frameSlab, type Slab } from './bytes.js';
import { finishChecksum, internetChecksum, pseudoHeaderSum, sum16 } from './checksum.js';
import { encodeTcpOptions, type TcpOption } from './tcp-options.js';

// pcap LINKTYPE_* values of the link layers we write.
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
} as const;

export const EtherType = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8 } as const;

export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
} as const;

// BSD loopback address families: AF_INET, and AF_INET6 as NetBSD/OpenBSD, FreeBSD, Darwin number it.
export const NullFamily = { INET: 2, INET6_BSD: 24, INET6_FREEBSD: 28, INET6_DARWIN: 30 } as const;

// Linux cooked-capture packet types (sll_pkttype).
export const SllPacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const;

const MIN_ETHERNET_FRAME = 60; // 64-byte minimum frame without the 4-byte FCS
const EMPTY = new Uint8Array(0);
const ZERO_MAC = new Uint8Array(6);

export interface LinkSpec {
  type: number;
  srcMac?: Uint8Array | undefined;
  dstMac?: Uint8Array | undefined;
  // Ethernet only: 802.1Q tag control fields, outermost first (a bare VLAN ID is a TCI with priority 0).
  vlans?: readonly number[] | undefined;
  // Ethernet only: the outermost tag is an 802.1ad S-tag (TPID 0x88a8) and the rest are C-tags.
  qinq?: boolean | undefined;
  // Ethernet only: pad the frame to 60 bytes; padding lies outside the IP datagram.
  padToMinimum?: boolean | undefined;
  padByte?: number | undefined;
  // Linux cooked capture only.
  sllPacketType?: number | undefined;
  sllIfIndex?: number | undefined;
  // BSD loopback only: the AF_INET6 value to write (24, 28 or 30; default 24). Written little-endian,
  // matching the byte order our pcap writers use.
  nullFamilyV6?: number | undefined;
}

export interface Ipv4Spec {
  version: 4;
  src: Uint8Array;
  dst: Uint8Array;
  ttl?: number | undefined;
  tos?: number | undefined;
  id?: number | undefined;
  df?: boolean | undefined;
  mf?: boolean | undefined;
  // The reserved ("evil") flag bit.
  reservedFlag?: boolean | undefined;
  // Fragment offset in bytes (a multiple of 8).
  fragOffset?: number | undefined;
  // Raw option bytes; zero-padded (EOL) to a multiple of 4, at most 40.
  options?: Uint8Array | undefined;
  // Overrides the computed header checksum (to build corrupt packets).
  forceChecksum?: number | undefined;
}

export type Ipv6ExtHeader =
  | { kind: 'hopByHop'; options?: Uint8Array | undefined }
  | { kind: 'destOptions'; options?: Uint8Array | undefined }
  | {
      kind: 'routing';
      routingType?: number | undefined;
      segmentsLeft?: number | undefined;
      // Type 0/2 layout: 4 reserved bytes then addresses. The last one is the final destination
      // used in the upper-layer pseudo-header when segmentsLeft > 0.
      addresses?: readonly Uint8Array[] | undefined;
      // Type-specific data after the first 4 bytes, used when addresses is absent.
      data?: Uint8Array | undefined;
    }
  | { kind: 'fragment'; offset?: number | undefined; more?: boolean | undefined; id?: number | undefined };

export interface Ipv6Spec {
  version: 6;
  src: Uint8Array;
  dst: Uint8Array;
  hopLimit?: number | undefined;
  trafficClass?: number | undefined;
  flowLabel?: number | undefined;
  extHeaders?: readonly Ipv6ExtHeader[] | undefined;
}

export type IpSpec = Ipv4Spec | Ipv6Spec;

export interface TcpSpec {
  proto: 'tcp';
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number | undefined;
  flags: number;
  window?: number | undefined;
  urgentPointer?: number | undefined;
  // The 3 reserved bits of byte 12.
  reserved?: number | undefined;
  // Options in wire order, or their encoded bytes (length a multiple of 4, at most 40).
  options?: Uint8Array | readonly TcpOption[] | undefined;
  forceChecksum?: number | undefined;
}

export interface UdpSpec {
  proto: 'udp';
  srcPort: number;
  dstPort: number;
  // IPv4 only: send checksum 0 ("not computed").
  zeroChecksum?: boolean | undefined;
  forceChecksum?: number | undefined;
}

// ICMP over IPv4, ICMPv6 over IPv6. `rest` is the 4-byte rest-of-header (e.g. id << 16 | seq).
export interface IcmpSpec {
  proto: 'icmp';
  type: number;
  code?: number | undefined;
  rest?: number | undefined;
}

// An opaque upper layer: the payload is written as-is after the IP header(s).
export interface RawL4Spec {
  proto: 'raw';
  protocol: number;
}

export type L4Spec = TcpSpec | UdpSpec | IcmpSpec | RawL4Spec;

export interface PacketSpec {
  link: LinkSpec;
  ip: IpSpec;
  l4: L4Spec;
  payload?: Uint8Array | undefined;
}

// A link spec with every field present, in one order (one object shape for the encoder's hot path).
export function linkSpec(
  link: Omit<LinkSpec, 'srcMac' | 'dstMac'>,
  srcMac: Uint8Array | undefined,
  dstMac: Uint8Array | undefined,
  sllPacketType: number | undefined = link.sllPacketType,
): LinkSpec {
  return {
    type: link.type,
    srcMac,
    dstMac,
    vlans: link.vlans,
    qinq: link.qinq,
    padToMinimum: link.padToMinimum,
    padByte: link.padByte,
    sllPacketType,
    sllIfIndex: link.sllIfIndex,
    nullFamilyV6: link.nullFamilyV6,
  };
}

// An IPv4 spec with every field present (one object shape for the encoder's hot path).
export function ipv4Spec(src: Uint8Array, dst: Uint8Array, df = true, ttl = 64, id = 0): Ipv4Spec {
  return {
    version: 4,
    src,
    dst,
    ttl,
    tos: 0,
    id,
    df,
    mf: false,
    reservedFlag: false,
    fragOffset: 0,
    options: undefined,
    forceChecksum: undefined,
  };
}

// An IPv6 spec with every field present.
export function ipv6Spec(src: Uint8Array, dst: Uint8Array, flowLabel = 0, hopLimit = 64): Ipv6Spec {
  return { version: 6, src, dst, hopLimit, trafficClass: 0, flowLabel, extHeaders: undefined };
}

// Length of the link-layer header for this spec.
export function linkHeaderLength(link: LinkSpec): number {
  switch (link.type) {
    case LinkType.ETHERNET:
      return 14 + 4 * (link.vlans?.length ?? 0);
    case LinkType.LINUX_SLL:
      return 16;
    case LinkType.LINUX_SLL2:
      return 20;
    case LinkType.NULL:
      return 4;
    case LinkType.RAW:
      return 0;
    default:
      throw new RangeError(`unsupported link type ${link.type}`);
  }
}

function ipv4OptionsLength(ip: Ipv4Spec): number {
  const n = ip.options ? (ip.options.length + 3) & ~3 : 0;
  if (n > 40) throw new RangeError('IPv4 options longer than 40 bytes');
  return n;
}

function extHeaderLength(h: Ipv6ExtHeader): number {
  switch (h.kind) {
    case 'hopByHop':
    case 'destOptions':
      return (2 + (h.options?.length ?? 0) + 7) & ~7;
    case 'routing': {
      const body = h.addresses ? 4 + 16 * h.addresses.length : (h.data?.length ?? 4);
      return (4 + body + 7) & ~7;
    }
    case 'fragment':
      return 8;
  }
}

function extHeaderProto(h: Ipv6ExtHeader): number {
  switch (h.kind) {
    case 'hopByHop':
      return IpProto.HOPOPTS;
    case 'destOptions':
      return IpProto.DSTOPTS;
    case 'routing':
      return IpProto.ROUTING;
    case 'fragment':
      return IpProto.FRAGMENT;
  }
}

// Length of the IPv4 or IPv6 header including options / extension headers.
export function ipHeaderLength(ip: IpSpec): number {
  if (ip.version === 4) return 20 + ipv4OptionsLength(ip);
  let n = 40;
  for (const h of ip.extHeaders ?? []) n += extHeaderLength(h);
  return n;
}

function tcpOptionBytes(l4: TcpSpec): Uint8Array {
  const o = l4.options;
  if (o === undefined) return EMPTY;
  if (o instanceof Uint8Array) {
    if (o.length % 4 !== 0 || o.length > 40)
      throw new RangeError('encoded TCP options must be 4n <= 40 bytes');
    return o;
  }
  return encodeTcpOptions(o);
}

function l4HeaderLength(l4: L4Spec, tcpOpts: Uint8Array): number {
  switch (l4.proto) {
    case 'tcp':
      return 20 + tcpOpts.length;
    case 'udp':
    case 'icmp':
      return 8;
    case 'raw':
      return 0;
  }
}

function l4Protocol(l4: L4Spec, v6: boolean): number {
  switch (l4.proto) {
    case 'tcp':
      return IpProto.TCP;
    case 'udp':
      return IpProto.UDP;
    case 'icmp':
      return v6 ? IpProto.ICMPV6 : IpProto.ICMP;
    case 'raw':
      return l4.protocol;
  }
}

// Total captured length of the frame encodePacket writes for this spec.
export function frameLength(spec: PacketSpec): number {
  const tcpOpts = spec.l4.proto === 'tcp' ? tcpOptionBytes(spec.l4) : EMPTY;
  const n =
    linkHeaderLength(spec.link) +
    ipHeaderLength(spec.ip) +
    l4HeaderLength(spec.l4, tcpOpts) +
    (spec.payload?.length ?? 0);
  return spec.link.type === LinkType.ETHERNET && spec.link.padToMinimum ? Math.max(n, MIN_ETHERNET_FRAME) : n;
}

function copySmall(src: Uint8Array, out: Uint8Array, p: number): void {
  for (let i = 0; i < src.length; i++) out[p + i] = src[i]!;
}

function put16(out: Uint8Array, p: number, v: number): void {
  out[p] = v >>> 8;
  out[p + 1] = v;
}

function put32(out: Uint8Array, p: number, v: number): void {
  out[p] = v >>> 24;
  out[p + 1] = v >>> 16;
  out[p + 2] = v >>> 8;
  out[p + 3] = v;
}

function writeLink(link: LinkSpec, v6: boolean, out: Uint8Array, p0: number): number {
  let p = p0;
  const etherType = v6 ? EtherType.IPV6 : EtherType.IPV4;
  switch (link.type) {
    case LinkType.ETHERNET: {
      copySmall(link.dstMac ?? ZERO_MAC, out, p);
      copySmall(link.srcMac ?? ZERO_MAC, out, p + 6);
      p += 12;
      const vlans = link.vlans;
      if (vlans) {
        for (let i = 0; i < vlans.length; i++) {
          put16(out, p, i === 0 && link.qinq && vlans.length > 1 ? EtherType.QINQ : EtherType.VLAN);
          put16(out, p + 2, vlans[i]!);
          p += 4;
        }
      }
      put16(out, p, etherType);
      return p + 2;
    }
    case LinkType.LINUX_SLL: {
      put16(out, p, link.sllPacketType ?? SllPacketType.HOST);
      put16(out, p + 2, 1); // ARPHRD_ETHER
      put16(out, p + 4, 6);
      out.fill(0, p + 6, p + 14);
      out.set(link.srcMac ?? ZERO_MAC, p + 6);
      put16(out, p + 14, etherType);
      return p + 16;
    }
    case LinkType.LINUX_SLL2: {
      put16(out, p, etherType);
      put16(out, p + 2, 0);
      put32(out, p + 4, link.sllIfIndex ?? 2);
      put16(out, p + 8, 1); // ARPHRD_ETHER
      out[p + 10] = link.sllPacketType ?? SllPacketType.HOST;
      out[p + 11] = 6;
      out.fill(0, p + 12, p + 20);
      out.set(link.srcMac ?? ZERO_MAC, p + 12);
      return p + 20;
    }
    case LinkType.NULL: {
      const fam = v6 ? (link.nullFamilyV6 ?? NullFamily.INET6_BSD) : NullFamily.INET;
      out[p] = fam;
      out[p + 1] = fam >>> 8;
      out[p + 2] = 0;
      out[p + 3] = 0;
      return p + 4;
    }
    case LinkType.RAW:
      return p;
    default:
      throw new RangeError(`unsupported link type ${link.type}`);
  }
}

// Writes IPv6 extension headers; returns [end offset, pseudo-header destination].
function writeExtHeaders(
  hs: readonly Ipv6ExtHeader[],
  lastNext: number,
  out: Uint8Array,
  p0: number,
  dst: Uint8Array,
): [number, Uint8Array] {
  let p = p0;
  let finalDst = dst;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    const nh = i + 1 < hs.length ? extHeaderProto(hs[i + 1]!) : lastNext;
    const len = extHeaderLength(h);
    out.fill(0, p, p + len);
    out[p] = nh;
    switch (h.kind) {
      case 'hopByHop':
      case 'destOptions': {
        out[p + 1] = len / 8 - 1;
        const opts = h.options ?? EMPTY;
        out.set(opts, p + 2);
        const pad = len - 2 - opts.length;
        if (pad === 1)
          out[p + 2 + opts.length] = 0; // Pad1
        else if (pad >= 2) {
          out[p + 2 + opts.length] = 1; // PadN
          out[p + 3 + opts.length] = pad - 2;
        }
        break;
      }
      case 'routing': {
        out[p + 1] = len / 8 - 1;
        out[p + 2] = h.routingType ?? 0;
        const segs = h.segmentsLeft ?? (h.addresses ? h.addresses.length : 0);
        out[p + 3] = segs;
        if (h.addresses) {
          h.addresses.forEach((a, j) => {
            out.set(a, p + 8 + 16 * j);
          });
          const last = h.addresses[h.addresses.length - 1];
          if (last && segs > 0) finalDst = last;
        } else if (h.data) out.set(h.data, p + 4);
        break;
      }
      case 'fragment': {
        const off = h.offset ?? 0;
        if (off % 8 !== 0) throw new RangeError('IPv6 fragment offset must be a multiple of 8');
        put16(out, p + 2, (off & 0xfff8) | (h.more ? 1 : 0));
        put32(out, p + 4, h.id ?? 0);
        break;
      }
    }
    p += len;
  }
  return [p, finalDst];
}

// Encodes one frame into out at off; returns the number of bytes written (frameLength(spec)).
export function encodePacket(spec: PacketSpec, out: Uint8Array, off: number): number {
  const { link, ip, l4 } = spec;
  const payload = spec.payload ?? EMPTY;
  const v6 = ip.version === 6;
  const tcpOpts = l4.proto === 'tcp' ? tcpOptionBytes(l4) : EMPTY;
  const l4Len = l4HeaderLength(l4, tcpOpts) + payload.length;
  const proto = l4Protocol(l4, v6);
  let p = writeLink(link, v6, out, off);
  let pseudoDst = ip.dst;

  if (ip.version === 4) {
    const optLen = ipv4OptionsLength(ip);
    const ihl = 20 + optLen;
    const total = ihl + l4Len;
    if (total > 65535) throw new RangeError(`IPv4 datagram of ${total} bytes`);
    const fragOffset = ip.fragOffset ?? 0;
    if (fragOffset % 8 !== 0) throw new RangeError('IPv4 fragment offset must be a multiple of 8');
    out[p] = 0x40 | (ihl >>> 2);
    out[p + 1] = ip.tos ?? 0;
    put16(out, p + 2, total);
    put16(out, p + 4, ip.id ?? 0);
    put16(
      out,
      p + 6,
      (ip.reservedFlag ? 0x8000 : 0) | (ip.df ? 0x4000 : 0) | (ip.mf ? 0x2000 : 0) | (fragOffset >>> 3),
    );
    out[p + 8] = ip.ttl ?? 64;
    out[p + 9] = proto;
    out[p + 10] = 0;
    out[p + 11] = 0;
    copySmall(ip.src, out, p + 12);
    copySmall(ip.dst, out, p + 16);
    if (optLen) {
      out.fill(0, p + 20, p + ihl);
      out.set(ip.options!, p + 20);
    }
    put16(out, p + 10, ip.forceChecksum ?? internetChecksum(out, p, ihl));
    p += ihl;
  } else {
    const exts = ip.extHeaders ?? [];
    let extLen = 0;
    for (const h of exts) extLen += extHeaderLength(h);
    if (extLen + l4Len > 65535) throw new RangeError('IPv6 payload longer than 65535 (no jumbograms)');
    const tc = ip.trafficClass ?? 0;
    const fl = ip.flowLabel ?? 0;
    out[p] = 0x60 | (tc >>> 4);
    out[p + 1] = ((tc & 0xf) << 4) | ((fl >>> 16) & 0xf);
    put16(out, p + 2, fl & 0xffff);
    put16(out, p + 4, extLen + l4Len);
    const first = exts[0];
    out[p + 6] = first ? extHeaderProto(first) : proto;
    out[p + 7] = ip.hopLimit ?? 64;
    out.set(ip.src, p + 8);
    out.set(ip.dst, p + 24);
    [p, pseudoDst] = writeExtHeaders(exts, proto, out, p + 40, ip.dst);
  }

  const l4Start = p;
  switch (l4.proto) {
    case 'tcp': {
      const hl = 20 + tcpOpts.length;
      put16(out, p, l4.srcPort);
      put16(out, p + 2, l4.dstPort);
      put32(out, p + 4, l4.seq);
      put32(out, p + 8, l4.ack ?? 0);
      out[p + 12] = ((hl >>> 2) << 4) | (((l4.reserved ?? 0) & 7) << 1) | ((l4.flags >>> 8) & 1);
      out[p + 13] = l4.flags;
      put16(out, p + 14, l4.window ?? 65535);
      out[p + 16] = 0;
      out[p + 17] = 0;
      put16(out, p + 18, l4.urgentPointer ?? 0);
      if (tcpOpts.length) copySmall(tcpOpts, out, p + 20);
      if (payload.length) out.set(payload, p + hl);
      const sum = sum16(out, l4Start, l4Len, pseudoHeaderSum(ip.src, pseudoDst, proto, l4Len));
      put16(out, p + 16, l4.forceChecksum ?? finishChecksum(sum));
      break;
    }
    case 'udp': {
      put16(out, p, l4.srcPort);
      put16(out, p + 2, l4.dstPort);
      put16(out, p + 4, l4Len);
      out[p + 6] = 0;
      out[p + 7] = 0;
      out.set(payload, p + 8);
      let ck = 0;
      if (!(l4.zeroChecksum && !v6)) {
        ck = finishChecksum(sum16(out, l4Start, l4Len, pseudoHeaderSum(ip.src, pseudoDst, proto, l4Len)));
        if (ck === 0) ck = 0xffff;
      }
      put16(out, p + 6, l4.forceChecksum ?? ck);
      break;
    }
    case 'icmp': {
      out[p] = l4.type;
      out[p + 1] = l4.code ?? 0;
      out[p + 2] = 0;
      out[p + 3] = 0;
      put32(out, p + 4, l4.rest ?? 0);
      out.set(payload, p + 8);
      const init = v6 ? pseudoHeaderSum(ip.src, pseudoDst, proto, l4Len) : 0;
      put16(out, p + 2, finishChecksum(sum16(out, l4Start, l4Len, init)));
      break;
    }
    case 'raw':
      out.set(payload, p);
      break;
  }
  p = l4Start + l4Len;

  if (link.type === LinkType.ETHERNET && link.padToMinimum && p - off < MIN_ETHERNET_FRAME) {
    out.fill(link.padByte ?? 0, p, off + MIN_ETHERNET_FRAME);
    p = off + MIN_ETHERNET_FRAME;
  }
  return p - off;
}

// Upper bound of frameLength(spec) that needs no TCP option encoding (for reserving output space).
export function maxFrameLength(spec: PacketSpec): number {
  return Math.max(
    MIN_ETHERNET_FRAME,
    linkHeaderLength(spec.link) + ipHeaderLength(spec.ip) + 60 + (spec.payload?.length ?? 0),
  );
}

// Encodes one frame into a new byte array (carved from a slab, by default the shared one).
export function buildPacket(spec: PacketSpec, slab: Slab = frameSlab): Uint8Array {
  const r = slab.reserve(maxFrameLength(spec));
  return slab.commit(encodePacket(spec, r.bytes, r.offset));
}

// Encodes the transport header and payload alone (checksum over the full datagram), e.g. to fragment it.
export function encodeTransport(spec: Omit<PacketSpec, 'link'>): Uint8Array {
  const full = buildPacket({ ...spec, link: { type: LinkType.RAW } });
  return full.subarray(ipHeaderLength(spec.ip));
}

// Splits a packet into IP fragments of at most maxFragmentPayload bytes of transport data each
// (rounded down to a multiple of 8). IPv6 adds a Fragment header after any given extension headers,
// which are all treated as the unfragmentable part.
export function buildFragments(
  spec: PacketSpec,
  maxFragmentPayload: number,
  fragmentId?: number,
): Uint8Array[] {
  const transport = encodeTransport(spec);
  const proto = l4Protocol(spec.l4, spec.ip.version === 6);
  const step = maxFragmentPayload & ~7;
  if (step <= 0) throw new RangeError('fragment payload must be at least 8 bytes');
  const frames: Uint8Array[] = [];
  for (let off = 0; off < transport.length; off += step) {
    const chunk = transport.subarray(off, Math.min(off + step, transport.length));
    const more = off + step < transport.length;
    const ip: IpSpec =
      spec.ip.version === 4
        ? { ...spec.ip, mf: more, fragOffset: off, id: fragmentId ?? spec.ip.id }
        : {
            ...spec.ip,
            extHeaders: [
              ...(spec.ip.extHeaders ?? []),
              { kind: 'fragment', offset: off, more, id: fragmentId ?? 0 },
            ],
          };
    frames.push(buildPacket({ link: spec.link, ip, l4: { proto: 'raw', protocol: proto }, payload: chunk }));
  }
  return frames;
}
