// TLS handshake messages (RFC 8446, RFC 5246) as real clients and servers write them: ClientHello
// records in the layouts of Chrome (GREASE per RFC 8701, permuted extensions, X25519MLKEM768 key
// share), Firefox, curl/OpenSSL TLS 1.2, Go and Python/OpenSSL 3; ServerHello for TLS 1.2 and 1.3
// with the rest of the server's first flight.

import { ByteWriter } from '../bytes.js';
import { Prng } from '../prng.js';
import { buildCertificateDer } from './x509.js';

export const TlsContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
} as const;

export const TlsHandshakeType = {
  CLIENT_HELLO: 1,
  SERVER_HELLO: 2,
  CERTIFICATE: 11,
  SERVER_KEY_EXCHANGE: 12,
  SERVER_HELLO_DONE: 14,
} as const;

export const TlsVersion = { TLS10: 0x0301, TLS11: 0x0302, TLS12: 0x0303, TLS13: 0x0304 } as const;

export const TlsExt = {
  SERVER_NAME: 0,
  STATUS_REQUEST: 5,
  SUPPORTED_GROUPS: 10,
  EC_POINT_FORMATS: 11,
  SIGNATURE_ALGORITHMS: 13,
  ALPN: 16,
  SCT: 18,
  PADDING: 21,
  ENCRYPT_THEN_MAC: 22,
  EXTENDED_MASTER_SECRET: 23,
  COMPRESS_CERTIFICATE: 27,
  RECORD_SIZE_LIMIT: 28,
  DELEGATED_CREDENTIALS: 34,
  SESSION_TICKET: 35,
  SUPPORTED_VERSIONS: 43,
  PSK_KEY_EXCHANGE_MODES: 45,
  SIGNATURE_ALGORITHMS_CERT: 50,
  KEY_SHARE: 51,
  APPLICATION_SETTINGS_OLD: 17513,
  APPLICATION_SETTINGS: 17613,
  ENCRYPTED_CLIENT_HELLO: 0xfe0d,
  RENEGOTIATION_INFO: 0xff01,
} as const;

export const NamedGroup = {
  SECP256R1: 0x0017,
  SECP384R1: 0x0018,
  SECP521R1: 0x0019,
  X25519: 0x001d,
  X448: 0x001e,
  FFDHE2048: 0x0100,
  FFDHE3072: 0x0101,
  FFDHE4096: 0x0102,
  FFDHE6144: 0x0103,
  FFDHE8192: 0x0104,
  X25519MLKEM768: 0x11ec,
} as const;

// Key-exchange bytes a client share of each group carries.
export const KEY_SHARE_LENGTH: Readonly<Record<number, number>> = {
  [NamedGroup.X25519]: 32,
  [NamedGroup.X448]: 56,
  [NamedGroup.SECP256R1]: 65,
  [NamedGroup.SECP384R1]: 97,
  [NamedGroup.X25519MLKEM768]: 1216, // ML-KEM-768 encapsulation key (1184) + X25519 (32)
};

// The 16 GREASE values of RFC 8701 (0x0A0A, 0x1A1A, ... 0xFAFA).
export const TLS_GREASE: readonly number[] = Array.from({ length: 16 }, (_, i) => ((i << 4) | 0x0a) * 0x101);

// Whether a 16-bit codepoint is a GREASE value.
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >>> 8 === (v & 0xff);
}

export interface TlsExtension {
  type: number;
  data: Uint8Array;
}

