// A TCP conversation builder (RFC 9293 state as seen by a passive sensor next to the server):
// tracks sequence / acknowledgement numbers, TCP timestamps (RFC 7323) and window scaling for
// both sides, and timestamps every frame so that a sensor near the server sees the server answer
// after its think time and the client answer one round trip later.

import { parseIp } from './addr.js';
import { frameSlab, type Slab } from './bytes.js';
import {
  encodePacket,
  ipv4Spec,
  ipv6Spec,
  type LinkSpec,
  LinkType,
  linkSpec,
  maxFrameLength,
  type PacketSpec,
  SllPacketType,
  type TcpSpec,
} from './frames.js';
import { Prng } from './prng.js';
import {
  encodeTcpOptions,
  linuxSynAckOptions,
  TCP_STACKS,
  TcpFlags,
  type TcpOption,
  type TcpStackName,
  type TcpStackProfile,
  tcpOptionLength,
} from './tcp-options.js';
import type { PacketRecord } from './writer.js';

// Ground-truth labels a session (or its caller) attaches to the frames it emits.
export const PacketTag = {
  SYN_RETRANSMIT: 1 << 0,
  DATA_RETRANSMIT: 1 << 1,
  KEEPALIVE: 1 << 2,
  // Set by callers on the segment that completes a message.
  CLIENT_HELLO: 1 << 3,
  CLIENT_HELLO_SPLIT: 1 << 4,
  SERVER_HELLO: 1 << 5,
  SSH_CLIENT_BANNER: 1 << 6,
  SSH_SERVER_BANNER: 1 << 7,
  SSH_CLIENT_KEXINIT: 1 << 8,
  SSH_SERVER_KEXINIT: 1 << 9,
  HTTP_REQUEST: 1 << 10,
  HTTP_RESPONSE: 1 << 11,
  OUT_OF_ORDER: 1 << 12,
} as const;

export interface SessionPacket extends PacketRecord {
  frame: Uint8Array;
  fromClient: boolean;
  flags: number;
  seq: number;
  payloadLength: number;
  tags: number;
}

export interface TcpEndpoint {
  ip: string | Uint8Array;
  port: number;
  mac?: Uint8Array | undefined;
  // Stack whose SYN layout, TTL, DF, window and IP ID behaviour to imitate (default linux).
  stack?: TcpStackName | TcpStackProfile | undefined;
  // Routers between this host and the sensor; the observed TTL is the stack's minus this.
  hops?: number | undefined;
  isn?: number | undefined;
  ipId?: number | undefined;
  // TCP timestamp clock (ms) at the session start.
  tsClock?: number | undefined;
}

export interface TcpSessionOptions {
  client: TcpEndpoint;
  server: TcpEndpoint;
  // Link layer; MAC addresses come from the endpoints. Default Ethernet.
  link?: Omit<LinkSpec, 'srcMac' | 'dstMac'> | undefined;
  // Capture time of the first frame, µs since the epoch.
  startTs?: number | undefined;
  // Round trip between the sensor and the client, µs.
  rttUs?: number | undefined;
  // Time the server takes to answer, µs.
  serverDelayUs?: number | undefined;
  prng?: Prng | undefined;
  seed?: number | undefined;
  // Where frames are carved from (default: the shared frame slab).
  slab?: Slab | undefined;
}

export interface SendOptions {
  // Number of segments (split evenly, each at most the MSS), or explicit segment sizes.
  segments?: number | readonly number[] | undefined;
  // Emission order as a permutation of segment indices (out-of-order delivery).
  order?: readonly number[] | undefined;
  // Segment indices to send again (same sequence range) after a retransmission timeout.
  retransmit?: readonly number[] | undefined;
  // Tags for the segment that completes the message (emitted last).
  tag?: number | undefined;
  // The receiver acknowledges with a pure ACK afterwards.
  ack?: boolean | undefined;
  // Gap before the first segment, µs (default from the timing model).
  gapUs?: number | undefined;
  // Set PSH on the last segment (default true).
  push?: boolean | undefined;
}

