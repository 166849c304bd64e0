import { formatIp } from '../../util/ip.js';
import { bitLength, contents, Der, DerReader, decodeInteger, smallInteger, type Tlv, toHex } from './der.js';
import { MAX_CERTIFICATE_BYTES, MAX_EXTENSIONS, MAX_SAN_ENTRIES } from './limits.js';
import { decodeString, latin1, parseName, pushOnce, type X509Name } from './name.js';
import {
  COMMON_NAME_OID,
  ExtensionOid,
  FIXED_CURVE_BITS,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  NAMED_CURVES,
  oidToString,
  PRIME_FIELD_OID,
  SIGNATURE_ALGORITHM_NAMES,
} from './oid.js';
import { generalizedTimeToIso, utcTimeToIso } from './time.js';

export type { X509Attribute, X509Name } from './name.js';
export type { KeyAlgorithm } from './oid.js';

/** An AlgorithmIdentifier's OID (RFC 5280 §4.1.1.2). */
export interface X509Algorithm {
  /** Dotted OID, or null when malformed. */
  oid: string | null;
  /** Lower-case hex of the OID content octets. */
  oidHex: string;
  /** 'sha256WithRSAEncryption', 'ecdsa-with-SHA256', 'ed25519', …; null for an OID not in the table. */
  name: string | null;
}

/** SubjectPublicKeyInfo, summarised (RFC 5280 §4.1.2.7). */
export interface X509PublicKey {
  algorithm: KeyAlgorithm;
  /** The algorithm OID (dotted; null when malformed), also for 'unknown'. */
  oid: string | null;
  /**
   * EC keys: the named curve ('P-256', 'secp256k1', …), the dotted OID of an unlisted named curve, or
   * 'explicit' for explicit parameters (RFC 3279 ECParameters). Ed/X25519 and Ed/X448: the algorithm's
   * curve. Null otherwise.
   */
  curve: string | null;
  /**
   * RSA: bit length of the modulus (sign octet excluded). DSA: bit length of p. EC: the curve's prime
   * field size (256 for P-256, 521 for P-521; explicit prime-field parameters: bit length of the prime).
   * Ed25519/X25519: 255, Ed448/X448: 448 (field sizes). Null when unknown or undecodable.
   */
  bits: number | null;
}

/** One extension (RFC 5280 §4.1.2.9), value not kept. */
export interface X509Extension {
  /** Dotted OID, or null when malformed. */
  oid: string | null;
  /** Lower-case hex of the OID content octets, as JA4X hashes it. */
  oidHex: string;
  critical: boolean;
}

/** subjectAltName entries (RFC 5280 §4.2.1.6) of the kinds this reader decodes, each in wire order. */
export interface X509SubjectAltNames {
  /** dNSName. */
  dns: string[];
  /** iPAddress: dotted IPv4 or RFC 5952 IPv6 text. */
  ip: string[];
  /** rfc822Name. */
  email: string[];
  /** uniformResourceIdentifier. */
  uri: string[];
}

/** A parsed certificate. Field names follow RFC 5280 §4.1. */
export interface X509Certificate {
  /** The version field plus one: 1 (field absent), 2 or 3; larger values come with 'unknown_version'. */
  version: number;
  /**
   * serialNumber as lower-case hex of its magnitude, minimal: leading zero octets (the sign octet DER
   * adds before a high bit, and any non-DER padding) are removed, zero is "00", and a negative value
   * has a '-' prefix. This is `openssl x509 -serial`, lower-cased.
   */
  serial: string;
  /** The outer signatureAlgorithm (RFC 5280 §4.1.1.2). */
  signatureAlgorithm: X509Algorithm;
  issuer: X509Name;
  subject: X509Name;
  /** The last commonName attribute of the subject in wire order (the most specific), or null. */
  subjectCN: string | null;
  /** ISO-8601 UTC ("2024-01-31T12:00:00Z"), or null when the time does not decode ('bad_time'). */
  notBefore: string | null;
  notAfter: string | null;
  publicKey: X509PublicKey;
  /** Wire order. Empty when the certificate has none (v1). */
  extensions: X509Extension[];
  /** From subjectAltName; empty lists when the extension is absent. */
  subjectAltNames: X509SubjectAltNames;
  /** basicConstraints cA (RFC 5280 §4.2.1.9); null when the extension is absent. */
  isCA: boolean | null;
  /**
   * Issuer and subject Names have byte-identical DER encodings. Name-based only: no signature is
   * verified, so a certificate can claim this falsely and a self-signed one re-encoded differently
   * escapes it.
   */
  selfSigned: boolean;
  /** Stable codes for what was malformed but tolerated, each once, in the order first seen. */
  anomalies: string[];
}

