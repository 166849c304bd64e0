import { hash12, hex4, joinHex4 } from '../hash.js';
import { JA4_EMPTY_HASH, type Ja4Protocol, ja4AlpnCode, ja4Count, ja4VersionCode } from '../ja4.js';

/**
 * JA4S — TLS server fingerprint (FoxIO-LLC/ja4 technical_details/JA4S.png). JA4+ method under the
 * FoxIO License 1.1 (see LICENSE-FoxIO-1.1.txt beside this file); `--no-ja4plus` turns it off.
 * Written from the spec in docs/fingerprints.md §2.
 */

/** What JA4S needs from a ServerHello. */
export interface Ja4sInput {
  protocol: Ja4Protocol;
  legacyVersion: number;
  /** supported_versions (ext 43) selected_version, or null. */
  selectedVersion: number | null;
  cipherSuite: number;
  /** Wire order, all of them (servers send no GREASE; none is removed). */
  extensionTypes: readonly number[];
  /** The ALPN protocol the server chose, raw, or null. */
  alpn: Uint8Array | null;
}

/** JA4S and its raw form. */
export interface Ja4sResult {
  ja4s: string;
  ja4s_r: string;
}

/** Computes JA4S and JA4S_r of a ServerHello. */
export function ja4s(input: Ja4sInput): Ja4sResult {
  const version = input.selectedVersion ?? input.legacyVersion;
  const ab =
    input.protocol +
    ja4VersionCode(version) +
    ja4Count(input.extensionTypes.length) +
    ja4AlpnCode(input.alpn) +
    '_' +
    hex4(input.cipherSuite);
  const extensions = joinHex4(input.extensionTypes);
  const c = extensions.length === 0 ? JA4_EMPTY_HASH : hash12(extensions);
  return { ja4s: ab + '_' + c, ja4s_r: ab + '_' + extensions };
}
