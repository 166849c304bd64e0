// p0f 3.09b TCP signature matching (fp_tcp.c tcp_find_match semantics): among database signatures
// with the packet's option layout, in file order, the first exact specific (`s`) signature wins;
// else the first exact generic (`g`) one; else the first fuzzy one (never for userland tools).
import type { P0fDatabase, P0fLabel, P0fTcpSignature, WindowType } from './database.js';
import { P0F_MAX_DIST, type P0fPacket, Quirk } from './packet.js';
import { guessDistance, windowMultiple } from './signature.js';

/** p0f's verdict on one SYN or SYN+ACK: its log's `os=` (or `app=`) and `dist=`. */
export interface P0fGuess {
  /** `Name flavor` as p0f prints it, e.g. 'Linux 3.11 and newer'; null when p0f says `???`. */
  label: string | null;
  /** The matched label (type s/g, class, name, flavor); null when nothing matched. */
  match: P0fLabel | null;
  /** Line of the matched signature in p0f.fp; 0 when nothing matched. */
  line: number;
  /** Hops: signature TTL − observed TTL, or the guess from the observed TTL. p0f prints `<= N`
   *  when `randomTtl`. */
  distance: number;
  fuzzy: boolean;
  generic: boolean;
  /** The signature's TTL is a maximum (`N-`, tools with random TTLs). */
  randomTtl: boolean;
  /** Class `!`: a userland tool (p0f logs `app=` instead of `os=`). */
  userland: boolean;
}

/** What one side of the comparison looks like: a packet, or a database signature (duplicate check). */
export interface MatchProbe {
  ipVersion: 4 | 6 | null;
  ttl: number;
  quirks: number;
  layoutKey: string;
  eolPad: number;
  ipOptLen: number;
  /** -1: any (database signatures only). */
  mss: number;
  wscale: number;
  payClass: number;
  windowType: WindowType;
  window: number;
  /** The packet's window multiple (p0f detect_win_multi); multiplier -1 when none. */
  multiplier: number;
  useMtu: boolean;
}

interface Found {
  sig: P0fTcpSignature;
  fuzzy: boolean;
}

/** The key signatures are indexed by: the option kinds in wire order. */
export function layoutKey(layout: readonly number[]): string {
  return layout.join(',');
}

const FUZZY_MAY_DISAPPEAR = Quirk.df | Quirk.idNonZero;
const FUZZY_MAY_APPEAR = Quirk.idZero | Quirk.ecn;
const IPV4_ID_QUIRKS = Quirk.df | Quirk.idNonZero | Quirk.idZero;

/** Scans one layout bucket the way p0f does. With `dupeCheck`, only an exact specific match
 *  counts (p0f's test that a new p0f.fp line is not already covered by an earlier one). */
export function findMatch(
  bucket: readonly P0fTcpSignature[],
  ts: MatchProbe,
  dupeCheck: boolean,
): { exact: Found | null; generic: P0fTcpSignature | null; fuzzy: P0fTcpSignature | null } {
  let generic: P0fTcpSignature | null = null;
  let fuzzyMatch: P0fTcpSignature | null = null;
  for (const ref of bucket) {
    if (ref.layoutKey !== ts.layoutKey) continue;
    let fuzzy = false;
    let refQuirks = ref.quirks;
    // A version-less signature ignores the other version's quirks (as p0f does: only df/id+/id-
    // for IPv6 packets, only flow for IPv4; "0+" is kept).
    if (ref.ipVersion === null) refQuirks &= ts.ipVersion === 4 ? ~Quirk.flow : ~IPV4_ID_QUIRKS;
    if (refQuirks !== ts.quirks) {
      const deleted = (refQuirks ^ ts.quirks) & refQuirks;
      const added = (refQuirks ^ ts.quirks) & ts.quirks;
      if (fuzzyMatch || deleted & ~FUZZY_MAY_DISAPPEAR || added & ~FUZZY_MAY_APPEAR) continue;
      fuzzy = true;
    }
    if (ref.eolPad !== ts.eolPad || ref.ipOptLen !== ts.ipOptLen) continue;
    if (ref.randomTtl) {
      if (ref.ttl < ts.ttl) continue;
    } else if (ref.ttl < ts.ttl || ref.ttl - ts.ttl > P0F_MAX_DIST) fuzzy = true;
    if (ref.mss !== -1 && ref.mss !== ts.mss) continue;
    if (ref.wscale !== -1 && ref.wscale !== ts.wscale) continue;
    if (ref.payClass !== -1 && ref.payClass !== ts.payClass) continue;
    if (ts.windowType !== 'fixed') {
      // Two p0f.fp signatures compared: window forms must be identical.
      if (ref.windowType !== ts.windowType || ref.window !== ts.window) continue;
    } else if (!windowFits(ref, ts)) continue;
    if (!fuzzy) {
      if (ref.label.type === 's') return { exact: { sig: ref, fuzzy: false }, generic, fuzzy: fuzzyMatch };
      if (!generic) generic = ref;
    } else if (!fuzzyMatch) fuzzyMatch = ref;
  }
  if (dupeCheck) return { exact: null, generic: null, fuzzy: null };
  return { exact: null, generic, fuzzy: fuzzyMatch };
}