/** Stable codes for a certificate that does not parse. */
export type X509Error =
  | 'empty'
  | 'certificate_too_long'
  | 'bad_certificate'
  | 'bad_tbs_certificate'
  | 'bad_version'
  | 'bad_serial'
  | 'bad_signature_algorithm'
  | 'bad_issuer'
  | 'bad_validity'
  | 'bad_subject'
  | 'bad_subject_public_key_info'
  | 'bad_extensions'
  | 'too_many_attributes'
  | 'too_many_extensions';

/** Result of {@link parseCertificate}. */
export type X509ParseResult = { ok: true; cert: X509Certificate } | { ok: false; error: X509Error };

/**
 * Parses one DER X.509 certificate (RFC 5280 §4.1). Total over any bytes: never throws, reads nothing
 * outside `der`, work linear in its length. The framing of every field up to and including the
 * extensions must be valid (else `{ ok: false, error }`, the code naming the field); faults inside
 * values (times, OIDs, strings, the public key, subjectAltName, basicConstraints) are tolerated with
 * null/empty values and listed in `cert.anomalies`: 'trailing_data', 'unknown_version',
 * 'non_minimal_integer', 'negative_serial', 'long_serial', 'signature_algorithm_mismatch', 'bad_oid',
 * 'empty_rdn', 'bad_string', 'long_value', 'bad_time', 'bad_public_key', 'unexpected_tbs_field',
 * 'extensions_before_v3', 'empty_extensions', 'duplicate_extension', 'bad_extension',
 * 'bad_subject_alt_name', 'bad_ip_address', 'too_many_sans', 'bad_basic_constraints'.
 */
