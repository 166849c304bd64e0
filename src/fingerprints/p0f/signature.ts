// p0f v3 raw TCP signature `ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass`, printed the way
// p0f 3.09b prints `raw_sig=` in its log (docs/README §5).
import {
  P0F_MAX_DIST,
  type P0fInput,
  type P0fPacket,
  p0fPacket,
  QUIRK_NAMES,
  TCPOPT_EOL,
  TCPOPT_MSS,
  TCPOPT_NOP,
  TCPOPT_SACK,
  TCPOPT_SACKOK,
  TCPOPT_TIMESTAMP,
  TCPOPT_WSCALE,
} from './packet.js';

/** The MSS p0f-sendsyn puts in its probes; a SYN+ACK echoing it gets `*` as its MSS. */
export const P0F_SENDSYN_MSS = 1331;
/** The window p0f-sendsyn puts in its probes. */
export const P0F_SENDSYN_WINDOW = 1337;

const MIN_TCP4 = 40;
const MIN_TCP6 = 60;

/** Hops from the nearest initial TTL at or above the observed one (32, 64, 128, 255). */
export function guessDistance(ttl: number): number {
  if (ttl <= 32) return 32 - ttl;
  if (ttl <= 64) return 64 - ttl;
  if (ttl <= 128) return 128 - ttl;
  return 255 - ttl;
}

/** A window that is a multiple of the MSS (`mss*N`) or of an MTU (`mtu*N`). */
export interface WindowMultiple {
  unit: 'mss' | 'mtu';
  multiplier: number;
}

// C semantics of p0f's divisor search: the divisor may be negative (peer MSS − 12 for a tiny peer
// MSS), the quotient is stored in a signed 16-bit integer, and only a positive result counts.
function divides(win: number, div: number): number | null {
  if (div === 0 || win % div !== 0) return null;
  const q = Math.trunc(win / div);
  return (q << 16) >> 16;
}

/** The first divisor of the window, in p0f's order (MSS, MSS−12 with timestamps, MTU-1500 MSSes,
 *  MTU forms, the peer's SYN MSS); null when none divides, the window is 0 or the MSS < 100. */
export function windowMultiple(p: P0fPacket): WindowMultiple | null {
  const win = p.window;
  const mss = p.mss;
  if (win === 0 || mss < 100) return null;
  const candidates: [number, 'mss' | 'mtu'][] = [[mss, 'mss']];
  if (p.ts1 !== 0) candidates.push([mss - 12, 'mss']);
  candidates.push([1500 - MIN_TCP4, 'mss'], [1500 - MIN_TCP4 - 12, 'mss']);
  if (p.ipVersion === 6) candidates.push([1500 - MIN_TCP6, 'mss'], [1500 - MIN_TCP6 - 12, 'mss']);
  candidates.push([mss + MIN_TCP4, 'mtu'], [mss + p.totalHeader, 'mtu']);
  if (p.ipVersion === 6) candidates.push([mss + MIN_TCP6, 'mtu']);
  candidates.push([1500, 'mtu']);
  if (p.synMss !== 0) candidates.push([p.synMss, 'mss'], [p.synMss - 12, 'mss']);
  for (const [div, unit] of candidates) {
    const q = divides(win, div);
    if (q === null) continue;
    return q > 0 ? { unit, multiplier: q } : null;
  }
  return null;
}

const OPTION_NAMES: Record<number, string> = {
  [TCPOPT_NOP]: 'nop',
  [TCPOPT_MSS]: 'mss',
  [TCPOPT_WSCALE]: 'ws',
  [TCPOPT_SACKOK]: 'sok',
  [TCPOPT_SACK]: 'sack',
  [TCPOPT_TIMESTAMP]: 'ts',
};

/** p0f's olayout text for an option kind list (`eol+N` carries the padding count). */
export function layoutText(layout: readonly number[], eolPad: number): string {
  return layout.map((k) => (k === TCPOPT_EOL ? `eol+${eolPad}` : (OPTION_NAMES[k] ?? `?${k}`))).join(',');
}

/** p0f's quirk list text (comma-joined, printing order). */
export function quirksText(quirks: number): string {
  let s = '';
  for (let i = 0; i < QUIRK_NAMES.length; i++) {
    if (quirks & (1 << i)) s += s ? `,${QUIRK_NAMES[i]}` : QUIRK_NAMES[i];
  }
  return s;
}

/** The raw signature of a packet view, exactly as p0f 3.09b logs it in `raw_sig=`. */
export function rawSignature(p: P0fPacket): string {
  const dist = guessDistance(p.ttl);
  const ittl = dist > P0F_MAX_DIST ? `${p.ttl}+?` : `${p.ttl}+${dist}`;
  const mss = p.synAck && p.mss === P0F_SENDSYN_MSS ? '*' : String(p.mss);
  const m = windowMultiple(p);
  const win = m ? `${m.unit}*${m.multiplier}` : String(p.window);
  return (
    `${p.ipVersion}:${ittl}:${p.ipOptLen}:${mss}:${win},${p.wscale}:` +
    `${layoutText(p.layout, p.eolPad)}:${quirksText(p.quirks)}:${p.payload ? '+' : '0'}`
  );
}

/** The p0f v3 raw TCP signature of one SYN or SYN+ACK, e.g. `4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0`. */
export function p0fSignature(input: P0fInput): string {
  return rawSignature(p0fPacket(input));
}