export interface ClientHelloSpec {
  profile: string;
  recordVersion: number;
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: number[];
  extensions: TlsExtension[];
  // What the extensions above carry, for computing fingerprints from the builder's inputs.
  sni: string | undefined;
  alpn: string[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
}

const u16list = (vals: readonly number[]): Buffer => {
  const w = new ByteWriter(2 + 2 * vals.length);
  w.prefixed(2, () => {
    for (const v of vals) w.u16(v);
  });
  return w.finish();
};

// server_name extension data (RFC 6066 §3) for one host name.
export function extServerName(host: string): TlsExtension {
  const w = new ByteWriter();
  w.prefixed(2, () => w.u8(0).prefixed(2, () => w.ascii(host)));
  return { type: TlsExt.SERVER_NAME, data: w.finish() };
}

// supported_groups extension (RFC 8422 / RFC 8446 §4.2.7).
export function extSupportedGroups(groups: readonly number[]): TlsExtension {
  return { type: TlsExt.SUPPORTED_GROUPS, data: u16list(groups) };
}

// ec_point_formats extension (RFC 8422 §5.1.2).
export function extEcPointFormats(formats: readonly number[]): TlsExtension {
  return { type: TlsExt.EC_POINT_FORMATS, data: Uint8Array.from([formats.length, ...formats]) };
}

// signature_algorithms extension (RFC 8446 §4.2.3).
export function extSignatureAlgorithms(
  algs: readonly number[],
  type: number = TlsExt.SIGNATURE_ALGORITHMS,
): TlsExtension {
  return { type, data: u16list(algs) };
}

// application_layer_protocol_negotiation extension (RFC 7301).
export function extAlpn(protocols: readonly string[], type: number = TlsExt.ALPN): TlsExtension {
  const w = new ByteWriter();
  w.prefixed(2, () => {
    for (const p of protocols) w.prefixed(1, () => w.ascii(p));
  });
  return { type, data: w.finish() };
}

// supported_versions extension as a client sends it (RFC 8446 §4.2.1).
export function extSupportedVersionsClient(versions: readonly number[]): TlsExtension {
  const w = new ByteWriter();
  w.prefixed(1, () => {
    for (const v of versions) w.u16(v);
  });
  return { type: TlsExt.SUPPORTED_VERSIONS, data: w.finish() };
}

// key_share extension as a client sends it (RFC 8446 §4.2.8), with random key bytes.
export function extKeyShareClient(
  shares: ReadonlyArray<{ group: number; length: number }>,
  prng: Prng,
): TlsExtension {
  let n = 2;
  for (const s of shares) n += 4 + s.length;
  const out = Buffer.allocUnsafe(n);
  out[0] = (n - 2) >>> 8;
  out[1] = n - 2;
  let p = 2;
  for (const s of shares) {
    out[p] = s.group >>> 8;
    out[p + 1] = s.group;
    out[p + 2] = s.length >>> 8;
    out[p + 3] = s.length;
    p += 4;
    if (isGrease(s.group)) out.fill(0, p, p + s.length);
    else if (s.group === NamedGroup.SECP256R1 || s.group === NamedGroup.SECP384R1) {
      out[p] = 4; // uncompressed point
      prng.fill(out, p + 1, s.length - 1);
    } else prng.noise(out, p, s.length);
    p += s.length;
  }
  return { type: TlsExt.KEY_SHARE, data: out };
}

// An extension with empty data (extended_master_secret, session_ticket, SCT, encrypt_then_mac ...).
export function extEmpty(type: number): TlsExtension {
  return { type, data: new Uint8Array(0) };
}

const raw = (type: number, bytes: readonly number[]): TlsExtension => ({
  type,
  data: Uint8Array.from(bytes),
});

// renegotiation_info with an empty renegotiated_connection (RFC 5746).
export const extRenegotiationInfo = (): TlsExtension => raw(TlsExt.RENEGOTIATION_INFO, [0]);
// status_request for OCSP with no responder ids or extensions (RFC 6066 §8).
export const extStatusRequest = (): TlsExtension => raw(TlsExt.STATUS_REQUEST, [1, 0, 0, 0, 0]);
// psk_key_exchange_modes: psk_dhe_ke (RFC 8446 §4.2.9).
export const extPskKeyExchangeModes = (): TlsExtension => raw(TlsExt.PSK_KEY_EXCHANGE_MODES, [1, 1]);
// compress_certificate with the given algorithms (RFC 8879; 2 = brotli).
export const extCompressCertificate = (algs: readonly number[]): TlsExtension => ({
  type: TlsExt.COMPRESS_CERTIFICATE,
  data: Uint8Array.from([algs.length * 2, ...algs.flatMap((a) => [a >>> 8, a & 0xff])]),
});
// record_size_limit (RFC 8449).
export const extRecordSizeLimit = (n: number): TlsExtension =>
  raw(TlsExt.RECORD_SIZE_LIMIT, [n >>> 8, n & 0xff]);
// padding extension of n zero bytes (RFC 7685).
export const extPadding = (n: number): TlsExtension => ({ type: TlsExt.PADDING, data: new Uint8Array(n) });

// A GREASE encrypted_client_hello extension (outer, HKDF-SHA256 / AES-128-GCM, random contents).
export function extEchGrease(prng: Prng, payloadLength: number): TlsExtension {
  const out = Buffer.allocUnsafe(42 + payloadLength);
  out[0] = 0; // outer
  out.writeUInt16BE(0x0001, 1); // HKDF-SHA256
  out.writeUInt16BE(0x0001, 3); // AES-128-GCM
  out[5] = prng.u32() & 0xff; // config_id
  out.writeUInt16BE(32, 6);
  prng.fill(out, 8, 32);
  out.writeUInt16BE(payloadLength, 40);
  prng.noise(out, 42, payloadLength);
  return { type: TlsExt.ENCRYPTED_CLIENT_HELLO, data: out };
}

// Wraps bytes in one or more TLS records of at most 2^14 bytes each.
export function tlsRecords(contentType: number, version: number, body: Uint8Array): Buffer {
  const n = Math.max(1, Math.ceil(body.length / 16384));
  const out = Buffer.allocUnsafe(body.length + 5 * n);
  let p = 0;
  for (let off = 0; p === 0 || off < body.length; off += 16384) {
    const len = Math.min(16384, body.length - off);
    out[p] = contentType;
    out[p + 1] = version >>> 8;
    out[p + 2] = version;
    out[p + 3] = len >>> 8;
    out[p + 4] = len;
    out.set(body.subarray(off, off + len), p + 5);
    p += 5 + len;
  }
  return out;
}

// Encodes a ClientHello handshake message (without the record header) into one buffer.
export function encodeClientHelloMessage(spec: ClientHelloSpec): Buffer {
  let extLen = 0;
  for (const e of spec.extensions) extLen += 4 + e.data.length;
  const bodyLen =
    2 +
    32 +
    1 +
    spec.sessionId.length +
    2 +
    2 * spec.cipherSuites.length +
    1 +
    spec.compressionMethods.length +
    (spec.extensions.length ? 2 + extLen : 0);
  const out = Buffer.allocUnsafe(4 + bodyLen);
  let p = 0;
  out[p++] = TlsHandshakeType.CLIENT_HELLO;
  out[p++] = bodyLen >>> 16;
  out[p++] = bodyLen >>> 8;
  out[p++] = bodyLen;
  out[p++] = spec.legacyVersion >>> 8;
  out[p++] = spec.legacyVersion;
  out.set(spec.random, p);
  p += 32;
  out[p++] = spec.sessionId.length;
  out.set(spec.sessionId, p);
  p += spec.sessionId.length;
  out[p++] = (2 * spec.cipherSuites.length) >>> 8;
  out[p++] = 2 * spec.cipherSuites.length;
  for (const c of spec.cipherSuites) {
    out[p++] = c >>> 8;
    out[p++] = c;
  }
  out[p++] = spec.compressionMethods.length;
  for (const c of spec.compressionMethods) out[p++] = c;
  if (spec.extensions.length) {
    out[p++] = extLen >>> 8;
    out[p++] = extLen;
    for (const e of spec.extensions) {
      out[p++] = e.type >>> 8;
      out[p++] = e.type;
      out[p++] = e.data.length >>> 8;
      out[p++] = e.data.length;
      out.set(e.data, p);
      p += e.data.length;
    }
  }
  return out;
}

// Encodes a ClientHello as one TLS record (a ClientHello is far below the 2^14 record limit).
export function encodeClientHello(spec: ClientHelloSpec): Buffer {
  const msg = encodeClientHelloMessage(spec);
  if (msg.length > 16384) return tlsRecords(TlsContentType.HANDSHAKE, spec.recordVersion, msg);
  const out = Buffer.allocUnsafe(5 + msg.length);
  out[0] = TlsContentType.HANDSHAKE;
  out[1] = spec.recordVersion >>> 8;
  out[2] = spec.recordVersion;
  out[3] = msg.length >>> 8;
  out[4] = msg.length;
  msg.copy(out, 5);
  return out;
}

export type ClientHelloProfile =
  | 'chrome'
  | 'chrome-x25519'
  | 'firefox'
  | 'curl-tls12'
  | 'go'
  | 'python-openssl3';

export const CLIENT_HELLO_PROFILES: readonly ClientHelloProfile[] = [
  'chrome',
  'chrome-x25519',
  'firefox',
  'curl-tls12',
  'go',
  'python-openssl3',
];

export interface ClientHelloOptions {
  // Host name for server_name; omitted means no SNI (typical of scanners connecting by address).
  sni?: string | undefined;
  // ALPN protocols; omitted means the profile's default, [] means no ALPN extension.
  alpn?: readonly string[] | undefined;
}

const CHROME_CIPHERS = [
  0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
  0x002f, 0x0035,
];
const CHROME_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
const FIREFOX_CIPHERS = [
  0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013, 0xc014,
  0x009c, 0x009d, 0x002f, 0x0035,
];
const FIREFOX_SIGALGS = [
  0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201,
];
const OPENSSL_TLS12_CIPHERS = [
  0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023,
  0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035,
  0x002f, 0x00ff,
];
const OPENSSL_SIGALGS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501,
  0x0601, 0x0303, 0x0203, 0x0301, 0x0201, 0x0302, 0x0202, 0x0402, 0x0502, 0x0602,
];
const GO_CIPHERS = [
  0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f,
  0x0035, 0xc012, 0x000a, 0x1301, 0x1302, 0x1303,
];
const GO_SIGALGS = [
  0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503, 0x0603, 0x0201, 0x0203,
];

