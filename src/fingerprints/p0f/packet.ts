// The p0f v3 view of one SYN or SYN+ACK (p0f 3.09b docs/README §5 and its packet parser): the
// TCP option layout walked the way p0f walks it, and the quirk set. Pure and total: any bytes in,
// a packet view out (malformed options become the quirk `bad`, never an exception).

/** IPv4/IPv6 + TCP header fields of one SYN or SYN+ACK, as the capture engine records them. */
export interface P0fInput {
  ipVersion: 4 | 6;
  ttl: number;
  /** IPv4 TOS byte or IPv6 traffic class (DSCP << 2 | ECN). */
  tos: number;
  /** IPv4 flag bits: 0x2 DF, 0x4 the reserved ("must be zero") bit. Ignored for IPv6. */
  ipFlags: number;
  ipId: number;
  flowLabel: number;
  /** IPv4 options length in bytes (0 for IPv6). */
  ipOptsLen: number;
  seq: number;
  ack: number;
  /** TCP flags, 9 bits: NS = 0x100, CWR 0x80 … FIN 0x01. */
  tcpFlags: number;
  urgPtr: number;
  window: number;
  /** The raw TCP options area (data offset × 4 − 20 bytes). */
  options: Uint8Array;
  /** TCP payload bytes carried by this segment. */
  payloadLen: number;
  /** SYN+ACK only: the MSS of the flow's SYN (0 when it had none). p0f tries it as a window divisor. */
  synMss?: number;
}

// Quirk bits, in the order p0f prints them.
export const Quirk = {
  df: 1 << 0,
  idNonZero: 1 << 1,
  idZero: 1 << 2,
  ecn: 1 << 3,
  mbzNonZero: 1 << 4,
  flow: 1 << 5,
  seqZero: 1 << 6,
  ackNonZero: 1 << 7,
  ackZero: 1 << 8,
  urgPtrNonZero: 1 << 9,
  urg: 1 << 10,
  push: 1 << 11,
  ts1Zero: 1 << 12,
  ts2NonZero: 1 << 13,
  optAfterEol: 1 << 14,
  excessiveWscale: 1 << 15,
  badOptions: 1 << 16,
} as const;

/** p0f's quirk names, index i naming bit 1 << i (printing order). */
export const QUIRK_NAMES: readonly string[] = [
  'df',
  'id+',
  'id-',
  'ecn',
  '0+',
  'flow',
  'seq-',
  'ack+',
  'ack-',
  'uptr+',
  'urgf+',
  'pushf+',
  'ts1-',
  'ts2+',
  'opt+',
  'exws',
  'bad',
];

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACKOK = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

/** p0f parses at most this many options (config.h MAX_TCP_OPT); the rest makes the quirk `bad`. */
export const P0F_MAX_TCP_OPTIONS = 24;
/** Largest TTL distance p0f accepts as a non-fuzzy match or prints as a guess (config.h MAX_DIST). */
export const P0F_MAX_DIST = 35;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const TCP_URG = 0x20;
const TCP_ECE = 0x40;
const TCP_CWR = 0x80;
const TCP_NS = 0x100;
const IP_DF = 0x2;
const IP_MBZ = 0x4;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;

/** One packet as p0f matches it (its `struct tcp_sig` of a packet). */
export interface P0fPacket {
  ipVersion: 4 | 6;
  /** true for SYN+ACK ([tcp:response]), false for SYN ([tcp:request]). */
  synAck: boolean;
  ttl: number;
  ipOptLen: number;
  mss: number;
  window: number;
  wscale: number;
  /** Option kinds in wire order, EOL included once (p0f's opt_layout). */
  layout: number[];
  eolPad: number;
  quirks: number;
  payload: boolean;
  /** IP + TCP header bytes (p0f's tot_hdr, used for the "MTU (actual size)" window divisor). */
  totalHeader: number;
  /** Own timestamp (TSval) of the last timestamp option, 0 when none. */
  ts1: number;
  /** DSCP (TOS >> 2), which p0f prints as `tos:0x..`. */
  dscp: number;
  synMss: number;
}

