/**
 * Test-only: reads a classic pcap or pcapng file and returns the first bytes of each TCP direction,
 * reassembled by sequence number (enough to feed parseTlsStream with corpus captures). Frames and IP
 * are decoded by test/helpers/pcap-frames.ts; no tunnels (test/helpers/tunnels.ts unwraps them), no
 * IP fragments. Not production code: the real capture path is native/.
 */
import { capturePackets, IPPROTO_TCP, type IpPayload } from '../../../helpers/pcap-frames.js';

export interface TcpDirection {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** Contiguous payload from the first sequence number (the SYN's + 1 when the SYN was seen). */
  data: Uint8Array;
}

/** Bytes per direction kept; enough for a server's first flight. */
const MAX_STREAM_BYTES = 256 * 1024;

interface Segment {
  seq: number;
  payload: Uint8Array;
}
interface Dir {
  key: Omit<TcpDirection, 'data'>;
  isn: number | null;
  firstSeq: number;
  segments: Segment[];
}

/** Reads every TCP direction in a capture file. */
export function readTcpStreams(path: string): TcpDirection[] {
  return tcpStreams(capturePackets(path));
}

/** Every TCP direction among decoded IP packets (readTcpStreams without the file; tunnels.ts uses it). */
export function tcpStreams(packets: Iterable<IpPayload>): TcpDirection[] {
  const dirs = new Map<string, Dir>();
  for (const packet of packets) if (packet.protocol === IPPROTO_TCP) onTcp(packet, dirs);
  const out: TcpDirection[] = [];
  for (const d of dirs.values()) out.push({ ...d.key, data: reassemble(d) });
  return out;
}

/** IPv4 dotted quad; IPv6 as 8 uncompressed hex groups without leading zeros (what tests expect). */
function ipString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return parts.join(':');
}

function onTcp({ src, dst, body: tcp }: IpPayload, dirs: Map<string, Dir>): void {
  if (tcp.length < 20) return;
  const srcPort = (tcp[0]! << 8) | tcp[1]!;
  const dstPort = (tcp[2]! << 8) | tcp[3]!;
  const seq = ((tcp[4]! << 24) | (tcp[5]! << 16) | (tcp[6]! << 8) | tcp[7]!) >>> 0;
  const dataOffset = (tcp[12]! >> 4) * 4;
  const syn = (tcp[13]! & 0x02) !== 0;
  const key = `${ipString(src)}|${srcPort}|${ipString(dst)}|${dstPort}`;
  let d = dirs.get(key);
  if (d === undefined) {
    d = {
      key: { src: ipString(src), srcPort, dst: ipString(dst), dstPort },
      isn: null,
      firstSeq: seq,
      segments: [],
    };
    dirs.set(key, d);
  }
  if (syn) d.isn = seq;
  const payload = tcp.subarray(dataOffset);
  if (payload.length > 0) d.segments.push({ seq, payload });
}

function reassemble(d: Dir): Uint8Array {
  const base = d.isn !== null ? (d.isn + 1) >>> 0 : Math.min(...d.segments.map((s) => s.seq), d.firstSeq);
  const segs = d.segments
    .map((s) => ({ off: (s.seq - base) | 0, payload: s.payload }))
    .filter((s) => s.off >= 0 && s.off < MAX_STREAM_BYTES)
    .sort((a, b) => a.off - b.off);
  const out = new Uint8Array(MAX_STREAM_BYTES);
  let have = 0;
  for (const s of segs) {
    if (s.off > have) break; // gap
    const end = Math.min(s.off + s.payload.length, MAX_STREAM_BYTES);
    if (end > have) {
      out.set(s.payload.subarray(have - s.off, end - s.off), have);
      have = end;
    }
  }
  return out.slice(0, have);
}
