/**
 * Test-only: unwraps tunnelled captures so that pcap-streams.ts (which reads no tunnels) can reassemble
 * their inner TCP. Reads a classic pcap with Ethernet framing; for each IPv4 frame carrying GRE (IP
 * protocol 47, RFC 2784/2890: optional checksum, key and sequence words), GENEVE (UDP 6081, RFC 8926) or
 * VXLAN (UDP 4789, RFC 7348), the inner IPv4/IPv6 packet (after the inner Ethernet header when there is
 * one) is written to a temporary pcap with link type 101 (raw IP), other IP frames as they are, and that
 * file goes through readTcpStreams.
 * Not production code: decapsulation belongs to native/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTcpStreams, type TcpDirection } from '../tls/pcap-streams.js';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging: an Ethernet frame follows
const IPPROTO_GRE = 47;
const IPPROTO_UDP = 17;
const UDP_PORT_GENEVE = 6081;
const UDP_PORT_VXLAN = 4789;
const LINKTYPE_RAW = 101;

/** Returns the IP packet inside an Ethernet frame (VLAN tags skipped), or undefined. */
function ethernetPayload(f: Uint8Array): Uint8Array | undefined {
  if (f.length < 14) return undefined;
  let p = 12;
  let type = (f[p]! << 8) | f[p + 1]!;
  while ((type === 0x8100 || type === 0x88a8) && p + 6 <= f.length) {
    p += 4;
    type = (f[p]! << 8) | f[p + 1]!;
  }
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? f.subarray(p + 2) : undefined;
}

/** The innermost IP packet of an outer IPv4 packet: unwrapped when it is GRE/GENEVE/VXLAN, else itself. */
function unwrap(ip: Uint8Array): Uint8Array | undefined {
  if (ip.length < 20 || ip[0]! >> 4 !== 4) return ip;
  const ihl = (ip[0]! & 15) * 4;
  const proto = ip[9]!;
  const body = ip.subarray(ihl);
  if (proto === IPPROTO_GRE && body.length >= 4) {
    const flags = body[0]!;
    const type = (body[2]! << 8) | body[3]!;
    let p = 4;
    if (flags & 0x80) p += 4; // checksum + reserved
    if (flags & 0x20) p += 4; // key
    if (flags & 0x10) p += 4; // sequence number
    const inner = body.subarray(p);
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return inner;
    if (type === ETHERTYPE_TEB) return ethernetPayload(inner);
    return undefined;
  }
  if (proto === IPPROTO_UDP && body.length >= 8) {
    const dstPort = (body[2]! << 8) | body[3]!;
    const udp = body.subarray(8);
    if (dstPort === UDP_PORT_GENEVE && udp.length >= 8) {
      const optLen = (udp[0]! & 0x3f) * 4;
      const type = (udp[2]! << 8) | udp[3]!;
      const inner = udp.subarray(8 + optLen);
      if (type === ETHERTYPE_TEB) return ethernetPayload(inner);
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? inner : undefined;
    }
    if (dstPort === UDP_PORT_VXLAN && udp.length >= 8) return ethernetPayload(udp.subarray(8));
  }
  return ip;
}

/** readTcpStreams over the unwrapped packets of the classic Ethernet pcap at `path`. */
export function readDecapsulatedTcpStreams(path: string): TcpDirection[] {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-ssh-'));
  try {
    const file = join(dir, 'inner.pcap');
    writeFileSync(file, decapsulate(path));
    return readTcpStreams(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The unwrapped packets of the classic Ethernet pcap at `path`, as a raw-IP classic pcap. */
function decapsulate(path: string): Buffer {
  const f = new Uint8Array(readFileSync(path));
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const magic = dv.getUint32(0, false);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a classic pcap: ${path}`);
  if ((dv.getUint32(20, le) & 0xffff) !== 1) throw new Error(`not Ethernet: ${path}`);
  const out: Uint8Array[] = [];
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, false);
  hv.setUint16(4, 2, false);
  hv.setUint16(6, 4, false);
  hv.setUint32(16, 262144, false);
  hv.setUint32(20, LINKTYPE_RAW, false);
  out.push(header);
  for (let p = 24; p + 16 <= f.length; ) {
    const incl = dv.getUint32(p + 8, le);
    if (p + 16 + incl > f.length) break;
    const ip = ethernetPayload(f.subarray(p + 16, p + 16 + incl));
    const inner = ip === undefined ? undefined : unwrap(ip);
    if (inner !== undefined) {
      const rec = new Uint8Array(16);
      const rv = new DataView(rec.buffer);
      rv.setUint32(8, inner.length, false);
      rv.setUint32(12, inner.length, false);
      out.push(rec, inner);
    }
    p += 16 + incl;
  }
  return Buffer.concat(out);
}