interface Side {
  stack: TcpStackProfile;
  ip: Uint8Array;
  port: number;
  ttl: number;
  isn: number;
  nxt: number;
  ipId: number;
  tsBase: number;
  lastTsval: number;
  mss: number;
  synWindow: number;
  scaledWindow: number;
  spec: PacketSpec;
  l4: TcpSpec;
  // Data segments sent, newest last (at most SENT_HISTORY), for retransmitLast.
  sent: Array<{ seq: number; data: Uint8Array; flags: number }>;
}

const SENT_HISTORY = 16;

// Scratch for the NOP NOP Timestamps option of non-SYN segments (copied into each frame).
const TS_SCRATCH = new Uint8Array(12);

interface OptionTemplate {
  bytes: Uint8Array;
  // Offset of the timestamps option's TSval, or -1.
  tsAt: number;
}
const synTemplates = new WeakMap<TcpStackProfile, OptionTemplate>();
const synAckTemplates = new Map<string, OptionTemplate>();

function timestampOffset(opts: readonly TcpOption[]): number {
  let off = 0;
  for (const o of opts) {
    if (o.kind === 'timestamps') return off + 2;
    off += tcpOptionLength(o);
  }
  return -1;
}

function withTimestamps(t: OptionTemplate, tsval: number, tsecr: number): Uint8Array {
  if (t.tsAt < 0) return t.bytes;
  const b = t.bytes.slice();
  const p = t.tsAt;
  b[p] = tsval >>> 24;
  b[p + 1] = tsval >>> 16;
  b[p + 2] = tsval >>> 8;
  b[p + 3] = tsval;
  b[p + 4] = tsecr >>> 24;
  b[p + 5] = tsecr >>> 16;
  b[p + 6] = tsecr >>> 8;
  b[p + 7] = tsecr;
  return b;
}

const EMPTY = new Uint8Array(0);

function resolveStack(s: TcpStackName | TcpStackProfile | undefined): TcpStackProfile {
  if (s === undefined) return TCP_STACKS.linux;
  return typeof s === 'string' ? TCP_STACKS[s] : s;
}

// Builds one TCP conversation frame by frame; `packets` holds the frames with their capture times.
export class TcpSession {
  readonly packets: SessionPacket[] = [];
  private readonly prng: Prng;
  private readonly slab: Slab;
  private readonly c: Side;
  private readonly s: Side;
  private readonly rtt: number;
  private readonly serverDelay: number;
  private clock: number;
  private lastFromClient: boolean | undefined;
  private tsOk = false;
  private wsOk = false;
  private sackOk = false;

  constructor(opts: TcpSessionOptions) {
    this.prng = opts.prng ?? new Prng(opts.seed ?? 1);
    this.slab = opts.slab ?? frameSlab;
    this.clock = opts.startTs ?? 1_736_899_200_000_000;
    this.rtt = opts.rttUs ?? 40_000;
    this.serverDelay = opts.serverDelayUs ?? 300;
    const link = opts.link ?? { type: LinkType.ETHERNET };
    const cMac = opts.client.mac ?? Uint8Array.of(0x02, 0, 0, 0, 0, 1);
    const sMac = opts.server.mac ?? Uint8Array.of(0x02, 0, 0, 0, 0, 2);
    const cIp = parseIp(opts.client.ip);
    const sIp = parseIp(opts.server.ip);
    if (cIp.length !== sIp.length) throw new TypeError('client and server must both be IPv4 or both IPv6');
    this.c = this.side(opts.client, cIp, sIp, linkSpec(link, cMac, sMac, SllPacketType.HOST));
    this.s = this.side(opts.server, sIp, cIp, linkSpec(link, sMac, cMac, SllPacketType.OUTGOING));
  }

