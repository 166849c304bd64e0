import { isGrease } from './grease.js';
import { joinDecimal, md5Hex } from './hash.js';

/**
 * JA3 / JA3S (salesforce/ja3 README; BSD-3-Clause). Written from the spec in docs/fingerprints.md §8.
 */

/** What JA3 needs from a ClientHello. */
export interface Ja3Input {
  /** ClientHello.legacy_version (supported_versions is not consulted). */
  legacyVersion: number;
  cipherSuites: readonly number[];
  extensionTypes: readonly number[];
  /** supported_groups (ext 10). */
  supportedGroups: readonly number[];
  /** ec_point_formats (ext 11). */
  ecPointFormats: readonly number[];
}

/** What JA3S needs from a ServerHello. */
export interface Ja3sInput {
  legacyVersion: number;
  cipherSuite: number;
  extensionTypes: readonly number[];
}

/** A fingerprint with the string it hashes. */
export interface Ja3Result {
  hash: string;
  full: string;
}

/** The JA3 pre-hash string `SSLVersion,Ciphers,Extensions,EllipticCurves,ECPointFormats`. */
export function ja3String(input: Ja3Input): string {
  return (
    input.legacyVersion +
    ',' +
    joinDecimal(input.cipherSuites, '-', isGrease) +
    ',' +
    joinDecimal(input.extensionTypes, '-', isGrease) +
    ',' +
    joinDecimal(input.supportedGroups, '-', isGrease) +
    ',' +
    joinDecimal(input.ecPointFormats, '-')
  );
}

/** JA3 of a ClientHello: MD5 (lower-case hex) of {@link ja3String}. */
export function ja3(input: Ja3Input): Ja3Result {
  const full = ja3String(input);
  return { hash: md5Hex(full), full };
}

/** The JA3S pre-hash string `SSLVersion,Cipher,Extensions` (no GREASE removal, as the reference). */
export function ja3sString(input: Ja3sInput): string {
  return input.legacyVersion + ',' + input.cipherSuite + ',' + joinDecimal(input.extensionTypes, '-');
}

/** JA3S of a ServerHello: MD5 (lower-case hex) of {@link ja3sString}. */
export function ja3s(input: Ja3sInput): Ja3Result {
  const full = ja3sString(input);
  return { hash: md5Hex(full), full };
}