export function parseCertificate(der: Uint8Array): X509ParseResult {
  if (der.length === 0) return { ok: false, error: 'empty' };
  if (der.length > MAX_CERTIFICATE_BYTES) return { ok: false, error: 'certificate_too_long' };
  const anomalies: string[] = [];
  const top = new DerReader(der);
  const certificate = top.expect(Der.SEQUENCE);
  if (certificate === null) return { ok: false, error: 'bad_certificate' };
  if (!top.atEnd) anomalies.push('trailing_data');

  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
  const c = DerReader.inside(der, certificate);
  const tbs = c.expect(Der.SEQUENCE);
  if (tbs === null) return { ok: false, error: 'bad_tbs_certificate' };
  const outerAlgTlv = c.expect(Der.SEQUENCE);
  const signatureAlgorithm = outerAlgTlv === null ? null : algorithmIdentifier(der, outerAlgTlv, anomalies);
  if (signatureAlgorithm === null) return { ok: false, error: 'bad_signature_algorithm' };
  if (c.expect(Der.BIT_STRING) === null) return { ok: false, error: 'bad_certificate' };
  if (!c.atEnd) pushOnce(anomalies, 'trailing_data');

  const t = DerReader.inside(der, tbs);
  // version [0] EXPLICIT Version DEFAULT v1
  let version = 1;
  if (t.peekId() === Der.CONTEXT_0) {
    const wrapper = t.next();
    const v = wrapper === null ? null : DerReader.inside(der, wrapper);
    const int = v?.expect(Der.INTEGER) ?? null;
    const value = int === null ? null : smallInteger(contents(der, int));
    if (value === null || !v!.atEnd || value > 255) return { ok: false, error: 'bad_version' };
    if (value > 2) pushOnce(anomalies, 'unknown_version');
    version = value + 1;
  }

  const serialTlv = t.expect(Der.INTEGER);
  const serialInt = serialTlv === null ? null : decodeInteger(contents(der, serialTlv));
  if (serialInt === null) return { ok: false, error: 'bad_serial' };
  if (serialInt.nonMinimal) pushOnce(anomalies, 'non_minimal_integer');
  if (serialInt.negative) pushOnce(anomalies, 'negative_serial');
  if (serialTlv!.end - serialTlv!.contentStart > 20) pushOnce(anomalies, 'long_serial'); // RFC 5280 §4.1.2.2
  const serial = (serialInt.negative ? '-' : '') + toHex(serialInt.magnitude);

  const innerAlgTlv = t.expect(Der.SEQUENCE);
  const innerAlg = innerAlgTlv === null ? null : algorithmIdentifier(der, innerAlgTlv, anomalies);
  if (innerAlg === null) return { ok: false, error: 'bad_signature_algorithm' };
  if (innerAlg.oidHex !== signatureAlgorithm.oidHex) pushOnce(anomalies, 'signature_algorithm_mismatch');

  const issuerTlv = t.expect(Der.SEQUENCE);
  const issuer = issuerTlv === null ? 'bad_name' : parseName(der, issuerTlv, anomalies);
  if (typeof issuer === 'string') return { ok: false, error: issuer === 'bad_name' ? 'bad_issuer' : issuer };

  const validityTlv = t.expect(Der.SEQUENCE);
  if (validityTlv === null) return { ok: false, error: 'bad_validity' };
  const validity = DerReader.inside(der, validityTlv);
  const notBeforeTlv = validity.next();
  const notAfterTlv = validity.next();
  if (notBeforeTlv === null || notAfterTlv === null || !validity.atEnd)
    return { ok: false, error: 'bad_validity' };
  const notBefore = time(der, notBeforeTlv, anomalies);
  const notAfter = time(der, notAfterTlv, anomalies);

  const subjectTlv = t.expect(Der.SEQUENCE);
  const subject = subjectTlv === null ? 'bad_name' : parseName(der, subjectTlv, anomalies);
  if (typeof subject === 'string')
    return { ok: false, error: subject === 'bad_name' ? 'bad_subject' : subject };

  const spkiTlv = t.expect(Der.SEQUENCE);
  const publicKey = spkiTlv === null ? null : subjectPublicKeyInfo(der, spkiTlv, anomalies);
  if (publicKey === null) return { ok: false, error: 'bad_subject_public_key_info' };

  // issuerUniqueID [1], subjectUniqueID [2] (skipped), extensions [3] EXPLICIT.
  const extensions: X509Extension[] = [];
  const sans: X509SubjectAltNames = { dns: [], ip: [], email: [], uri: [] };
  let isCA: boolean | null = null;
  let sawExtensions = false;
  while (!t.atEnd) {
    const field = t.next();
    if (field === null) return { ok: false, error: 'bad_tbs_certificate' };
    if (field.id !== Der.CONTEXT_3 || sawExtensions) {
      if (
        field.id !== 0x81 &&
        field.id !== 0x82 &&
        field.id !== Der.CONTEXT_1 &&
        field.id !== Der.CONTEXT_2
      ) {
        pushOnce(anomalies, 'unexpected_tbs_field');
      }
      continue;
    }
    sawExtensions = true;
    if (version < 3) pushOnce(anomalies, 'extensions_before_v3');
    const wrapper = DerReader.inside(der, field);
    const list = wrapper.expect(Der.SEQUENCE);
    if (list === null || !wrapper.atEnd) return { ok: false, error: 'bad_extensions' };
    const r = DerReader.inside(der, list);
    if (r.atEnd) pushOnce(anomalies, 'empty_extensions'); // RFC 5280: SIZE (1..MAX)
    while (!r.atEnd) {
      const ext = r.expect(Der.SEQUENCE);
      if (ext === null) return { ok: false, error: 'bad_extensions' };
      if (extensions.length === MAX_EXTENSIONS) return { ok: false, error: 'too_many_extensions' };
      // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
      const e = DerReader.inside(der, ext);
      const oidTlv = e.expect(Der.OBJECT_IDENTIFIER);
      const criticalTlv = e.expect(Der.BOOLEAN);
      const valueTlv = oidTlv === null ? null : e.expect(Der.OCTET_STRING);
      if (oidTlv === null || valueTlv === null || !e.atEnd) return { ok: false, error: 'bad_extensions' };
      const oidBytes = contents(der, oidTlv);
      const oid = oidToString(oidBytes);
      if (oid === null) pushOnce(anomalies, 'bad_oid');
      const oidHex = toHex(oidBytes);
      let critical = false;
      if (criticalTlv !== null) {
        if (criticalTlv.end - criticalTlv.contentStart !== 1) pushOnce(anomalies, 'bad_extension');
        else critical = der[criticalTlv.contentStart] !== 0;
      }
      if (extensions.some((x) => x.oidHex === oidHex)) pushOnce(anomalies, 'duplicate_extension');
      else if (oid === ExtensionOid.SUBJECT_ALT_NAME) subjectAltNames(der, valueTlv, sans, anomalies);
      else if (oid === ExtensionOid.BASIC_CONSTRAINTS) isCA = basicConstraintsCA(der, valueTlv, anomalies);
      extensions.push({ oid, oidHex, critical });
    }
  }

  let subjectCN: string | null = null;
  for (const rdn of subject.rdns) for (const a of rdn) if (a.oid === COMMON_NAME_OID) subjectCN = a.value;

  return {
    ok: true,
    cert: {
      version,
      serial,
      signatureAlgorithm,
      issuer,
      subject,
      subjectCN,
      notBefore,
      notAfter,
      publicKey,
      extensions,
      subjectAltNames: sans,
      isCA,
      selfSigned: equalBytes(issuer.der, subject.der),
      anomalies,
    },
  };
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }; null on bad framing. */
function algorithmIdentifier(data: Uint8Array, tlv: Tlv, anomalies: string[]): X509Algorithm | null {
  const r = DerReader.inside(data, tlv);
  const oidTlv = r.expect(Der.OBJECT_IDENTIFIER);
  if (oidTlv === null) return null;
  if (!r.atEnd && (r.next() === null || !r.atEnd)) return null;
  const oidBytes = contents(data, oidTlv);
  const oid = oidToString(oidBytes);
  if (oid === null) pushOnce(anomalies, 'bad_oid');
  return {
    oid,
    oidHex: toHex(oidBytes),
    name: oid === null ? null : (SIGNATURE_ALGORITHM_NAMES[oid] ?? null),
  };
}

