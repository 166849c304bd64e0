import { isGrease } from './grease.js';
import { HEX2, hash12, joinHex4 } from './hash.js';

/**
 * JA4 — TLS/DTLS/QUIC client fingerprint (FoxIO-LLC/ja4 technical_details/JA4.md; BSD-3-Clause).
 * Written from the spec in docs/fingerprints.md §0–§1.
 */

/** JA4 transport letter: TLS over TCP, QUIC, DTLS. */
export type Ja4Protocol = 't' | 'q' | 'd';

/** The `b`/`c` section of a JA4+ fingerprint whose list is empty. */
export const JA4_EMPTY_HASH = '000000000000';

/** Two-digit counts saturate here. */
const JA4_MAX_COUNT = 99;

/** Extensions left out of the sorted `c` list (they are already in `a`). */
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;

/** What JA4 needs from a ClientHello. Lists are in wire order and may contain GREASE. */
export interface Ja4Input {
  protocol: Ja4Protocol;
  legacyVersion: number;
  /** supported_versions (ext 43) values; empty if absent. */
  supportedVersions: readonly number[];
  cipherSuites: readonly number[];
  extensionTypes: readonly number[];
  /** From signature_algorithms (ext 13) only. */
  signatureAlgorithms: readonly number[];
  /** The first ALPN protocol name, raw; undefined if there is no ALPN extension or it is empty. */
  firstAlpn: Uint8Array | undefined;
}

/** The four JA4 variants: sorted + hashed, raw, original order, original order raw. */
export interface Ja4Result {
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
}

/** JA4 two-character version code: 13/12/11/10/s3/s2/d1/d2/d3, anything else '00'. */
export function ja4VersionCode(v: number): string {
  switch (v) {
    case 0x0304:
      return '13';
    case 0x0303:
      return '12';
    case 0x0302:
      return '11';
    case 0x0301:
      return '10';
    case 0x0300:
      return 's3';
    case 0x0002:
      return 's2';
    case 0xfeff:
      return 'd1';
    case 0xfefd:
      return 'd2';
    case 0xfefc:
      return 'd3';
    default:
      return '00';
  }
}

/** The version JA4 uses: the highest non-GREASE supported_versions value, else legacy_version. */
export function ja4Version(legacyVersion: number, supportedVersions: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < supportedVersions.length; i++) {
    const v = supportedVersions[i]!;
    if (!isGrease(v) && v > best) best = v;
  }
  return best >= 0 ? best : legacyVersion;
}

/** Two-digit zero-padded decimal count, saturating at 99. */
export function ja4Count(n: number): string {
  const c = Math.min(n, JA4_MAX_COUNT);
  return c < 10 ? '0' + c : String(c);
}

function isAsciiAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * JA4 ALPN code from the first protocol name: first and last byte if both are ASCII alphanumeric (case
 * kept; a 1-byte name gives the byte twice), otherwise the first and last hex digit of the hex
 * rendering of the whole name; '00' when there is no (or an empty) name.
 */
export function ja4AlpnCode(first: Uint8Array | null | undefined): string {
  if (first === null || first === undefined || first.length === 0) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAsciiAlnum(a) && isAsciiAlnum(z)) return String.fromCharCode(a, z);
  return HEX2[a]![0]! + HEX2[z]![1]!;
}

/** Non-GREASE values of `list`, in order; SNI and ALPN dropped too when `skipSniAlpn`. */
function nonGrease(list: readonly number[], skipSniAlpn: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (isGrease(v)) continue;
    if (skipSniAlpn && (v === EXT_SERVER_NAME || v === EXT_ALPN)) continue;
    out.push(v);
  }
  return out;
}

/** Largest list sorted by insertion (the usual 10–40 values); longer lists use Array#sort. */
const INSERTION_SORT_MAX = 64;

/** Sorts numbers ascending in place and returns the array. */
function sortAscending(a: number[]): number[] {
  if (a.length > INSERTION_SORT_MAX) return a.sort((x, y) => x - y);
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
  return a;
}

/**
 * `E` or `E_S`, and its hash12. JA4.md: "If there are no extensions in the sorted extensions list, then
 * the value of JA4_c is set to 000000000000". The sorted list (SNI and ALPN removed) decides for both
 * variants, so a hello whose only extensions are SNI/ALPN has ja4_o c = 12 zeros while ja4_ro still
 * lists them — as FoxIO's reference output does (foxio-ja4 socks-https-example.pcap, https3-301-get.pcap).
 */
function sectionC(
  extensions: string,
  sigalgs: string,
  sortedListEmpty: boolean,
): { raw: string; hashed: string } {
  const raw = sigalgs.length > 0 ? extensions + '_' + sigalgs : extensions;
  return { raw, hashed: sortedListEmpty ? JA4_EMPTY_HASH : hash12(raw) };
}

/** Computes JA4, JA4_r, JA4_o and JA4_ro of a ClientHello. */
export function ja4(input: Ja4Input): Ja4Result {
  const ciphers = nonGrease(input.cipherSuites, false);
  const extensions = nonGrease(input.extensionTypes, false);
  let hasSni = false;
  for (let i = 0; i < extensions.length; i++) if (extensions[i] === EXT_SERVER_NAME) hasSni = true;

  const a =
    input.protocol +
    ja4VersionCode(ja4Version(input.legacyVersion, input.supportedVersions)) +
    (hasSni ? 'd' : 'i') +
    ja4Count(ciphers.length) +
    ja4Count(extensions.length) +
    ja4AlpnCode(input.firstAlpn);

  const sigalgs = joinHex4(nonGrease(input.signatureAlgorithms, false));

  const ciphersOriginal = joinHex4(ciphers);
  const ciphersSorted = joinHex4(sortAscending(ciphers.slice()));
  const extensionsOriginal = joinHex4(extensions);
  const extensionsSorted = joinHex4(sortAscending(nonGrease(input.extensionTypes, true)));

  const bSorted = ciphersSorted.length === 0 ? JA4_EMPTY_HASH : hash12(ciphersSorted);
  const bOriginal = ciphersOriginal.length === 0 ? JA4_EMPTY_HASH : hash12(ciphersOriginal);
  const sortedListEmpty = extensionsSorted.length === 0;
  const cSorted = sectionC(extensionsSorted, sigalgs, sortedListEmpty);
  const cOriginal = sectionC(extensionsOriginal, sigalgs, sortedListEmpty);

  return {
    ja4: a + '_' + bSorted + '_' + cSorted.hashed,
    ja4_r: a + '_' + ciphersSorted + '_' + cSorted.raw,
    ja4_o: a + '_' + bOriginal + '_' + cOriginal.hashed,
    ja4_ro: a + '_' + ciphersOriginal + '_' + cOriginal.raw,
  };
}
