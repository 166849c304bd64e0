import { MAX_OID_BYTES } from './limits.js';

/**
 * OBJECT IDENTIFIER decoding (X.690 §8.19) and the names this reader gives to the OIDs it knows.
 * Names follow the registries' own spellings (RFC 4514 §3 for attribute types; OpenSSL's long names
 * for signature algorithms, which RFCs 3279/4055/5758/8410 define only as ASN.1 identifiers).
 */

/**
 * Dotted-decimal form of OID content octets, or null when malformed (empty, a sub-identifier with a
 * leading 0x80 octet or cut inside, more than MAX_OID_BYTES). Arcs beyond 2^53 use BigInt.
 */
export function oidToString(c: Uint8Array): string | null {
  const n = c.length;
  if (n === 0 || n > MAX_OID_BYTES || (c[n - 1]! & 0x80) !== 0) return null;
  let out = '';
  let i = 0;
  let first = true;
  while (i < n) {
    if (c[i] === 0x80) return null; // X.690 §8.19.2: the leading octet of a sub-identifier is never 0x80
    let v = 0;
    let big: bigint | null = null;
    for (;;) {
      const b = c[i++]!;
      if (big === null && v > 0x3ffffffffff) big = BigInt(v); // past 2^42, keep shifts exact past 2^53
      if (big !== null) big = (big << 7n) | BigInt(b & 0x7f);
      else v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (first) {
      // The first sub-identifier packs the first two arcs: 40 * X + Y (X in 0..2).
      first = false;
      if (big !== null) out = '2.' + (big - 80n).toString();
      else if (v < 40) out = '0.' + v;
      else if (v < 80) out = '1.' + (v - 40);
      else out = '2.' + (v - 80);
    } else {
      out += '.' + (big !== null ? big.toString() : String(v));
    }
  }
  return out;
}

/** RFC 4514 §3 short names, plus the names OpenSSL prints for other common attribute types. */
export const ATTRIBUTE_SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

/** Signature algorithms (RFC 3279, RFC 4055, RFC 5758, RFC 8410, RFC 8017), OpenSSL's long names. */
export const SIGNATURE_ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSA',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.1': 'dsa_with_SHA224',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.2.156.10197.1.501': 'SM2-with-SM3',
  // Bare rsaEncryption: seen as a signature algorithm in old or hand-made certificates.
  '1.2.840.113549.1.1.1': 'rsaEncryption',
};

/** Public-key algorithm families this reader sizes. */
export type KeyAlgorithm =
  | 'rsa'
  | 'rsa-pss'
  | 'ec'
  | 'ed25519'
  | 'ed448'
  | 'x25519'
  | 'x448'
  | 'dsa'
  | 'unknown';

/** SubjectPublicKeyInfo algorithm OIDs (RFC 3279, RFC 4055, RFC 5480, RFC 8410). */
export const KEY_ALGORITHMS: Readonly<Record<string, KeyAlgorithm>> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.3.101.110': 'x25519',
  '1.3.101.111': 'x448',
  '1.2.840.10040.4.1': 'dsa',
};

/**
 * Key sizes of the fixed-curve algorithms of RFC 8410: the bit size of the curve's prime field
 * (2^255 − 19, 2^448 − 2^224 − 1), the same measure as the NIST curves' sizes below.
 */
export const FIXED_CURVE_BITS: Readonly<Partial<Record<KeyAlgorithm, number>>> = {
  ed25519: 255,
  x25519: 255,
  ed448: 448,
  x448: 448,
};

/** Named curves (RFC 5480 §2.1.1.1, RFC 5639, GB/T 32918): name and prime-field size in bits. */
export const NAMED_CURVES: Readonly<Record<string, { name: string; bits: number }>> = {
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192 },
  '1.3.132.0.33': { name: 'P-224', bits: 224 },
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
  '1.2.156.10197.1.301': { name: 'SM2', bits: 256 },
};

/** X9.62 prime-field FieldID type (RFC 3279 §2.3.5). */
export const PRIME_FIELD_OID = '1.2.840.10045.1.1';

/** Certificate extensions this reader decodes (RFC 5280 §4.2.1). */
export const ExtensionOid = {
  SUBJECT_ALT_NAME: '2.5.29.17',
  BASIC_CONSTRAINTS: '2.5.29.19',
} as const;

/** commonName (RFC 5280 Appendix A, id-at-commonName). */
export const COMMON_NAME_OID = '2.5.4.3';
