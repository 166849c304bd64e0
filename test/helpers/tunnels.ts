/**
 * Test-only: unwraps tunnelled packets so that the TCP reader of pcap-streams.ts (which reads no tunnels)
 * can reassemble their inner TCP. An IP packet carrying GRE (IP protocol 47, RFC 2784/2890: optional
 * checksum, key and sequence words; inner IPv4/IPv6, transparent Ethernet bridging, or ERSPAN type II/III
 * mirroring an Ethernet frame), GENEVE (UDP 6081, RFC 8926), VXLAN (UDP 4789, RFC 7348) or VXLAN-GPE
 * (UDP 4790, draft-ietf-nvo3-vxlan-gpe, next protocol Ethernet) is replaced by the IP packet inside
 * (after the inner Ethernet header when there is one), down to 8 levels deep; other packets stay as
 * they are. Not production code: decapsulation belongs to native/.
 */
import { type TcpDirection, tcpStreams } from '../unit/parsers/tls/pcap-streams.js';
import {
  capturePackets,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernetToIp,
  ipPayload,
  u16,
} from './pcap-frames.js';

const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging: an Ethernet frame follows
const GRE_ERSPAN_II = 0x88be;
const GRE_ERSPAN_III = 0x22eb;
const IPPROTO_GRE = 47;
const IPPROTO_UDP = 17;
const UDP_PORT_GENEVE = 6081;
const UDP_PORT_VXLAN = 4789;
const UDP_PORT_VXLAN_GPE = 4790;
const VXLAN_GPE_ETHERNET = 3;
const MAX_DEPTH = 8;

/** readTcpStreams over the innermost packets of the capture at `path`. */
export function readDecapsulatedTcpStreams(path: string): TcpDirection[] {
  return tcpStreams(capturePackets(path, innermostIp));
}

/** The innermost IP packet of `ip`: itself when it is no tunnel, undefined when a tunnel holds no IP. */
export function innermostIp(ip: Uint8Array): Uint8Array | undefined {
  let packet = ip;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const inner = tunnelled(packet);
    if (inner === null) return packet;
    if (inner === undefined) return undefined;
    packet = inner;
  }
  return packet;
}

/** The packet inside one tunnel layer; null when `ip` is no tunnel, undefined when the inside is not IP. */
function tunnelled(ip: Uint8Array): Uint8Array | undefined | null {
  const outer = ipPayload(ip);
  if (outer === undefined) return null;
  const body = outer.body;
  if (outer.protocol === IPPROTO_GRE && body.length >= 4) {
    const flags = body[0]!;
    const type = u16(body, 2);
    let p = 4;
    if (flags & 0x80) p += 4; // checksum + reserved
    if (flags & 0x20) p += 4; // key
    if (flags & 0x10) p += 4; // sequence number
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return body.subarray(p);
    if (type === ETHERTYPE_TEB) return ethernetToIp(body.subarray(p));
    if (type === GRE_ERSPAN_II) return ethernetToIp(body.subarray(p + 8));
    if (type === GRE_ERSPAN_III) return ethernetToIp(body.subarray(p + 12));
    return undefined;
  }
  if (outer.protocol !== IPPROTO_UDP || body.length < 16) return null;
  const dstPort = u16(body, 2);
  const header = body.subarray(8);
  if (dstPort === UDP_PORT_GENEVE) {
    const options = (header[0]! & 0x3f) * 4;
    const type = u16(header, 2);
    const inner = header.subarray(8 + options);
    if (type === ETHERTYPE_TEB) return ethernetToIp(inner);
    return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? inner : undefined;
  }
  if (dstPort === UDP_PORT_VXLAN) return ethernetToIp(header.subarray(8));
  if (dstPort === UDP_PORT_VXLAN_GPE && header[3] === VXLAN_GPE_ETHERNET)
    return ethernetToIp(header.subarray(8));
  return null;
}
