/**
 * Test-only DER builders for hand-made certificates (X.690 encodings written out directly; nothing
 * here calls the code under test).
 */

export type Bytes = Uint8Array;
type Part = Bytes | readonly number[];

export function concat(...parts: Part[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Definite-length encoding (X.690 §8.1.3): short form below 128, else the minimal long form. */
export function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** A TLV with identifier octet `id`. */
export function tlv(id: number, ...content: Part[]): Bytes {
  const c = concat(...content);
  return concat([id], derLength(c.length), c);
}

export const seq = (...items: Part[]): Bytes => tlv(0x30, ...items);
export const set = (...items: Part[]): Bytes => tlv(0x31, ...items);
export const explicit = (n: number, ...items: Part[]): Bytes => tlv(0xa0 + n, ...items);
export const octets = (...items: Part[]): Bytes => tlv(0x04, ...items);
export const bool = (v: boolean): Bytes => tlv(0x01, [v ? 0xff : 0x00]);
export const nullValue = (): Bytes => tlv(0x05);
export const ascii = (s: string): Bytes => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const utf8 = (s: string): Bytes => tlv(0x0c, new TextEncoder().encode(s));
export const printable = (s: string): Bytes => tlv(0x13, ascii(s));
export const ia5 = (s: string): Bytes => tlv(0x16, ascii(s));
export const utcTime = (s: string): Bytes => tlv(0x17, ascii(s));
export const generalizedTime = (s: string): Bytes => tlv(0x18, ascii(s));

/** INTEGER from raw content octets (so tests control sign and padding). */
export const integer = (...content: number[]): Bytes => tlv(0x02, content);

/** OBJECT IDENTIFIER from dotted text (X.690 §8.19: 40·X + Y first, base-128 arcs). */
export function oid(dotted: string): Bytes {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const subs = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of subs) {
    const group: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) group.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(0x06, out);
}

/** AlgorithmIdentifier with optional parameters. */
export const algorithm = (dotted: string, params?: Bytes): Bytes =>
  params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params);

/** AttributeTypeAndValue. */
export const atv = (type: string, value: Bytes): Bytes => seq(oid(type), value);

/** A Name from RDNs, each a list of [type OID, value TLV]. */
export function name(...rdns: Array<Array<[string, Bytes]>>): Bytes {
  return seq(...rdns.map((rdn) => set(...rdn.map(([t, v]) => atv(t, v)))));
}

/** One Extension. */
export function extension(dotted: string, value: Bytes, critical?: boolean): Bytes {
  return critical === undefined
    ? seq(oid(dotted), octets(value))
    : seq(oid(dotted), bool(critical), octets(value));
}

export const OID = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  dsa: '1.2.840.10040.4.1',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
} as const;

/** An RSA SubjectPublicKeyInfo whose modulus has the given content octets. */
export function rsaKey(modulus: number[]): Bytes {
  const rsaPublicKey = seq(integer(...modulus), integer(0x01, 0x00, 0x01));
  return seq(algorithm(OID.rsaEncryption, nullValue()), tlv(0x03, [0], rsaPublicKey));
}

/** A 2048-bit RSA key: modulus 0x00 0xC0 then 254 bytes (bit length 2048). */
export const RSA_2048 = rsaKey([0x00, 0xc0, ...new Array<number>(255).fill(0x11)]);

export interface CertParts {
  version?: Bytes | null; // the [0] wrapper, or null for v1 (absent)
  serial?: Bytes;
  signature?: Bytes;
  issuer?: Bytes;
  validity?: Bytes;
  subject?: Bytes;
  spki?: Bytes;
  /** Extra TBS fields after the SPKI (unique IDs, [3] extensions). */
  tail?: Bytes[];
  outerSignature?: Bytes;
}

/** The [3] EXPLICIT Extensions wrapper. */
export const extensions = (...exts: Bytes[]): Bytes => explicit(3, seq(...exts));

/** A whole certificate; every part has a plausible default. */
export function certificate(p: CertParts = {}): Bytes {
  const sig = p.signature ?? algorithm(OID.sha256WithRSA, nullValue());
  const tbs = seq(
    p.version === null ? [] : (p.version ?? explicit(0, integer(2))),
    p.serial ?? integer(0x01),
    sig,
    p.issuer ?? name([[OID.CN, utf8('Test CA')]]),
    p.validity ?? seq(utcTime('240101000000Z'), utcTime('250101000000Z')),
    p.subject ?? name([[OID.CN, utf8('example.test')]]),
    p.spki ?? RSA_2048,
    ...(p.tail ?? []),
  );
  return seq(tbs, p.outerSignature ?? sig, tlv(0x03, [0, 1, 2, 3]));
}

/** Hex of bytes (for readable expectations). */
export function hex(b: Bytes): string {
  return Buffer.from(b).toString('hex');
}

/** Bytes from hex text. */
export function fromHex(h: string): Bytes {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}
