// A structurally valid X.509 v3 certificate in DER (RFC 5280, X.690) with an EC P-256 key and
// random signature bytes: what a self-signed honeypot certificate looks like on the wire. The
// signature does not verify; parsers and fingerprints (JA4X) only read the structure.

import type { Prng } from '../prng.js';

// DER tag-length-value with definite length.
export function der(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let head: number[];
  if (n < 0x80) head = [tag, n];
  else if (n < 0x100) head = [tag, 0x81, n];
  else if (n < 0x10000) head = [tag, 0x82, n >>> 8, n & 0xff];
  else head = [tag, 0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff];
  return Buffer.concat([Uint8Array.from(head), content]);
}

// DER SEQUENCE of the given encoded elements.
export function derSequence(...items: Uint8Array[]): Buffer {
  return der(0x30, Buffer.concat(items));
}

// DER OBJECT IDENTIFIER from dotted text.
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const enc: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) enc.unshift((v & 0x7f) | 0x80);
    bytes.push(...enc);
  }
  return der(0x06, Uint8Array.from(bytes));
}

// DER INTEGER from unsigned big-endian magnitude bytes.
export function derUnsignedInteger(mag: Uint8Array): Buffer {
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  const m = mag.subarray(i);
  return der(0x02, (m[0] ?? 0) & 0x80 ? Buffer.concat([Uint8Array.of(0), m]) : m);
}

// UTCTime (YYMMDDHHMMSSZ) for years 1950-2049, GeneralizedTime otherwise.
export function derTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return der(0x17, Buffer.from(`${p(y % 100)}${rest}`, 'latin1'));
  return der(0x18, Buffer.from(`${y}${rest}`, 'latin1'));
}

const OID_NAME: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
};

// DER Name from [attribute, value] pairs, e.g. [['C','US'],['CN','localhost']].
export function derName(attrs: ReadonlyArray<readonly [string, string]>): Buffer {
  return derSequence(
    ...attrs.map(([k, v]) => {
      const oid = OID_NAME[k];
      if (!oid) throw new RangeError(`unknown name attribute ${k}`);
      const str = k === 'C' ? der(0x13, Buffer.from(v, 'latin1')) : der(0x0c, Buffer.from(v, 'utf8'));
      return der(0x31, derSequence(derOid(oid), str));
    }),
  );
}

export interface CertificateOptions {
  subject: ReadonlyArray<readonly [string, string]>;
  // Defaults to the subject (self-signed).
  issuer?: ReadonlyArray<readonly [string, string]> | undefined;
  notBefore: Date;
  notAfter: Date;
  dnsNames?: readonly string[] | undefined;
  serial?: Uint8Array | undefined;
}

// Builds a DER certificate (ecdsa-with-SHA256 over a P-256 key), random key and signature bytes.
export function buildCertificateDer(opts: CertificateOptions, prng: Prng): Buffer {
  const serial = opts.serial ?? prng.bytes(16);
  const sigAlg = derSequence(derOid('1.2.840.10045.4.3.2'));
  const spki = derSequence(
    derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')),
    der(0x03, Buffer.concat([Uint8Array.of(0, 4), prng.bytes(64)])),
  );
  const exts: Buffer[] = [
    derSequence(derOid('2.5.29.19'), der(0x04, derSequence())), // basicConstraints: CA false (default)
  ];
  if (opts.dnsNames?.length) {
    const names = opts.dnsNames.map((n) => der(0x82, Buffer.from(n, 'latin1')));
    exts.push(derSequence(derOid('2.5.29.17'), der(0x04, derSequence(...names))));
  }
  const tbs = derSequence(
    der(0xa0, der(0x02, Uint8Array.of(2))), // version v3
    derUnsignedInteger(serial),
    sigAlg,
    derName(opts.issuer ?? opts.subject),
    derSequence(derTime(opts.notBefore), derTime(opts.notAfter)),
    derName(opts.subject),
    spki,
    der(0xa3, derSequence(...exts)),
  );
  const r = prng.bytes(32);
  const s = prng.bytes(32);
  const sig = derSequence(derUnsignedInteger(r), derUnsignedInteger(s));
  return derSequence(tbs, sigAlg, der(0x03, Buffer.concat([Uint8Array.of(0), sig])));
}