// Two distinct GREASE values.
function twoGrease(prng: Prng): [number, number] {
  const a = prng.int(16);
  const b = (a + 1 + prng.int(15)) % 16;
  return [TLS_GREASE[a]!, TLS_GREASE[b]!];
}

// Extensions whose bytes depend only on their key are encoded once and shared (treat as read-only).
const extMemo = new Map<string, TlsExtension>();
function memo(key: string, make: () => TlsExtension): TlsExtension {
  let e = extMemo.get(key);
  if (e === undefined) {
    e = make();
    if (extMemo.size < 4096) extMemo.set(key, e);
  }
  return e;
}

const EMPTY_BYTES = new Uint8Array(0);
const EXT_EMS = extEmpty(TlsExt.EXTENDED_MASTER_SECRET);
const EXT_TICKET = extEmpty(TlsExt.SESSION_TICKET);
const EXT_SCT = extEmpty(TlsExt.SCT);
const EXT_ETM = extEmpty(TlsExt.ENCRYPT_THEN_MAC);
const EXT_RENEG = extRenegotiationInfo();
const EXT_STATUS = extStatusRequest();
const EXT_PSK_MODES = extPskKeyExchangeModes();
const EXT_PF_UNCOMPRESSED = extEcPointFormats([0]);
const EXT_PF_ALL = extEcPointFormats([0, 1, 2]);
const EXT_COMPRESS_BROTLI = extCompressCertificate([2]);
const EXT_RECORD_LIMIT = extRecordSizeLimit(0x4001);
const EXT_CHROME_SIGALGS = extSignatureAlgorithms(CHROME_SIGALGS);
const EXT_FIREFOX_SIGALGS = extSignatureAlgorithms(FIREFOX_SIGALGS);
const EXT_FIREFOX_DELEGATED = extSignatureAlgorithms(
  [0x0403, 0x0503, 0x0603, 0x0203],
  TlsExt.DELEGATED_CREDENTIALS,
);
const EXT_OPENSSL_SIGALGS = extSignatureAlgorithms(OPENSSL_SIGALGS);
const EXT_GO_SIGALGS = extSignatureAlgorithms(GO_SIGALGS);
const VERSIONS_13_12 = [TlsVersion.TLS13, TlsVersion.TLS12];
const EXT_VERSIONS_13_12 = extSupportedVersionsClient(VERSIONS_13_12);
const FIREFOX_GROUPS = [
  NamedGroup.X25519,
  NamedGroup.SECP256R1,
  NamedGroup.SECP384R1,
  NamedGroup.SECP521R1,
  NamedGroup.FFDHE2048,
  NamedGroup.FFDHE3072,
];
const OPENSSL_TLS12_GROUPS = [
  NamedGroup.X25519,
  NamedGroup.SECP256R1,
  NamedGroup.X448,
  NamedGroup.SECP521R1,
  NamedGroup.SECP384R1,
];
const OPENSSL3_GROUPS = [
  ...OPENSSL_TLS12_GROUPS,
  NamedGroup.FFDHE2048,
  NamedGroup.FFDHE3072,
  NamedGroup.FFDHE4096,
  NamedGroup.FFDHE6144,
  NamedGroup.FFDHE8192,
];
const GO_GROUPS = [NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1, NamedGroup.SECP521R1];
const EXT_FIREFOX_GROUPS = extSupportedGroups(FIREFOX_GROUPS);
const EXT_OPENSSL_TLS12_GROUPS = extSupportedGroups(OPENSSL_TLS12_GROUPS);
const EXT_OPENSSL3_GROUPS = extSupportedGroups(OPENSSL3_GROUPS);
const EXT_GO_GROUPS = extSupportedGroups(GO_GROUPS);
const SHARES_X25519 = [{ group: NamedGroup.X25519, length: 32 }];
const SHARES_FIREFOX = [
  { group: NamedGroup.X25519, length: 32 },
  { group: NamedGroup.SECP256R1, length: 65 },
];
const PYTHON_CIPHERS = [0x1302, 0x1303, 0x1301, ...OPENSSL_TLS12_CIPHERS];
const ECH_LENGTHS = [144, 176, 208, 240];