  private side(ep: TcpEndpoint, ip: Uint8Array, peer: Uint8Array, link: LinkSpec): Side {
    const stack = resolveStack(ep.stack);
    const p = this.prng;
    const isn = ep.isn ?? p.u32();
    const l4: TcpSpec = {
      proto: 'tcp',
      srcPort: ep.port,
      dstPort: 0,
      seq: 0,
      ack: 0,
      flags: 0,
      window: 0,
      urgentPointer: 0,
      reserved: 0,
      options: EMPTY,
      forceChecksum: undefined,
    };
    const spec: PacketSpec = {
      link,
      ip: ip.length === 4 ? ipv4Spec(ip, peer, stack.df) : ipv6Spec(ip, peer, p.u32() & 0xfffff),
      l4,
      payload: EMPTY,
    };
    return {
      stack,
      ip,
      port: ep.port,
      ttl: Math.max(1, stack.ttl - (ep.hops ?? 0)),
      isn,
      nxt: isn,
      ipId: ep.ipId ?? (stack.ipId === 'fixed' ? (stack.fixedIpId ?? 0) : p.u32() & 0xffff),
      tsBase: ep.tsClock ?? p.u32(),
      lastTsval: 0,
      mss: stack.mss,
      synWindow: stack.window,
      scaledWindow: Math.ceil(stack.window / 2 ** (stack.wscale ?? 0)),
      spec,
      l4,
      sent: [],
    };
  }

  // Current session clock, µs.
  get now(): number {
    return this.clock;
  }

  // Next sequence number of the client and of the server.
  get clientNext(): number {
    return this.c.nxt;
  }
  get serverNext(): number {
    return this.s.nxt;
  }

  // Whether TCP timestamps were negotiated.
  get timestamps(): boolean {
    return this.tsOk;
  }

  // Largest payload one segment from `from` may carry (peer's MSS minus the timestamp option).
  maxSegment(from: 'client' | 'server'): number {
    const peer = from === 'client' ? this.s : this.c;
    return peer.mss - (this.tsOk ? 12 : 0);
  }

  // Moves the clock forward by an explicit amount, µs (idle time).
  wait(us: number): this {
    this.clock += Math.max(0, Math.round(us));
    return this;
  }

  private advance(fromClient: boolean, gapUs: number | undefined): void {
    if (gapUs !== undefined) this.clock += Math.round(gapUs);
    else if (this.lastFromClient === undefined) {
      // first frame: no gap
    } else if (this.lastFromClient === fromClient) this.clock += 15 + this.prng.int(120);
    else if (fromClient) this.clock += Math.round(this.rtt * (0.9 + 0.2 * this.prng.float()));
    else this.clock += Math.round(this.serverDelay * (0.5 + this.prng.float()));
    this.lastFromClient = fromClient;
  }

  private tsval(side: Side): number {
    return (side.tsBase + Math.floor((this.clock - (this.packets[0]?.ts ?? this.clock)) / 1000)) >>> 0;
  }

  private nextIpId(side: Side): number {
    switch (side.stack.ipId) {
      case 'counter':
        side.ipId = (side.ipId + 1) & 0xffff;
        return side.ipId;
      case 'zero':
        return 0;
      case 'random':
        return this.prng.u32() & 0xffff;
      case 'fixed':
        return side.ipId;
    }
  }

  private emit(
    fromClient: boolean,
    flags: number,
    seq: number,
    payload: Uint8Array,
    tags: number,
    gapUs?: number,
    synOptions?: Uint8Array,
    window?: number,
  ): SessionPacket {
    const me = fromClient ? this.c : this.s;
    const peer = fromClient ? this.s : this.c;
    this.advance(fromClient, gapUs);
    let options = synOptions;
    if (options === undefined && this.tsOk && !(flags & TcpFlags.RST)) {
      const tv = this.tsval(me);
      const o = TS_SCRATCH;
      o[0] = 1;
      o[1] = 1;
      o[2] = 8;
      o[3] = 10;
      o[4] = tv >>> 24;
      o[5] = tv >>> 16;
      o[6] = tv >>> 8;
      o[7] = tv;
      const te = peer.lastTsval;
      o[8] = te >>> 24;
      o[9] = te >>> 16;
      o[10] = te >>> 8;
      o[11] = te;
      me.lastTsval = tv;
      options = o;
    }
    const spec = me.spec;
    const ip = spec.ip;
    if (ip.version === 4) {
      ip.ttl = me.ttl;
      ip.id = this.nextIpId(me);
    } else ip.hopLimit = me.ttl;
    const l4 = me.l4;
    l4.dstPort = peer.port;
    l4.seq = seq >>> 0;
    l4.ack = flags & TcpFlags.ACK ? peer.nxt >>> 0 : 0;
    l4.flags = flags;
    l4.window = window ?? (this.wsOk && !(flags & TcpFlags.SYN) ? me.scaledWindow : me.synWindow);
    l4.options = options ?? EMPTY;
    spec.payload = payload;
    const slab = this.slab;
    const r = slab.reserve(maxFrameLength(spec));
    const frame = slab.commit(encodePacket(spec, r.bytes, r.offset));
    const pkt: SessionPacket = {
      ts: this.clock,
      frame,
      fromClient,
      flags,
      seq: seq >>> 0,
      payloadLength: payload.length,
      tags,
    };
    this.packets.push(pkt);
    return pkt;
  }