function time(data: Uint8Array, tlv: Tlv, anomalies: string[]): string | null {
  const c = contents(data, tlv);
  const iso =
    tlv.id === Der.UTC_TIME
      ? utcTimeToIso(c)
      : tlv.id === Der.GENERALIZED_TIME
        ? generalizedTimeToIso(c)
        : null;
  if (iso === null) pushOnce(anomalies, 'bad_time');
  return iso;
}

/**
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }.
 * Null on bad framing; an undecodable key gives bits null and 'bad_public_key'.
 */
function subjectPublicKeyInfo(data: Uint8Array, tlv: Tlv, anomalies: string[]): X509PublicKey | null {
  const r = DerReader.inside(data, tlv);
  const algTlv = r.expect(Der.SEQUENCE);
  const keyTlv = algTlv === null ? null : r.expect(Der.BIT_STRING);
  if (algTlv === null || keyTlv === null || !r.atEnd) return null;
  const a = DerReader.inside(data, algTlv);
  const oidTlv = a.expect(Der.OBJECT_IDENTIFIER);
  if (oidTlv === null) return null;
  const params = a.atEnd ? null : a.next();
  if (a.error !== null || !a.atEnd) return null;
  const oid = oidToString(contents(data, oidTlv));
  if (oid === null) pushOnce(anomalies, 'bad_oid');
  const algorithm: KeyAlgorithm = oid === null ? 'unknown' : (KEY_ALGORITHMS[oid] ?? 'unknown');
  const key: X509PublicKey = { algorithm, oid, curve: null, bits: null };

  const fixed = FIXED_CURVE_BITS[algorithm];
  if (fixed !== undefined) {
    key.curve = algorithm === 'ed25519' || algorithm === 'x25519' ? 'Curve25519' : 'Curve448';
    key.bits = fixed;
  } else if (algorithm === 'rsa' || algorithm === 'rsa-pss') {
    // subjectPublicKey = RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
    const bits = bitString(data, keyTlv);
    const k = bits === null ? null : new DerReader(bits).expect(Der.SEQUENCE);
    const modulus = k === null ? null : DerReader.inside(bits!, k).expect(Der.INTEGER);
    const n = modulus === null ? null : decodeInteger(contents(bits!, modulus));
    if (n === null || n.negative) pushOnce(anomalies, 'bad_public_key');
    else key.bits = bitLength(n.magnitude);
  } else if (algorithm === 'dsa') {
    // parameters = Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } (RFC 3279 §2.3.2)
    const p = params?.id === Der.SEQUENCE ? DerReader.inside(data, params).expect(Der.INTEGER) : null;
    const pInt = p === null ? null : decodeInteger(contents(data, p));
    if (pInt !== null && !pInt.negative) key.bits = bitLength(pInt.magnitude);
    else if (params !== null) pushOnce(anomalies, 'bad_public_key');
  } else if (algorithm === 'ec') {
    // parameters = ECParameters: namedCurve OID | explicit SEQUENCE | implicitlyCA NULL (RFC 3279 §2.3.5)
    if (params?.id === Der.OBJECT_IDENTIFIER) {
      const curveOid = oidToString(contents(data, params));
      const named = curveOid === null ? undefined : NAMED_CURVES[curveOid];
      key.curve = named?.name ?? curveOid;
      key.bits = named?.bits ?? null;
      if (curveOid === null) pushOnce(anomalies, 'bad_oid');
    } else if (params?.id === Der.SEQUENCE) {
      key.curve = 'explicit';
      key.bits = explicitPrimeBits(data, params);
    } else {
      pushOnce(anomalies, 'bad_public_key');
    }
  }
  return key;
}

