/**
 * Test-only: reads a classic pcap or pcapng file and returns the first bytes of each TCP direction,
 * reassembled by sequence number (enough to feed parseTlsStream with corpus captures). Handles
 * Ethernet (+VLAN), Linux SLL/SLL2, raw IP and BSD loopback framing, IPv4 and IPv6; no tunnels, no
 * IP fragments. Not production code: the real capture path is native/.
 */
import { readFileSync } from 'node:fs';

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
  const file = new Uint8Array(readFileSync(path));
  const dirs = new Map<string, Dir>();
  for (const { linkType, frame } of frames(file, path)) {
    const ip = linkToIp(linkType, frame);
    if (ip !== undefined) onIp(ip, dirs);
  }
  const out: TcpDirection[] = [];
  for (const d of dirs.values()) out.push({ ...d.key, data: reassemble(d) });
  return out;
}

function* frames(f: Uint8Array, path: string): Generator<{ linkType: number; frame: Uint8Array }> {
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
      le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
      links.length = 0;
    }
    const type = dv.getUint32(p, le);
    const len = dv.getUint32(p + 4, le);
    if (len < 12 || p + len > f.length) break;
    if (type === 1) links.push(dv.getUint16(p + 8, le));
    else if (type === 6) {
      const iface = dv.getUint32(p + 8, le);
      const cap = dv.getUint32(p + 20, le);
      yield { linkType: links[iface] ?? 1, frame: f.subarray(p + 28, p + 28 + cap) };
    } else if (type === 3) {
      const orig = dv.getUint32(p + 8, le);
      yield { linkType: links[0] ?? 1, frame: f.subarray(p + 12, p + 12 + Math.min(orig, len - 16)) };
    }
    p += len;
  }
}

function linkToIp(linkType: number, f: Uint8Array): Uint8Array | undefined {
  let p: number;
  let etherType: number;
  switch (linkType) {
    case 1: {
      etherType = (f[12]! << 8) | f[13]!;
      p = 14;
      while (etherType === 0x8100 || etherType === 0x88a8) {
        etherType = (f[p + 2]! << 8) | f[p + 3]!;
        p += 4;
      }
      break;
    }
    case 113:
      etherType = (f[14]! << 8) | f[15]!;
      p = 16;
      break;
    case 276:
      etherType = (f[0]! << 8) | f[1]!;
      p = 20;
      break;
    case 0:
    case 108:
      p = 4;
      etherType = f[4]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      p = 0;
      etherType = f[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      break;
    default:
      return undefined;
  }
  if (etherType !== 0x0800 && etherType !== 0x86dd) return undefined;
  return f.subarray(p);
}

function ipString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return parts.join(':');
}

function onIp(ip: Uint8Array, dirs: Map<string, Dir>): void {
  const version = ip[0]! >> 4;
  let src: Uint8Array;
  let dst: Uint8Array;
  let tcp: Uint8Array;
  if (version === 4) {
    const ihl = (ip[0]! & 15) * 4;
    const total = (ip[2]! << 8) | ip[3]!;
    const frag = ((ip[6]! << 8) | ip[7]!) & 0x3fff;
    if (ip[9] !== 6 || frag !== 0) return;
    src = ip.subarray(12, 16);
    dst = ip.subarray(16, 20);
    tcp = ip.subarray(ihl, Math.min(total || ip.length, ip.length));
  } else if (version === 6) {
    let next = ip[6]!;
    let p = 40;
    while (next === 0 || next === 43 || next === 60) {
      next = ip[p]!;
      p += (ip[p + 1]! + 1) * 8;
    }
    if (next !== 6) return;
    src = ip.subarray(8, 24);
    dst = ip.subarray(24, 40);
    const payloadLength = (ip[4]! << 8) | ip[5]!;
    tcp = ip.subarray(p, Math.min(40 + payloadLength, ip.length));
  } else {
    return;
  }
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