  private synOptionBytes(side: Side, fromClient: boolean): Uint8Array {
    const st = side.stack;
    const tsval = this.tsval(side);
    if (fromClient) {
      // The layout is fixed per stack: encode once, then patch the timestamp.
      let t = synTemplates.get(st);
      if (t === undefined) {
        const opts = st.synOptions(0);
        t = { bytes: encodeTcpOptions(opts), tsAt: timestampOffset(opts) };
        synTemplates.set(st, t);
      }
      return withTimestamps(t, tsval, 0);
    }
    const client = this.c.stack;
    const offered = {
      sackPermitted: client.sackPermitted && st.sackPermitted,
      timestamps: client.timestamps && st.timestamps,
      wscale: client.wscale === undefined ? undefined : st.wscale,
    };
    const key = `${st.name}|${st.mss}|${st.wscale}|${offered.sackPermitted}|${offered.timestamps}|${offered.wscale}`;
    let t = synAckTemplates.get(key);
    if (t === undefined) {
      const opts = linuxSynAckOptions(offered, 0, 0, st.mss, st.wscale ?? 7);
      t = { bytes: encodeTcpOptions(opts), tsAt: timestampOffset(opts) };
      synAckTemplates.set(key, t);
    }
    return withTimestamps(t, tsval, this.c.lastTsval);
  }

  // Client SYN, plus `retransmits` copies after 1 s, 2 s, 4 s ... (same ISN).
  syn(opts: { retransmits?: number; gapUs?: number } = {}): this {
    const c = this.c;
    c.lastTsval = this.tsval(c);
    this.emit(true, TcpFlags.SYN, c.isn, EMPTY, 0, opts.gapUs, this.synOptionBytes(c, true));
    let rto = 1_000_000;
    for (let i = 0; i < (opts.retransmits ?? 0); i++) {
      this.clock += rto;
      rto *= 2;
      this.lastFromClient = true;
      c.lastTsval = this.tsval(c);
      this.emit(true, TcpFlags.SYN, c.isn, EMPTY, PacketTag.SYN_RETRANSMIT, 0, this.synOptionBytes(c, true));
    }
    c.nxt = (c.isn + 1) >>> 0;
    return this;
  }

  // Server SYN-ACK answering the client's SYN; negotiates timestamps, window scale and SACK.
  synAck(opts: { gapUs?: number } = {}): this {
    const s = this.s;
    const cs = this.c.stack;
    const ss = s.stack;
    s.lastTsval = this.tsval(s);
    this.emit(false, TcpFlags.SYN | TcpFlags.ACK, s.isn, EMPTY, 0, opts.gapUs, this.synOptionBytes(s, false));
    s.nxt = (s.isn + 1) >>> 0;
    this.tsOk = cs.timestamps && ss.timestamps;
    this.wsOk = cs.wscale !== undefined && ss.wscale !== undefined;
    this.sackOk = cs.sackPermitted && ss.sackPermitted;
    this.c.mss = cs.mss;
    this.s.mss = ss.mss;
    return this;
  }

