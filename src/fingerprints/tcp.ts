// Raw TCP/IP-stack fingerprint fields of a SYN or SYN-ACK (OS matching is a later layer).
import type { TcpOptions } from '../parsers/tcp/options.js';

/** The initial TTL a sender most likely used: the observed TTL rounded up to 32, 64, 128 or 255. */
export function initialTtl(ttl: number): number {
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

const SIG_LETTER: Record<number, string> = {
  0: 'E',
  1: 'N',
  2: 'M',
  3: 'W',
  4: 'S',
  5: 'S',
  8: 'T',
  14: 'A',
  28: 'U',
};

/** DECNET's options signature: option letters in wire order, comma-joined, without values. */
export function optionsSignature(opts: TcpOptions): string {
  return opts.list.map((o) => SIG_LETTER[o.kind] ?? '?').join(',');
}

export interface SynQuirkInput {
  ipVersion: 4 | 6;
  ipFlags: number;
  ipId: number;
  tos: number;
  flowLabel: number;
  seq: number;
  ack: number;
  tcpFlags: number;
  urgPtr: number;
  isSynAck: boolean;
}

const PSH = 0x08;
const ACK = 0x10;
const URG = 0x20;
const ECE = 0x40;
const CWR = 0x80;
const NS = 0x100;
const IP_DF = 0x2;
const IP_RESERVED = 0x4;

/** p0f v3 quirk names (docs/README §5 of p0f 3.09b) for one SYN or SYN-ACK, in p0f's order. */
export function synQuirks(p: SynQuirkInput, opts: TcpOptions): string[] {
  const q: string[] = [];
  if (p.ipVersion === 4) {
    const df = (p.ipFlags & IP_DF) !== 0;
    if (df) q.push('df');
    if (df && p.ipId !== 0) q.push('id+');
    if (!df && p.ipId === 0) q.push('id-');
  }
  if ((p.tos & 0x3) !== 0 || (p.tcpFlags & (ECE | CWR | NS)) !== 0) q.push('ecn');
  if (p.ipVersion === 4 && (p.ipFlags & IP_RESERVED) !== 0) q.push('0+');
  if (p.ipVersion === 6 && p.flowLabel !== 0) q.push('flow');
  if (p.seq === 0) q.push('seq-');
  if (!p.isSynAck && (p.tcpFlags & ACK) === 0 && p.ack !== 0) q.push('ack+');
  if ((p.tcpFlags & ACK) !== 0 && p.ack === 0) q.push('ack-');
  if ((p.tcpFlags & URG) === 0 && p.urgPtr !== 0) q.push('uptr+');
  if ((p.tcpFlags & URG) !== 0) q.push('urgf+');
  if ((p.tcpFlags & PSH) !== 0) q.push('pushf+');
  if (opts.tsval === 0) q.push('ts1-');
  if (!p.isSynAck && opts.tsecr !== null && opts.tsecr !== 0) q.push('ts2+');
  if (opts.trailingNonZero) q.push('opt+');
  if (opts.wscale !== null && opts.wscale > 14) q.push('exws');
  if (opts.bad) q.push('bad');
  return q;
}
