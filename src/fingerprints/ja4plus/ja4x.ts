import { hash12 } from '../hash.js';
import { JA4_EMPTY_HASH } from '../ja4.js';

/**
 * JA4X — X.509 certificate fingerprint (FoxIO-LLC/ja4 technical_details/JA4X.md and JA4X.png). JA4+
 * method under the FoxIO License 1.1 (see LICENSE-FoxIO-1.1.txt beside this file); `--no-ja4plus`
 * turns it off. Written from the spec in docs/fingerprints.md §5.
 *
 * JA4X   = hash12(issuer OIDs) _ hash12(subject OIDs) _ hash12(extension OIDs)
 * JA4X_r = issuer OIDs _ subject OIDs _ extension OIDs
 * Each OID is the lower-case hex of its DER content octets; each list is comma-joined in certificate
 * order (all attributes of all RDNs, flattened; values ignored). An empty list hashes to
 * '000000000000' and is an empty section in the raw form (e.g. '_550403_551d0f' for an empty issuer).
 * Nothing is sorted, so JA4X has no '_o' variant.
 */

/** What JA4X needs from a certificate (an X509Certificate has these fields). */
export interface Ja4xInput {
  issuer: { rdns: ReadonlyArray<ReadonlyArray<{ oidHex: string }>> };
  subject: { rdns: ReadonlyArray<ReadonlyArray<{ oidHex: string }>> };
  extensions: ReadonlyArray<{ oidHex: string }>;
}

/** JA4X and its raw form. */
export interface Ja4xResult {
  ja4x: string;
  ja4x_r: string;
}

/** Computes JA4X and JA4X_r of a parsed certificate. */
export function ja4x(cert: Ja4xInput): Ja4xResult {
  const issuer = joinNameOids(cert.issuer.rdns);
  const subject = joinNameOids(cert.subject.rdns);
  const extensions = cert.extensions.map((e) => e.oidHex).join(',');
  return {
    ja4x: section(issuer) + '_' + section(subject) + '_' + section(extensions),
    ja4x_r: issuer + '_' + subject + '_' + extensions,
  };
}

function joinNameOids(rdns: ReadonlyArray<ReadonlyArray<{ oidHex: string }>>): string {
  const out: string[] = [];
  for (const rdn of rdns) for (const a of rdn) out.push(a.oidHex);
  return out.join(',');
}

function section(list: string): string {
  return list.length === 0 ? JA4_EMPTY_HASH : hash12(list);
}
