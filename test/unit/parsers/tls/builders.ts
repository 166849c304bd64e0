/**
 * Test-only builders of TLS wire bytes (RFC 8446 / RFC 5246 layouts), so tests exercise the parsers on
 * real bytes instead of hand-made objects.
 */

export type Bytes = Uint8Array;

/** Concatenates byte arrays / byte lists. */
export function concat(...parts: Array<Bytes | number[]>): Bytes {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u8(v: number): number[] {
  return [v & 0xff];
}
export function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}
export function u24(v: number): number[] {
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}
/** opaque<0..2^8-1> */
export function vec8(body: Bytes | number[]): Bytes {
  return concat(u8(body.length), body);
}
/** opaque<0..2^16-1> */
export function vec16(body: Bytes | number[]): Bytes {
  return concat(u16(body.length), body);
}
export function u16s(list: number[]): number[] {
  return list.flatMap(u16);
}
export function ascii(s: string): Bytes {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export interface Ext {
  type: number;
  data: Bytes;
}

export function ext(type: number, data: Bytes | number[] = []): Ext {
  return { type, data: Uint8Array.from(data) };
}
/** server_name with one host_name entry. */
export function extSni(host: string): Ext {
  return ext(0x0000, vec16(concat([0], vec16(ascii(host)))));
}
/** ALPN with the given protocol names (strings as ASCII, or raw bytes). */
export function extAlpn(names: Array<string | number[]>): Ext {
  return ext(0x0010, vec16(concat(...names.map((n) => vec8(typeof n === 'string' ? ascii(n) : n)))));
}
export function extSupportedVersionsClient(versions: number[]): Ext {
  return ext(0x002b, vec8(u16s(versions)));
}
export function extSupportedVersionsServer(version: number): Ext {
  return ext(0x002b, u16(version));
}
export function extGroups(groups: number[]): Ext {
  return ext(0x000a, vec16(u16s(groups)));
}
export function extPointFormats(formats: number[]): Ext {
  return ext(0x000b, vec8(formats));
}
export function extSigAlgs(algs: number[]): Ext {
  return ext(0x000d, vec16(u16s(algs)));
}
/** Client key_share with one entry per group (key bytes are filler). */
export function extKeyShareClient(groups: number[]): Ext {
  return ext(
    0x0033,
    vec16(concat(...groups.map((g) => concat(u16(g), vec16(new Uint8Array(32).fill(0x42)))))),
  );
}
export function extPskModes(modes: number[]): Ext {
  return ext(0x002d, vec8(modes));
}

export interface ClientHelloSpec {
  legacyVersion?: number;
  random?: Bytes;
  sessionId?: Bytes;
  cipherSuites: number[];
  compressionMethods?: number[];
  /** undefined = no extensions block at all (SSL 3.0 / TLS 1.0 style). */
  extensions?: Ext[] | undefined;
}

function extensionBlock(exts: Ext[]): Bytes {
  return vec16(concat(...exts.map((e) => concat(u16(e.type), vec16(e.data)))));
}

/** ClientHello body (no handshake header). */
export function clientHelloBody(spec: ClientHelloSpec): Bytes {
  return concat(
    u16(spec.legacyVersion ?? 0x0303),
    spec.random ?? new Uint8Array(32).fill(0x11),
    vec8(spec.sessionId ?? []),
    vec16(u16s(spec.cipherSuites)),
    vec8(spec.compressionMethods ?? [0]),
    spec.extensions === undefined ? [] : extensionBlock(spec.extensions),
  );
}

export interface ServerHelloSpec {
  legacyVersion?: number;
  random?: Bytes;
  sessionId?: Bytes;
  cipherSuite: number;
  compressionMethod?: number;
  extensions?: Ext[] | undefined;
}

/** ServerHello body (no handshake header). */
export function serverHelloBody(spec: ServerHelloSpec): Bytes {
  return concat(
    u16(spec.legacyVersion ?? 0x0303),
    spec.random ?? new Uint8Array(32).fill(0x22),
    vec8(spec.sessionId ?? []),
    u16(spec.cipherSuite),
    u8(spec.compressionMethod ?? 0),
    spec.extensions === undefined ? [] : extensionBlock(spec.extensions),
  );
}

/** Handshake message: msg_type, uint24 length, body. */
export function handshake(type: number, body: Bytes): Bytes {
  return concat(u8(type), u24(body.length), body);
}
export function clientHelloMessage(spec: ClientHelloSpec): Bytes {
  return handshake(1, clientHelloBody(spec));
}
export function serverHelloMessage(spec: ServerHelloSpec): Bytes {
  return handshake(2, serverHelloBody(spec));
}

/** One TLS record. */
export function record(contentType: number, fragment: Bytes | number[], version = 0x0301): Bytes {
  return concat(u8(contentType), u16(version), u16(fragment.length), fragment);
}
export function handshakeRecord(fragment: Bytes, version = 0x0301): Bytes {
  return record(22, fragment, version);
}
/** Splits `payload` into Handshake records of the given fragment sizes (the rest goes in a last record; never an empty record). */
export function splitIntoRecords(payload: Bytes, sizes: number[], version = 0x0301): Bytes {
  const out: Bytes[] = [];
  let at = 0;
  for (const s of sizes) {
    if (at >= payload.length) break;
    out.push(handshakeRecord(payload.subarray(at, at + s), version));
    at += s;
  }
  if (at < payload.length) out.push(handshakeRecord(payload.subarray(at), version));
  return concat(...out);
}
export const CHANGE_CIPHER_SPEC_RECORD: Bytes = record(20, [1], 0x0303);

/** RFC 8446 §4.1.3 HelloRetryRequest random. */
export const HRR_RANDOM: Bytes = Uint8Array.from(
  Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'),
);

/** The JA4.md worked example (docs/fingerprints.md §1), in wire order. */
export const WORKED = {
  ciphers: [
    0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
    0x002f, 0x0035,
  ],
  extensionOrder: [
    0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
    0x000b, 0x000a, 0x0015,
  ],
  sigalgs: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
};

export interface WorkedOptions {
  alpn?: Array<string | number[]>;
  /** Replaces the signature_algorithms extension body. */
  sigalgsExt?: Ext;
  /** Inserts GREASE into every list that can carry it. */
  grease?: boolean;
  sni?: string;
}

/** Extensions of the worked example with plausible bodies, in the worked example's wire order. */
export function workedExtensions(o: WorkedOptions = {}): Ext[] {
  const g = o.grease === true;
  const byType: Record<number, Ext> = {
    27: ext(0x001b, vec8(u16s([0x0002]))),
    0: extSni(o.sni ?? 'example.com'),
    51: extKeyShareClient(g ? [0x3a3a, 0x001d] : [0x001d]),
    16: extAlpn(o.alpn ?? ['h2', 'http/1.1']),
    17513: ext(0x4469, concat(u16(3), vec8(ascii('h2')))),
    23: ext(0x0017),
    45: extPskModes([1]),
    13: o.sigalgsExt ?? extSigAlgs(g ? [0x2a2a, ...WORKED.sigalgs] : WORKED.sigalgs),
    5: ext(0x0005, [1, 0, 0, 0, 0]),
    35: ext(0x0023),
    18: ext(0x0012),
    43: extSupportedVersionsClient(g ? [0x5a5a, 0x0304, 0x0303] : [0x0304, 0x0303]),
    65281: ext(0xff01, [0]),
    11: extPointFormats([0]),
    10: extGroups(g ? [0x8a8a, 0x001d, 0x0017, 0x0018] : [0x001d, 0x0017, 0x0018]),
    21: ext(0x0015, new Uint8Array(17)),
  };
  const exts = WORKED.extensionOrder.map((t) => byType[t]!);
  if (g) {
    exts.unshift(ext(0x1a1a));
    exts.push(ext(0xfafa, [0]));
  }
  return exts;
}

/** ClientHello message of the worked example. */
export function workedClientHello(o: WorkedOptions = {}): Bytes {
  const ciphers = o.grease === true ? [0xdada, ...WORKED.ciphers] : WORKED.ciphers;
  return clientHelloMessage({
    legacyVersion: 0x0303,
    sessionId: new Uint8Array(32).fill(7),
    cipherSuites: ciphers,
    extensions: workedExtensions(o),
  });
}