const sniExt = (sni: string): TlsExtension => memo(`sni:${sni}`, () => extServerName(sni));
const alpnExt = (alpn: readonly string[], type: number = TlsExt.ALPN): TlsExtension =>
  memo(`alpn:${type}:${alpn.join(',')}`, () => extAlpn(alpn, type));

// Builds the ClientHello of a named client profile with fresh random, session id and key shares.
export function clientHelloSpec(
  profile: ClientHelloProfile,
  prng: Prng,
  opts: ClientHelloOptions = {},
): ClientHelloSpec {
  const random = prng.bytes(32);
  const sni = opts.sni;
  const ext: TlsExtension[] = [];
  if (sni !== undefined) ext.push(sniExt(sni));
  const spec = (
    sessionId: Uint8Array,
    cipherSuites: number[],
    alpn: string[],
    supportedGroups: number[],
    ecPointFormats: number[],
    signatureAlgorithms: number[],
    supportedVersions: number[],
  ): ClientHelloSpec => ({
    profile,
    recordVersion: TlsVersion.TLS10,
    legacyVersion: TlsVersion.TLS12,
    random,
    sessionId,
    cipherSuites,
    compressionMethods: [0],
    extensions: ext,
    sni,
    alpn,
    supportedGroups,
    ecPointFormats,
    signatureAlgorithms,
    supportedVersions,
  });
  switch (profile) {
    case 'chrome':
    case 'chrome-x25519': {
      const mlkem = profile === 'chrome';
      const [gCipher, gExt1] = twoGrease(prng);
      const [gGroup, gExt2] = twoGrease(prng);
      const gVersion = TLS_GREASE[prng.int(16)]!;
      const alpn = opts.alpn ? [...opts.alpn] : ['h2', 'http/1.1'];
      const groups = mlkem
        ? [gGroup, NamedGroup.X25519MLKEM768, NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1]
        : [gGroup, NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1];
      const shares = mlkem
        ? [
            { group: gGroup, length: 1 },
            { group: NamedGroup.X25519MLKEM768, length: KEY_SHARE_LENGTH[NamedGroup.X25519MLKEM768]! },
            { group: NamedGroup.X25519, length: 32 },
          ]
        : [
            { group: gGroup, length: 1 },
            { group: NamedGroup.X25519, length: 32 },
          ];
      const versions = [gVersion, TlsVersion.TLS13, TlsVersion.TLS12];
      ext.push(
        EXT_EMS,
        EXT_RENEG,
        memo(`groups:${groups.join(',')}`, () => extSupportedGroups(groups)),
        EXT_PF_UNCOMPRESSED,
        EXT_TICKET,
      );
      if (alpn.length) ext.push(alpnExt(alpn));
      ext.push(
        EXT_STATUS,
        EXT_CHROME_SIGALGS,
        EXT_SCT,
        extKeyShareClient(shares, prng),
        EXT_PSK_MODES,
        memo(`versions:${gVersion}`, () => extSupportedVersionsClient(versions)),
        EXT_COMPRESS_BROTLI,
      );
      if (alpn.length)
        ext.push(alpnExt(['h2'], mlkem ? TlsExt.APPLICATION_SETTINGS : TlsExt.APPLICATION_SETTINGS_OLD));
      ext.push(extEchGrease(prng, ECH_LENGTHS[prng.int(4)]!));
      prng.shuffle(ext); // Chrome 110+ permutes its extensions on every connection
      ext.unshift({ type: gExt1, data: EMPTY_BYTES });
      ext.push({ type: gExt2, data: Uint8Array.of(0) });
      return spec(prng.bytes(32), [gCipher, ...CHROME_CIPHERS], alpn, groups, [0], CHROME_SIGALGS, versions);
    }
    case 'firefox': {
      const alpn = opts.alpn ? [...opts.alpn] : ['h2', 'http/1.1'];
      ext.push(EXT_EMS, EXT_RENEG, EXT_FIREFOX_GROUPS, EXT_PF_UNCOMPRESSED, EXT_TICKET);
      if (alpn.length) ext.push(alpnExt(alpn));
      ext.push(
        EXT_STATUS,
        EXT_FIREFOX_DELEGATED,
        extKeyShareClient(SHARES_FIREFOX, prng),
        EXT_VERSIONS_13_12,
        EXT_FIREFOX_SIGALGS,
        EXT_PSK_MODES,
        EXT_RECORD_LIMIT,
        extEchGrease(prng, ECH_LENGTHS[prng.int(4)]!),
      );
      return spec(
        prng.bytes(32),
        FIREFOX_CIPHERS,
        alpn,
        FIREFOX_GROUPS,
        [0],
        FIREFOX_SIGALGS,
        VERSIONS_13_12,
      );
    }
    case 'curl-tls12': {
      const alpn = opts.alpn ? [...opts.alpn] : ['h2', 'http/1.1'];
      ext.push(EXT_PF_ALL, EXT_OPENSSL_TLS12_GROUPS, EXT_TICKET);
      if (alpn.length) ext.push(alpnExt(alpn));
      ext.push(EXT_ETM, EXT_EMS, EXT_OPENSSL_SIGALGS);
      return spec(
        EMPTY_BYTES,
        OPENSSL_TLS12_CIPHERS,
        alpn,
        OPENSSL_TLS12_GROUPS,
        [0, 1, 2],
        OPENSSL_SIGALGS,
        [],
      );
    }
    case 'go': {
      const alpn = opts.alpn ? [...opts.alpn] : [];
      ext.push(EXT_STATUS, EXT_GO_GROUPS, EXT_PF_UNCOMPRESSED, EXT_GO_SIGALGS, EXT_RENEG);
      if (alpn.length) ext.push(alpnExt(alpn));
      ext.push(EXT_SCT, EXT_VERSIONS_13_12, extKeyShareClient(SHARES_X25519, prng));
      return spec(prng.bytes(32), GO_CIPHERS, alpn, GO_GROUPS, [0], GO_SIGALGS, VERSIONS_13_12);
    }
    case 'python-openssl3': {
      const alpn = opts.alpn ? [...opts.alpn] : [];
      ext.push(EXT_PF_ALL, EXT_OPENSSL3_GROUPS, EXT_TICKET);
      if (alpn.length) ext.push(alpnExt(alpn));
      ext.push(
        EXT_ETM,
        EXT_EMS,
        EXT_OPENSSL_SIGALGS,
        EXT_VERSIONS_13_12,
        EXT_PSK_MODES,
        extKeyShareClient(SHARES_X25519, prng),
      );
      return spec(
        prng.bytes(32),
        PYTHON_CIPHERS,
        alpn,
        OPENSSL3_GROUPS,
        [0, 1, 2],
        OPENSSL_SIGALGS,
        VERSIONS_13_12,
      );
    }
  }
}

