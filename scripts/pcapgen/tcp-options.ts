// TCP options (RFC 9293 §3.1, RFC 7323 timestamps and window scale, RFC 2018 SACK) and the SYN
// option layouts of common stacks and scanners.

export const TCP_OPT_EOL = 0;
export const TCP_OPT_NOP = 1;
export const TCP_OPT_MSS = 2;
export const TCP_OPT_WSCALE = 3;
export const TCP_OPT_SACK_PERMITTED = 4;
export const TCP_OPT_SACK = 5;
export const TCP_OPT_TIMESTAMPS = 8;

// TCP header flag bits (the 9-bit field; NS is the low bit of byte 12).
export const TcpFlags = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  NS: 0x100,
} as const;

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; shift: number }
  | { kind: 'sackPermitted' }
  | { kind: 'sack'; blocks: ReadonlyArray<readonly [number, number]> }
  | { kind: 'timestamps'; tsval: number; tsecr: number }
  | { kind: 'raw'; type: number; data?: Uint8Array };

// Byte length of one option on the wire.
export function tcpOptionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackPermitted':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamps':
      return 10;
    case 'raw':
      return 2 + (o.data?.length ?? 0);
  }
}

// Encodes options in the given order, zero-padded (EOL) to a multiple of 4 bytes; at most 40 bytes.
export function encodeTcpOptions(opts: readonly TcpOption[]): Uint8Array {
  let n = 0;
  for (const o of opts) n += tcpOptionLength(o);
  const padded = (n + 3) & ~3;
  if (padded > 40) throw new RangeError(`TCP options take ${padded} bytes, more than 40`);
  const out = new Uint8Array(padded);
  let p = 0;
  const u32 = (v: number): void => {
    out[p++] = v >>> 24;
    out[p++] = v >>> 16;
    out[p++] = v >>> 8;
    out[p++] = v;
  };
  for (const o of opts) {
    switch (o.kind) {
      case 'eol':
        out[p++] = TCP_OPT_EOL;
        break;
      case 'nop':
        out[p++] = TCP_OPT_NOP;
        break;
      case 'mss':
        out[p++] = TCP_OPT_MSS;
        out[p++] = 4;
        out[p++] = o.value >>> 8;
        out[p++] = o.value;
        break;
      case 'wscale':
        out[p++] = TCP_OPT_WSCALE;
        out[p++] = 3;
        out[p++] = o.shift;
        break;
      case 'sackPermitted':
        out[p++] = TCP_OPT_SACK_PERMITTED;
        out[p++] = 2;
        break;
      case 'sack':
        out[p++] = TCP_OPT_SACK;
        out[p++] = 2 + 8 * o.blocks.length;
        for (const [l, r] of o.blocks) {
          u32(l);
          u32(r);
        }
        break;
      case 'timestamps':
        out[p++] = TCP_OPT_TIMESTAMPS;
        out[p++] = 10;
        u32(o.tsval);
        u32(o.tsecr);
        break;
      case 'raw': {
        const d = o.data ?? new Uint8Array(0);
        out[p++] = o.type;
        out[p++] = 2 + d.length;
        out.set(d, p);
        p += d.length;
        break;
      }
    }
  }
  return out;
}

// How a stack chooses IPv4 IDs: per-connection counter, zero, random per packet, or a constant.
export type IpIdMode = 'counter' | 'zero' | 'random' | 'fixed';

// What a TCP/IP stack puts in its SYN (or SYN-ACK) and how it behaves afterwards.
export interface TcpStackProfile {
  readonly name: string;
  readonly ttl: number;
  readonly df: boolean;
  readonly window: number;
  readonly mss: number;
  readonly wscale: number | undefined;
  readonly sackPermitted: boolean;
  readonly timestamps: boolean;
  readonly ipId: IpIdMode;
  readonly fixedIpId?: number;
  readonly ephemeralPorts: readonly [number, number];
  // SYN options in wire order; tsval is used only when the layout carries timestamps.
  synOptions(tsval: number): TcpOption[];
}

const MSS = (value: number): TcpOption => ({ kind: 'mss', value });
const WS = (shift: number): TcpOption => ({ kind: 'wscale', shift });
const NOP: TcpOption = { kind: 'nop' };
const EOL: TcpOption = { kind: 'eol' };
const SACKP: TcpOption = { kind: 'sackPermitted' };
const TS = (tsval: number, tsecr = 0): TcpOption => ({ kind: 'timestamps', tsval, tsecr });

// Common stacks: Linux 5.x/6.x, Windows 10/11, macOS, and the usual scanners.
export const TCP_STACKS = {
  linux: {
    name: 'linux',
    ttl: 64,
    df: true,
    window: 64240,
    mss: 1460,
    wscale: 7,
    sackPermitted: true,
    timestamps: true,
    ipId: 'counter',
    ephemeralPorts: [32768, 60999],
    synOptions: (t) => [MSS(1460), SACKP, TS(t), NOP, WS(7)],
  },
  windows: {
    name: 'windows',
    ttl: 128,
    df: true,
    window: 64240,
    mss: 1460,
    wscale: 8,
    sackPermitted: true,
    timestamps: false,
    ipId: 'counter',
    ephemeralPorts: [49152, 65535],
    synOptions: () => [MSS(1460), NOP, WS(8), NOP, NOP, SACKP],
  },
  macos: {
    name: 'macos',
    ttl: 64,
    df: true,
    window: 65535,
    mss: 1460,
    wscale: 6,
    sackPermitted: true,
    timestamps: true,
    ipId: 'zero',
    ephemeralPorts: [49152, 65535],
    synOptions: (t) => [MSS(1460), NOP, WS(6), NOP, NOP, TS(t), SACKP, EOL, EOL],
  },
  nmap: {
    name: 'nmap',
    ttl: 45,
    df: false,
    window: 1024,
    mss: 1460,
    wscale: undefined,
    sackPermitted: false,
    timestamps: false,
    ipId: 'random',
    ephemeralPorts: [40000, 65000],
    synOptions: () => [MSS(1460)],
  },
  masscan: {
    name: 'masscan',
    ttl: 255,
    df: false,
    window: 1024,
    mss: 1460,
    wscale: undefined,
    sackPermitted: false,
    timestamps: false,
    ipId: 'random',
    ephemeralPorts: [40000, 65000],
    synOptions: () => [],
  },
  zmap: {
    name: 'zmap',
    ttl: 255,
    df: false,
    window: 65535,
    mss: 1460,
    wscale: undefined,
    sackPermitted: false,
    timestamps: false,
    ipId: 'fixed',
    fixedIpId: 54321,
    ephemeralPorts: [32768, 61000],
    synOptions: () => [MSS(1460)],
  },
} satisfies Record<string, TcpStackProfile>;

export type TcpStackName = keyof typeof TCP_STACKS;

// SYN-ACK options a Linux server answers with, given what the client's SYN offered.
export function linuxSynAckOptions(
  client: { sackPermitted: boolean; timestamps: boolean; wscale: number | undefined },
  tsval: number,
  tsecr: number,
  mss = 1460,
  wscale = 7,
): TcpOption[] {
  const out: TcpOption[] = [MSS(mss)];
  if (client.sackPermitted && client.timestamps) out.push(SACKP, TS(tsval, tsecr));
  else if (client.sackPermitted) out.push(NOP, NOP, SACKP);
  else if (client.timestamps) out.push(NOP, NOP, TS(tsval, tsecr));
  if (client.wscale !== undefined) out.push(NOP, WS(wscale));
  return out;
}
