// p0f v3 (3.09b) TCP fingerprinting: raw signature, database, matching. The database is LGPL-2.1
// data shipped in data/p0f/ (see its README); this code is a re-implementation, not p0f's.
import type { P0fDatabase } from './database.js';
import { loadP0fDatabase } from './load.js';
import { matchP0f, type P0fGuess, p0fParams } from './match.js';
import { type P0fInput, p0fPacket } from './packet.js';
import { rawSignature } from './signature.js';

export { p0fInputFromEvent, p0fInputFromSynRecord } from './adapters.js';
export {
  P0F_DB_MAX_DIAGNOSTICS,
  type P0fDatabase,
  type P0fDiagnostic,
  type P0fLabel,
  type P0fTcpSignature,
  parseP0fDatabase,
  type WindowType,
} from './database.js';
export { DEFAULT_P0F_DB, loadP0fDatabase, P0F_DB_MAX_BYTES } from './load.js';
export { matchP0f, type P0fGuess, p0fParams } from './match.js';
export { type P0fInput, type P0fPacket, p0fPacket, Quirk, quirkNames } from './packet.js';
export { guessDistance, p0fSignature, rawSignature, windowMultiple } from './signature.js';

/** p0f's full verdict on one SYN or SYN+ACK, as its log line would carry it. */
export interface P0fResult {
  /** `raw_sig=`, e.g. `4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0`. */
  sig: string;
  /** `os=` / `dist=` (see P0fGuess). */
  guess: P0fGuess;
  /** `params=`, e.g. `generic fuzzy` or `none`. */
  params: string;
}

/** Signature, OS guess and params of one SYN or SYN+ACK against `db` (default: the shipped p0f.fp,
 *  loaded on first use). */
export function p0fFingerprint(input: P0fInput, db: P0fDatabase = loadP0fDatabase()): P0fResult {
  const p = p0fPacket(input);
  const guess = matchP0f(db, p);
  return { sig: rawSignature(p), guess, params: p0fParams(p, guess) };
}