// ClientHello record bytes of a named profile, with the spec that produced them.
export function buildClientHello(
  profile: ClientHelloProfile,
  prng: Prng,
  opts: ClientHelloOptions = {},
): { spec: ClientHelloSpec; bytes: Buffer } {
  const spec = clientHelloSpec(profile, prng, opts);
  return { spec, bytes: encodeClientHello(spec) };
}

export interface ServerHelloSpec {
  recordVersion: number;
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: TlsExtension[];
}

// Encodes a ServerHello handshake message (without the record header).
export function encodeServerHelloMessage(spec: ServerHelloSpec): Buffer {
  const w = new ByteWriter(256);
  w.u8(TlsHandshakeType.SERVER_HELLO).prefixed(3, () => {
    w.u16(spec.legacyVersion).bytes(spec.random);
    w.prefixed(1, () => w.bytes(spec.sessionId));
    w.u16(spec.cipherSuite).u8(spec.compressionMethod);
    if (spec.extensions.length) {
      w.prefixed(2, () => {
        for (const e of spec.extensions) w.u16(e.type).prefixed(2, () => w.bytes(e.data));
      });
    }
  });
  return w.finish();
}

export interface ServerFlightOptions {
  // Negotiate TLS 1.3 when the client offers it (default true).
  tls13?: boolean | undefined;
  // Cipher to choose; default: the server's preference among the client's offer.
  cipherSuite?: number | undefined;
  // Certificate subject CN / SAN for a TLS 1.2 flight.
  commonName?: string | undefined;
  // Certificate validity start (default 2024-01-01).
  notBefore?: Date | undefined;
  // Bytes of encrypted handshake after a TLS 1.3 ServerHello (default 1200-3200).
  encryptedLength?: number | undefined;
}