  // Whether both sides offered SACK.
  get sackPermitted(): boolean {
    return this.sackOk;
  }

  // Pure ACK from one side.
  ack(from: 'client' | 'server', gapUs?: number): this {
    const me = from === 'client' ? this.c : this.s;
    this.emit(from === 'client', TcpFlags.ACK, me.nxt, EMPTY, 0, gapUs);
    return this;
  }

  // Three-way handshake: SYN (with optional retransmits), SYN-ACK, ACK.
  handshake(opts: { synRetransmits?: number } = {}): this {
    this.syn({ retransmits: opts.synRetransmits ?? 0 });
    this.synAck();
    return this.ack('client');
  }

  private segmentSizes(len: number, segs: number | readonly number[] | undefined, max: number): number[] {
    if (Array.isArray(segs)) {
      const sizes = [...(segs as readonly number[])];
      const sum = sizes.reduce((a, b) => a + b, 0);
      if (sum !== len) throw new RangeError(`segment sizes sum to ${sum}, payload is ${len}`);
      return sizes;
    }
    const n = typeof segs === 'number' ? segs : Math.max(1, Math.ceil(len / max));
    if (n === Math.ceil(len / max) && n > 1) {
      // MSS-sized segments and a short tail, the way a bulk sender fills them.
      const sizes = new Array<number>(n - 1).fill(max);
      sizes.push(len - max * (n - 1));
      return sizes;
    }
    const each = Math.ceil(len / n);
    if (each > max) throw new RangeError(`${n} segments of ${each} bytes exceed the MSS ${max}`);
    const sizes: number[] = [];
    for (let left = len; left > 0; left -= each) sizes.push(Math.min(each, left));
    return sizes.length ? sizes : [0];
  }

  // Sends application data from one side, split into segments, optionally out of order or with
  // retransmitted segments. Returns the emitted packets.
  send(from: 'client' | 'server', data: Uint8Array, opts: SendOptions = {}): SessionPacket[] {
    const fromClient = from === 'client';
    const me = fromClient ? this.c : this.s;
    const sizes = this.segmentSizes(data.length, opts.segments, this.maxSegment(from));
    const n = sizes.length;
    const base = me.nxt;
    const starts: number[] = [];
    for (let i = 0, off = 0; i < n; off += sizes[i]!, i++) starts.push(off);
    const order = opts.order ?? null;
    if (order && (order.length !== n || new Set(order).size !== n || order.some((i) => !(i >= 0 && i < n)))) {
      throw new RangeError('order must list every segment index once');
    }
    const push = opts.push ?? true;
    const flagsOf = (idx: number): number => TcpFlags.ACK | (push && idx === n - 1 ? TcpFlags.PSH : 0);
    const out: SessionPacket[] = [];
    let maxSent = -1;
    for (let k = 0; k < n; k++) {
      const idx = order ? order[k]! : k;
      const off = starts[idx]!;
      const seg = data.subarray(off, off + sizes[idx]!);
      const seq = (base + off) >>> 0;
      const flags = flagsOf(idx);
      const tags = (k === n - 1 ? (opts.tag ?? 0) : 0) | (idx < maxSent ? PacketTag.OUT_OF_ORDER : 0);
      if (idx > maxSent) maxSent = idx;
      out.push(this.emit(fromClient, flags, seq, seg, tags, k === 0 ? opts.gapUs : undefined));
      me.sent.push({ seq, data: seg, flags });
    }
    if (me.sent.length > SENT_HISTORY) me.sent.splice(0, me.sent.length - SENT_HISTORY);
    me.nxt = (base + data.length) >>> 0;
    for (const idx of opts.retransmit ?? []) {
      const off = starts[idx];
      if (off === undefined) throw new RangeError(`no segment ${idx} to retransmit`);
      const rto = 200_000 + this.rtt + this.prng.int(50_000);
      this.lastFromClient = fromClient;
      const seg = data.subarray(off, off + sizes[idx]!);
      out.push(this.emit(fromClient, flagsOf(idx), (base + off) >>> 0, seg, PacketTag.DATA_RETRANSMIT, rto));
    }
    if (opts.ack) this.ack(fromClient ? 'server' : 'client');
    return out;
  }

