import { pushOnce } from './extensions.js';
import { MAX_CERTIFICATES_PER_CHAIN } from './limits.js';

/** The certificate chain carried by one Certificate handshake message. */
export interface CertificateList {
  /** The DER certificates in wire order (sender's own first), as views into the message body. */
  chain: Uint8Array[];
  /** Stable codes: 'bad_certificate_list', 'empty_certificate', 'too_many_certificates'. */
  anomalies: string[];
}

/** Length of the 24-bit length prefixes of the list and of each entry. */
const U24_LENGTH = 3;

/**
 * Parses a TLS 1.0–1.2 Certificate message body (RFC 5246 §7.4.2: `ASN.1Cert
 * certificate_list<0..2^24-1>`, each `opaque ASN.1Cert<1..2^24-1>`). Never throws; every length is
 * checked against what remains. Entries that parsed before a framing fault are kept
 * ('bad_certificate_list'); zero-length entries are skipped ('empty_certificate'); at most
 * MAX_CERTIFICATES_PER_CHAIN are kept ('too_many_certificates'). An empty list (a client without a
 * certificate) gives an empty chain. The DER inside is not looked at.
 */
export function parseCertificateList(body: Uint8Array): CertificateList {
  const chain: Uint8Array[] = [];
  const anomalies: string[] = [];
  const n = body.length;
  if (n < U24_LENGTH) return { chain, anomalies: ['bad_certificate_list'] };
  const listLength = (body[0]! << 16) | (body[1]! << 8) | body[2]!;
  if (listLength !== n - U24_LENGTH) anomalies.push('bad_certificate_list');
  const end = Math.min(n, U24_LENGTH + listLength);
  let p = U24_LENGTH;
  while (p < end) {
    if (p + U24_LENGTH > end) {
      pushOnce(anomalies, 'bad_certificate_list');
      break;
    }
    const length = (body[p]! << 16) | (body[p + 1]! << 8) | body[p + 2]!;
    p += U24_LENGTH;
    if (length > end - p) {
      pushOnce(anomalies, 'bad_certificate_list');
      break;
    }
    if (length === 0) {
      pushOnce(anomalies, 'empty_certificate');
      continue;
    }
    if (chain.length === MAX_CERTIFICATES_PER_CHAIN) {
      pushOnce(anomalies, 'too_many_certificates');
      break;
    }
    chain.push(body.subarray(p, p + length));
    p += length;
  }
  return { chain, anomalies };
}
