/**
 * Test-only: reads a classic pcap or pcapng file and returns the UDP payloads of every flow direction in
 * capture order, with the frame number of each. Frames and IP are decoded by pcap-frames.ts (addresses
 * formatted here as src/util/ip formatIp does: RFC 5952 for IPv6). IP fragments and tunnels are
 * skipped. Not production code: the real capture path is native/.
 */
import { formatIp } from '../../src/util/ip.js';
import { type CapturedPacket, capturePackets, IPPROTO_UDP, u16 } from './pcap-frames.js';

/** The UDP payloads one endpoint sent to another, in capture order. */
export interface UdpDirection {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payloads: Uint8Array[];
  /** Frame number (1-based, capture order, every frame of the file counted) of each payload above. */
  frames: number[];
}

const UDP_HEADER_LENGTH = 8;

/** Reads every UDP direction of a capture file, ordered by first appearance. */
export function readUdpDatagrams(path: string): UdpDirection[] {
  const dirs = new Map<string, UdpDirection>();
  for (const packet of capturePackets(path)) if (packet.protocol === IPPROTO_UDP) onUdp(packet, dirs);
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
      server: reverse ?? {
        src: d.dst,
        srcPort: d.dstPort,
        dst: d.src,
        dstPort: d.srcPort,
        payloads: [],
        frames: [],
      },
    });
  }
  return out;
}

function dirKey(src: string, srcPort: number, dst: string, dstPort: number): string {
  return `${src}|${srcPort}|${dst}|${dstPort}`;
}

function onUdp({ frameNumber, src, dst, body: udp }: CapturedPacket, dirs: Map<string, UdpDirection>): void {
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
    dir = { src: s, srcPort, dst: d, dstPort, payloads: [], frames: [] };
    dirs.set(key, dir);
  }
  dir.payloads.push(payload);
  dir.frames.push(frameNumber);
}