/**
 * ECParameters ::= SEQUENCE { version, fieldID SEQUENCE { fieldType OID, parameters ANY }, … }: the bit
 * length of the prime of a prime field, else null.
 */
function explicitPrimeBits(data: Uint8Array, params: Tlv): number | null {
  const r = DerReader.inside(data, params);
  if (r.expect(Der.INTEGER) === null) return null;
  const fieldId = r.expect(Der.SEQUENCE);
  if (fieldId === null) return null;
  const f = DerReader.inside(data, fieldId);
  const type = f.expect(Der.OBJECT_IDENTIFIER);
  if (type === null || oidToString(contents(data, type)) !== PRIME_FIELD_OID) return null;
  const p = f.expect(Der.INTEGER);
  const prime = p === null ? null : decodeInteger(contents(data, p));
  return prime === null || prime.negative ? null : bitLength(prime.magnitude);
}

/** The octets of a BIT STRING with no unused bits, or null. */
function bitString(data: Uint8Array, tlv: Tlv): Uint8Array | null {
  if (tlv.end - tlv.contentStart < 1 || data[tlv.contentStart] !== 0) return null;
  return data.subarray(tlv.contentStart + 1, tlv.end);
}

/** GeneralName context tags (RFC 5280 §4.2.1.6), primitive form. */
const GeneralName = { RFC822_NAME: 0x81, DNS_NAME: 0x82, URI: 0x86, IP_ADDRESS: 0x87 } as const;

/** Fills `sans` from a subjectAltName extnValue (GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName). */
function subjectAltNames(data: Uint8Array, value: Tlv, sans: X509SubjectAltNames, anomalies: string[]): void {
  const v = DerReader.inside(data, value);
  const seq = v.expect(Der.SEQUENCE);
  if (seq === null || !v.atEnd) {
    pushOnce(anomalies, 'bad_subject_alt_name');
    return;
  }
  const r = DerReader.inside(data, seq);
  let kept = sans.dns.length + sans.ip.length + sans.email.length + sans.uri.length;
  while (!r.atEnd) {
    const name = r.next();
    if (name === null) {
      pushOnce(anomalies, 'bad_subject_alt_name');
      return;
    }
    const id = name.id;
    if (id !== GeneralName.RFC822_NAME && id !== GeneralName.DNS_NAME && id !== GeneralName.URI) {
      if (id !== GeneralName.IP_ADDRESS) continue; // otherName, directoryName, … are not reported
    }
    if (kept === MAX_SAN_ENTRIES) {
      pushOnce(anomalies, 'too_many_sans');
      return;
    }
    const c = contents(data, name);
    if (id === GeneralName.IP_ADDRESS) {
      if (c.length !== 4 && c.length !== 16) {
        pushOnce(anomalies, 'bad_ip_address');
        continue;
      }
      sans.ip.push(formatIp(c));
    } else {
      // IA5String content; decoded byte-per-character like the other 8-bit strings.
      const text = decodeString(data, { ...name, id: Der.IA5_STRING }, anomalies) ?? latin1(c);
      (id === GeneralName.DNS_NAME ? sans.dns : id === GeneralName.URI ? sans.uri : sans.email).push(text);
    }
    kept++;
  }
}

/** basicConstraints extnValue: BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, … }. */
function basicConstraintsCA(data: Uint8Array, value: Tlv, anomalies: string[]): boolean | null {
  const v = DerReader.inside(data, value);
  const seq = v.expect(Der.SEQUENCE);
  if (seq === null || !v.atEnd) {
    pushOnce(anomalies, 'bad_basic_constraints');
    return null;
  }
  const ca = DerReader.inside(data, seq).expect(Der.BOOLEAN);
  if (ca === null) return false;
  if (ca.end - ca.contentStart !== 1) {
    pushOnce(anomalies, 'bad_basic_constraints');
    return null;
  }
  return data[ca.contentStart] !== 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