export interface ServerFlight {
  spec: ServerHelloSpec;
  version: number;
  // ServerHello record followed by the rest of the server's first flight.
  bytes: Buffer;
  // ServerHello record alone.
  serverHello: Buffer;
}

const certCache = new Map<string, Buffer>();
const TLS13_SERVER_PREF = [0x1301, 0x1302, 0x1303];
const TLS12_SERVER_PREF = [0xc02b, 0xc02c, 0xcca9, 0xc009, 0xc00a, 0xc02f, 0xc030, 0x009c, 0x002f];

// The server's answer to a ClientHello: ServerHello and, for TLS 1.3, ChangeCipherSpec and encrypted
// handshake records; for TLS 1.2, Certificate, ServerKeyExchange (ECDHE) and ServerHelloDone.
export function buildServerFlight(
  client: ClientHelloSpec,
  prng: Prng,
  opts: ServerFlightOptions = {},
): ServerFlight {
  const offered = new Set(client.cipherSuites);
  const tls13 = (opts.tls13 ?? true) && client.supportedVersions.includes(TlsVersion.TLS13);
  const random = prng.bytes(32);
  const exts: TlsExtension[] = [];
  let cipher = opts.cipherSuite;
  const clientExt = new Set(client.extensions.map((e) => e.type));
  if (tls13) {
    cipher ??= TLS13_SERVER_PREF.find((c) => offered.has(c)) ?? 0x1301;
    exts.push({ type: TlsExt.SUPPORTED_VERSIONS, data: Uint8Array.of(0x03, 0x04) });
    const w = new ByteWriter(40);
    w.u16(NamedGroup.X25519).prefixed(2, () => w.random(prng, 32));
    exts.push({ type: TlsExt.KEY_SHARE, data: w.finish() });
  } else {
    cipher ??=
      TLS12_SERVER_PREF.find((c) => offered.has(c)) ??
      client.cipherSuites.find((c) => !isGrease(c)) ??
      0x002f;
    if (clientExt.has(TlsExt.RENEGOTIATION_INFO) || offered.has(0x00ff)) exts.push(extRenegotiationInfo());
    if (clientExt.has(TlsExt.EC_POINT_FORMATS)) exts.push(extEcPointFormats([0]));
    if (clientExt.has(TlsExt.EXTENDED_MASTER_SECRET)) exts.push(extEmpty(TlsExt.EXTENDED_MASTER_SECRET));
    if (clientExt.has(TlsExt.SESSION_TICKET)) exts.push(extEmpty(TlsExt.SESSION_TICKET));
    if (client.alpn.length)
      exts.push(extAlpn([client.alpn.includes('http/1.1') ? 'http/1.1' : client.alpn[0]!]));
  }
  const spec: ServerHelloSpec = {
    recordVersion: TlsVersion.TLS12,
    legacyVersion: TlsVersion.TLS12,
    random,
    sessionId: tls13 ? client.sessionId : prng.bytes(32),
    cipherSuite: cipher,
    compressionMethod: 0,
    extensions: exts,
  };
  const serverHello = tlsRecords(TlsContentType.HANDSHAKE, TlsVersion.TLS12, encodeServerHelloMessage(spec));
  const parts: Uint8Array[] = [serverHello];
  if (tls13) {
    if (client.sessionId.length)
      parts.push(tlsRecords(TlsContentType.CHANGE_CIPHER_SPEC, TlsVersion.TLS12, Uint8Array.of(1)));
    parts.push(tlsApplicationData(opts.encryptedLength ?? 1200 + prng.int(2000), prng));
  } else {
    const cn = opts.commonName ?? 'localhost';
    const notBefore = opts.notBefore ?? new Date(Date.UTC(2024, 0, 1));
    // A decoy serves the same certificate on every connection: its bytes are a pure function of the
    // name and date (own generator), so caching it never changes what the caller's prng yields next.
    const certKey = `${cn}|${notBefore.getTime()}`;
    let cert = certCache.get(certKey);
    if (cert === undefined) {
      let seed = notBefore.getTime() / 1000;
      for (let i = 0; i < cn.length; i++) seed = (Math.imul(seed, 31) + cn.charCodeAt(i)) >>> 0;
      cert = buildCertificateDer(
        {
          subject: [
            ['C', 'US'],
            ['O', 'Internet Widgits Pty Ltd'],
            ['CN', cn],
          ],
          notBefore,
          notAfter: new Date(notBefore.getTime() + 365 * 86_400_000),
          dnsNames: [cn],
        },
        new Prng(seed),
      );
      if (certCache.size < 1024) certCache.set(certKey, cert);
    }
    const hs = new ByteWriter(cert.length + 256);
    hs.u8(TlsHandshakeType.CERTIFICATE).prefixed(3, () =>
      hs.prefixed(3, () => hs.prefixed(3, () => hs.bytes(cert))),
    );
    hs.u8(TlsHandshakeType.SERVER_KEY_EXCHANGE).prefixed(3, () => {
      hs.u8(3)
        .u16(NamedGroup.X25519)
        .prefixed(1, () => hs.random(prng, 32)); // ECParameters, point
      hs.u16(0x0403).prefixed(2, () =>
        hs.u8(0x30).u8(0x44).u8(2).u8(0x20).random(prng, 32).u8(2).u8(0x20).random(prng, 32),
      );
    });
    hs.u8(TlsHandshakeType.SERVER_HELLO_DONE).u24(0);
    parts.push(tlsRecords(TlsContentType.HANDSHAKE, TlsVersion.TLS12, hs.finish()));
  }
  return {
    spec,
    version: tls13 ? TlsVersion.TLS13 : TlsVersion.TLS12,
    bytes: Buffer.concat(parts),
    serverHello,
  };
}

