// Fields of a `tls_certificate` event (DESIGN.md "Events") from one DER certificate. Pure; the caller
// adds the envelope, `cert_role` and the chain position.
import { createHash, hash as oneShotHash } from 'node:crypto';
import { ja4x } from '../fingerprints/ja4plus/ja4x.js';
import { parseCertificate } from '../parsers/x509/certificate.js';

/** Options for {@link certificateFields}. */
export interface CertificateFieldOptions {
  /** Compute JA4X (FoxIO License 1.1); false with `--no-ja4plus`. */
  ja4plus: boolean;
}

/**
 * Memo of fields by certificate SHA-256 and option: a decoy serves the same certificate on every
 * connection. Entries are frozen (callers get a shallow copy); cleared when full (bounded memory).
 */
const FIELDS_MEMO_MAX_ENTRIES = 1024;
const fieldsMemo = new Map<string, Readonly<Record<string, unknown>>>();

/**
 * The event fields of one certificate. Always `sha256` (lower-case hex of the DER). When the DER does
 * not parse: only `sha256` and `parse_error` (a stable code of parseCertificate). Otherwise:
 * - `ja4x`, `ja4x_r` (omitted when `ja4plus` is false);
 * - `subject`, `issuer`: RFC 4514 strings, most specific RDN first ("CN=example.com,O=Example,C=US");
 * - `subject_cn`, `issuer_cn`: the last commonName in wire order, or null;
 * - `sans`: `{ dns: string[], ip: string[], email: string[], uri: string[] }` from subjectAltName
 *   (dNSName, iPAddress as dotted IPv4 / RFC 5952 IPv6, rfc822Name, URI), each in wire order;
 * - `serial`: lower-case hex of the magnitude without leading zero octets, '-' prefix if negative;
 * - `not_before`, `not_after`: ISO-8601 UTC, or null when undecodable;
 * - `self_signed`: issuer and subject DER-identical (name-based; no signature check);
 * - `key_algorithm` ('rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'x25519', 'x448', 'dsa', 'unknown'),
 *   `key_curve` (EC/EdDSA curve name, else null), `key_bits` (number or null);
 * - `signature_algorithm`: OpenSSL-style name ('sha256WithRSAEncryption'), else the dotted OID;
 * - `is_ca`: basicConstraints cA (false when the extension is absent); `version` (1–3);
 * - `x509_anomalies`: the tolerated faults, only when there are any.
 */
export function certificateFields(der: Uint8Array, opts: CertificateFieldOptions): Record<string, unknown> {
  const sha256 = sha256Hex(der);
  const key = (opts.ja4plus ? '+' : '-') + sha256;
  let fields = fieldsMemo.get(key);
  if (fields === undefined) {
    fields = Object.freeze(buildFields(der, sha256, opts));
    if (fieldsMemo.size >= FIELDS_MEMO_MAX_ENTRIES) fieldsMemo.clear();
    fieldsMemo.set(key, fields);
  }
  return { ...fields };
}

function buildFields(
  der: Uint8Array,
  sha256: string,
  opts: CertificateFieldOptions,
): Record<string, unknown> {
  const parsed = parseCertificate(der);
  if (!parsed.ok) return { sha256, parse_error: parsed.error };
  const c = parsed.cert;
  const out: Record<string, unknown> = {};
  if (opts.ja4plus) {
    const fp = ja4x(c);
    out.ja4x = fp.ja4x;
    out.ja4x_r = fp.ja4x_r;
  }
  let issuerCN: string | null = null;
  for (const rdn of c.issuer.rdns) for (const a of rdn) if (a.shortName === 'CN') issuerCN = a.value;
  const sans = c.subjectAltNames;
  Object.assign(out, {
    subject: c.subject.text,
    subject_cn: c.subjectCN,
    issuer: c.issuer.text,
    issuer_cn: issuerCN,
    sans: Object.freeze({
      dns: Object.freeze([...sans.dns]),
      ip: Object.freeze([...sans.ip]),
      email: Object.freeze([...sans.email]),
      uri: Object.freeze([...sans.uri]),
    }),
    serial: c.serial,
    not_before: c.notBefore,
    not_after: c.notAfter,
    self_signed: c.selfSigned,
    key_algorithm: c.publicKey.algorithm,
    key_curve: c.publicKey.curve,
    key_bits: c.publicKey.bits,
    signature_algorithm: c.signatureAlgorithm.name ?? c.signatureAlgorithm.oid ?? 'unknown',
    sha256,
    is_ca: c.isCA ?? false,
    version: c.version,
  });
  if (c.anomalies.length > 0) out.x509_anomalies = Object.freeze([...c.anomalies]);
  return out;
}

function sha256Hex(der: Uint8Array): string {
  // crypto.hash (Node >= 20.12) is a one-shot digest, faster than createHash for small inputs.
  return typeof oneShotHash === 'function'
    ? oneShotHash('sha256', der, 'hex')
    : createHash('sha256').update(der).digest('hex');
}
