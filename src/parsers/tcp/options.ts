// TCP options (RFC 9293 §3.1, RFC 7323 timestamps/window scale, RFC 2018 SACK), parsed totally:
// a malformed option stops parsing and sets `bad`, it never throws.

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export type TcpOption =
  | { kind: 0; name: 'eol'; pad: number }
  | { kind: 1; name: 'nop' }
  | { kind: 2; name: 'mss'; value: number }
  | { kind: 3; name: 'ws'; value: number }
  | { kind: 4; name: 'sok' }
  | { kind: 5; name: 'sack'; length: number }
  | { kind: 8; name: 'ts'; tsval: number; tsecr: number }
  | { kind: number; name: 'other'; length: number };

export interface TcpOptions {
  /** Options in wire order, with values. */
  list: TcpOption[];
  /** Every option kind byte in wire order, EOL padding included (the JA4T view). */
  kinds: number[];
  mss: number | null;
  wscale: number | null;
  sackPermitted: boolean;
  tsval: number | null;
  tsecr: number | null;
  /** Non-zero bytes after EOL (p0f quirk opt+). */
  trailingNonZero: boolean;
  /** An option's length ran past the options area or was invalid (p0f quirk bad). */
  bad: boolean;
}

/** The big-endian unsigned 32-bit value at b[at, at + 4) (bounds checked by the caller). */
function uint32At(b: Uint8Array, at: number): number {
  return b[at]! * 0x100_0000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

/** Parses the raw option bytes of a TCP header. */
export function parseTcpOptions(b: Uint8Array): TcpOptions {
  const out: TcpOptions = {
    list: [],
    kinds: [],
    mss: null,
    wscale: null,
    sackPermitted: false,
    tsval: null,
    tsecr: null,
    trailingNonZero: false,
    bad: false,
  };
  let i = 0;
  while (i < b.length) {
    const kind = b[i]!;
    if (kind === TCPOPT_EOL) {
      const pad = b.length - i - 1;
      out.list.push({ kind: 0, name: 'eol', pad });
      for (let j = i; j < b.length; j++) {
        out.kinds.push(0);
        if (j > i && b[j] !== 0) out.trailingNonZero = true;
      }
      return out;
    }
    out.kinds.push(kind);
    if (kind === TCPOPT_NOP) {
      out.list.push({ kind: 1, name: 'nop' });
      i++;
      continue;
    }
    if (i + 1 >= b.length) {
      out.bad = true;
      return out;
    }
    const len = b[i + 1]!;
    if (len < 2 || i + len > b.length) {
      out.bad = true;
      return out;
    }
    switch (kind) {
      case TCPOPT_MSS:
        if (len !== 4) out.bad = true;
        else {
          out.mss = (b[i + 2]! << 8) | b[i + 3]!;
          out.list.push({ kind: 2, name: 'mss', value: out.mss });
        }
        break;
      case TCPOPT_WSCALE:
        if (len !== 3) out.bad = true;
        else {
          out.wscale = b[i + 2]!;
          out.list.push({ kind: 3, name: 'ws', value: out.wscale });
        }
        break;
      case TCPOPT_SACK_PERMITTED:
        if (len !== 2) out.bad = true;
        else {
          out.sackPermitted = true;
          out.list.push({ kind: 4, name: 'sok' });
        }
        break;
      case TCPOPT_SACK:
        out.list.push({ kind: 5, name: 'sack', length: len });
        break;
      case TCPOPT_TIMESTAMP:
        if (len !== 10) out.bad = true;
        else {
          out.tsval = uint32At(b, i + 2);
          out.tsecr = uint32At(b, i + 6);
          out.list.push({ kind: 8, name: 'ts', tsval: out.tsval, tsecr: out.tsecr });
        }
        break;
      default:
        out.list.push({ kind, name: 'other', length: len });
    }
    i += len;
  }
  return out;
}