// The client's second flight: ChangeCipherSpec (TLS 1.3 compatibility mode or TLS 1.2) and encrypted records.
export function buildClientFinished(version: number, prng: Prng): Buffer {
  const parts: Uint8Array[] = [];
  if (version === TlsVersion.TLS12) {
    const kx = new ByteWriter(40);
    kx.u8(16).prefixed(3, () => kx.prefixed(1, () => kx.random(prng, 32))); // ClientKeyExchange (x25519)
    parts.push(tlsRecords(TlsContentType.HANDSHAKE, TlsVersion.TLS12, kx.finish()));
    parts.push(tlsRecords(TlsContentType.CHANGE_CIPHER_SPEC, TlsVersion.TLS12, Uint8Array.of(1)));
    parts.push(tlsRecords(TlsContentType.HANDSHAKE, TlsVersion.TLS12, prng.bytes(40))); // encrypted Finished
  } else {
    parts.push(tlsRecords(TlsContentType.CHANGE_CIPHER_SPEC, TlsVersion.TLS12, Uint8Array.of(1)));
    parts.push(tlsApplicationData(53, prng));
  }
  return Buffer.concat(parts);
}

// One encrypted application_data record with n random bytes (n at most 2^14).
export function tlsApplicationData(n: number, prng: Prng): Buffer {
  const out = Buffer.allocUnsafe(5 + n);
  out[0] = TlsContentType.APPLICATION_DATA;
  out[1] = 0x03;
  out[2] = 0x03;
  out[3] = n >>> 8;
  out[4] = n;
  prng.noise(out, 5, n);
  return out;
}