  // Sends again the last `count` data segments this side sent (same sequence ranges), after an RTO.
  retransmitLast(from: 'client' | 'server', count = 1): this {
    const fromClient = from === 'client';
    const me = fromClient ? this.c : this.s;
    const segs = me.sent.slice(-count);
    segs.forEach((seg, i) => {
      this.lastFromClient = fromClient;
      const gap = i === 0 ? 200_000 + this.rtt + this.prng.int(50_000) : undefined;
      this.emit(fromClient, seg.flags, seg.seq, seg.data, PacketTag.DATA_RETRANSMIT, gap);
    });
    return this;
  }

  // TCP keep-alive (seq = next - 1, with no data or one garbage byte) and the peer's ACK.
  keepAlive(
    from: 'client' | 'server',
    opts: { withByte?: boolean; idleUs?: number; answer?: boolean } = {},
  ): this {
    const fromClient = from === 'client';
    const me = fromClient ? this.c : this.s;
    this.clock += opts.idleUs ?? 75_000_000;
    this.lastFromClient = fromClient;
    const data = opts.withByte ? Uint8Array.of(0) : EMPTY;
    this.emit(fromClient, TcpFlags.ACK, (me.nxt - 1) >>> 0, data, PacketTag.KEEPALIVE, 0);
    if (opts.answer ?? true) this.ack(fromClient ? 'server' : 'client');
    return this;
  }

  // Orderly close: FIN from the initiator, the peer's FIN (after a separate ACK unless combined),
  // and the last ACK.
  close(initiator: 'client' | 'server' = 'client', opts: { combinedFin?: boolean } = {}): this {
    const a = initiator === 'client';
    const me = a ? this.c : this.s;
    const peer = a ? this.s : this.c;
    this.emit(a, TcpFlags.FIN | TcpFlags.ACK, me.nxt, EMPTY, 0);
    me.nxt = (me.nxt + 1) >>> 0;
    if (!(opts.combinedFin ?? true)) this.emit(!a, TcpFlags.ACK, peer.nxt, EMPTY, 0);
    this.emit(!a, TcpFlags.FIN | TcpFlags.ACK, peer.nxt, EMPTY, 0);
    peer.nxt = (peer.nxt + 1) >>> 0;
    this.emit(a, TcpFlags.ACK, me.nxt, EMPTY, 0);
    return this;
  }

  // Abort with RST (RST+ACK by default) from one side.
  rst(from: 'client' | 'server', opts: { ack?: boolean; gapUs?: number } = {}): this {
    const me = from === 'client' ? this.c : this.s;
    const flags = TcpFlags.RST | ((opts.ack ?? true) ? TcpFlags.ACK : 0);
    this.emit(from === 'client', flags, me.nxt, EMPTY, 0, opts.gapUs, undefined, 0);
    return this;
  }

  // A SYN-scan probe: 'closed' is SYN then RST+ACK from the server, 'open' is SYN, SYN-ACK and the
  // scanner's RST, 'filtered' is a SYN (and its retransmits) with no answer.
  probe(kind: 'closed' | 'open' | 'filtered', opts: { synRetransmits?: number } = {}): this {
    this.syn({ retransmits: opts.synRetransmits ?? 0 });
    if (kind === 'closed') {
      const s = this.s;
      this.emit(false, TcpFlags.RST | TcpFlags.ACK, 0, EMPTY, 0, undefined, undefined, 0);
      s.nxt = 0;
    } else if (kind === 'open') {
      this.synAck();
      this.tsOk = false;
      this.emit(true, TcpFlags.RST, this.c.nxt, EMPTY, 0, undefined, undefined, 0);
    }
    return this;
  }
}

// Records of one or more sessions merged by timestamp (stable), ready for a writer.
export function mergeByTime(...lists: ReadonlyArray<readonly PacketRecord[]>): PacketRecord[] {
  return lists.flat().sort((a, b) => a.ts - b.ts);
}