function windowFits(ref: P0fTcpSignature, ts: MatchProbe): boolean {
  switch (ref.windowType) {
    case 'fixed':
      return ref.window === ts.window;
    case 'mod':
      return ts.window % ref.window === 0;
    case 'mss':
      return !ts.useMtu && ref.window === ts.multiplier;
    case 'mtu':
      return ts.useMtu && ref.window === ts.multiplier;
    default:
      return true;
  }
}

/** The probe of a packet view. */
export function packetProbe(p: P0fPacket): MatchProbe {
  const m = windowMultiple(p);
  return {
    ipVersion: p.ipVersion,
    ttl: p.ttl,
    quirks: p.quirks,
    layoutKey: layoutKey(p.layout),
    eolPad: p.eolPad,
    ipOptLen: p.ipOptLen,
    mss: p.mss,
    wscale: p.wscale,
    payClass: p.payload ? 1 : 0,
    windowType: 'fixed',
    window: p.window,
    multiplier: m ? m.multiplier : -1,
    useMtu: m?.unit === 'mtu',
  };
}

/** Matches a SYN against [tcp:request] or a SYN+ACK against [tcp:response], as p0f 3.09b does. */
export function matchP0f(db: P0fDatabase, p: P0fPacket): P0fGuess {
  const ts = packetProbe(p);
  const bucket = (p.synAck ? db.response : db.request).get(ts.layoutKey) ?? [];
  const r = findMatch(bucket, ts, false);
  if (r.exact) return guess(r.exact.sig, false, r.exact.sig.ttl - p.ttl);
  if (r.generic) return guess(r.generic, false, r.generic.ttl - p.ttl);
  const f = r.fuzzy;
  // No fuzzy matches for userland tools; p0f then leaves the distance at 0.
  if (f && f.label.osClass === '!') return unknown(0);
  if (!f) return unknown(guessDistance(p.ttl));
  const outOfRange = f.ttl < p.ttl || (!f.randomTtl && f.ttl - p.ttl > P0F_MAX_DIST);
  return guess(f, true, outOfRange ? guessDistance(p.ttl) : f.ttl - p.ttl);
}

function guess(sig: P0fTcpSignature, fuzzy: boolean, distance: number): P0fGuess {
  return {
    label: sig.label.text,
    match: sig.label,
    line: sig.line,
    distance,
    fuzzy,
    generic: sig.label.type === 'g',
    randomTtl: sig.randomTtl,
    userland: sig.label.osClass === '!',
  };
}

function unknown(distance: number): P0fGuess {
  return {
    label: null,
    match: null,
    line: 0,
    distance,
    fuzzy: false,
    generic: false,
    randomTtl: false,
    userland: false,
  };
}

/** p0f's `params=` field: generic, fuzzy, random_ttl, excess_dist, tos:0xNN — or `none`. */
export function p0fParams(p: P0fPacket, g: P0fGuess): string {
  const out: string[] = [];
  if (g.generic) out.push('generic');
  if (g.fuzzy) out.push('fuzzy');
  if (g.randomTtl) out.push('random_ttl');
  if (g.distance > P0F_MAX_DIST) out.push('excess_dist');
  if (p.dscp) out.push(`tos:0x${p.dscp.toString(16).padStart(2, '0')}`);
  return out.length ? out.join(' ') : 'none';
}