/** Builds p0f's view of one SYN (flags SYN) or SYN+ACK (flags SYN|ACK). */
export function p0fPacket(p: P0fInput): P0fPacket {
  const flags = p.tcpFlags;
  const type = flags & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST);
  let q = 0;
  if (p.ipVersion === 4) {
    if ((p.tos & 0x3) !== 0) q |= Quirk.ecn;
    if ((p.ipFlags & IP_MBZ) !== 0) q |= Quirk.mbzNonZero;
    if ((p.ipFlags & IP_DF) !== 0) {
      q |= Quirk.df;
      if (p.ipId !== 0) q |= Quirk.idNonZero;
    } else if (p.ipId === 0) q |= Quirk.idZero;
  } else {
    if ((p.flowLabel & 0xfffff) !== 0) q |= Quirk.flow;
    if ((p.tos & 0x3) !== 0) q |= Quirk.ecn;
  }
  if ((flags & (TCP_ECE | TCP_CWR | TCP_NS)) !== 0) q |= Quirk.ecn;
  if (p.seq === 0) q |= Quirk.seqZero;
  if ((flags & TCP_ACK) !== 0) {
    if (p.ack === 0) q |= Quirk.ackZero;
  } else if ((flags & TCP_RST) === 0 && ((p.ack >>> 24) & 1) !== 0) {
    // p0f 3.09b tests `RD32(ack) & !RST`: the ack word as stored in memory (network order) read as a
    // little-endian integer, AND 1, so on the x86 builds that made our oracle only bit 24 of the
    // acknowledgment number counts. Reproduced so signatures compare equal.
    q |= Quirk.ackNonZero;
  }
  if ((flags & TCP_URG) !== 0) q |= Quirk.urg;
  else if (p.urgPtr !== 0) q |= Quirk.urgPtrNonZero;
  if ((flags & TCP_PSH) !== 0) q |= Quirk.push;

  const o = walkOptions(p.options, type === TCP_SYN);
  const ipHeader = p.ipVersion === 4 ? IPV4_HEADER + p.ipOptsLen : IPV6_HEADER;
  return {
    ipVersion: p.ipVersion,
    synAck: (flags & TCP_ACK) !== 0,
    ttl: p.ttl,
    ipOptLen: p.ipVersion === 4 ? p.ipOptsLen : 0,
    mss: o.mss,
    window: p.window,
    wscale: o.wscale,
    layout: o.layout,
    eolPad: o.eolPad,
    quirks: q | o.quirks,
    payload: p.payloadLen > 0,
    totalHeader: ipHeader + TCP_HEADER + p.options.length,
    ts1: o.ts1,
    dscp: (p.tos >> 2) & 0x3f,
    // A SYN opens a new flow in p0f, whose peer MSS is still unknown.
    synMss: (flags & TCP_ACK) !== 0 ? (p.synMss ?? 0) : 0,
  };
}

interface OptionWalk {
  layout: number[];
  eolPad: number;
  mss: number;
  wscale: number;
  ts1: number;
  quirks: number;
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

// p0f's option walk: every kind byte enters the layout before its length is checked; a wrong
// length on a fixed-size option is `bad` but its value is still read at the fixed size; a length
// running past the area (or out of range for SACK / unknown kinds) aborts the walk with `bad`.
// After EOL, the remaining bytes are padding; a non-zero one (except in the very last byte,
// which p0f's scan steps past) is `opt+`.
// An aborted walk is `bad`, even when the abort happens at the very end of the area (a kind byte
// with no room for its length).
function aborted(w: OptionWalk): OptionWalk {
  w.quirks |= Quirk.badOptions;
  return w;
}

function walkOptions(b: Uint8Array, pureSyn: boolean): OptionWalk {
  const w: OptionWalk = { layout: [], eolPad: 0, mss: 0, wscale: 0, ts1: 0, quirks: 0 };
  const end = b.length;
  let i = 0;
  while (i < end && w.layout.length < P0F_MAX_TCP_OPTIONS) {
    const kind = b[i++]!;
    w.layout.push(kind);
    switch (kind) {
      case TCPOPT_EOL:
        w.eolPad = end - i;
        while (i < end) if (b[i++] !== 0) break;
        if (i !== end) {
          w.quirks |= Quirk.optAfterEol;
          i = end;
        }
        break;
      case TCPOPT_NOP:
        break;
      case TCPOPT_MSS:
        if (i + 3 > end) return aborted(w);
        if (b[i] !== 4) w.quirks |= Quirk.badOptions;
        w.mss = (b[i + 1]! << 8) | b[i + 2]!;
        i += 3;
        break;
      case TCPOPT_WSCALE:
        if (i + 2 > end) return aborted(w);
        if (b[i] !== 3) w.quirks |= Quirk.badOptions;
        w.wscale = b[i + 1]!;
        if (w.wscale > 14) w.quirks |= Quirk.excessiveWscale;
        i += 2;
        break;
      case TCPOPT_SACKOK:
        if (i + 1 > end) return aborted(w);
        if (b[i] !== 2) w.quirks |= Quirk.badOptions;
        i += 1;
        break;
      case TCPOPT_SACK: {
        if (i === end) return aborted(w);
        const len = b[i]!;
        if (len < 10 || len > 34 || i - 1 + len > end) return aborted(w);
        i += len - 1;
        break;
      }
      case TCPOPT_TIMESTAMP:
        if (i + 9 > end) return aborted(w);
        if (b[i] !== 10) w.quirks |= Quirk.badOptions;
        w.ts1 = u32(b, i + 1);
        if (w.ts1 === 0) w.quirks |= Quirk.ts1Zero;
        if (pureSyn && u32(b, i + 5) !== 0) w.quirks |= Quirk.ts2NonZero;
        i += 9;
        break;
      default: {
        if (i === end) return aborted(w);
        const len = b[i]!;
        if (len < 2 || len > 40 || i - 1 + len > end) return aborted(w);
        i += len - 1;
      }
    }
  }
  // Stopped by the option limit with bytes left.
  if (i !== end) w.quirks |= Quirk.badOptions;
  return w;
}

/** p0f's quirk names for a quirk bit set, in p0f's printing order. */
export function quirkNames(quirks: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < QUIRK_NAMES.length; i++) if (quirks & (1 << i)) out.push(QUIRK_NAMES[i]!);
  return out;
}
