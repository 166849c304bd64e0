import { ByteReader } from '../../util/reader.js';
import { ExtensionType, MAX_SESSION_ID_LENGTH, RANDOM_LENGTH } from './constants.js';
import {
  byteList,
  decodeAlpnList,
  decodeClientKeyShareGroups,
  decodeServerNameList,
  decodeU8Vector,
  decodeU16Vector,
  parseExtensionBlock,
  pushOnce,
  type TlsExtension,
} from './extensions.js';

/** A parsed ClientHello (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2; DTLS adds `cookie`, RFC 6347 §4.2.1). */
export interface ClientHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  sessionIdLength: number;
  /** DTLS HelloVerifyRequest cookie echo; null for TLS. */
  cookie: Uint8Array | null;
  /** Wire order, GREASE included. */
  cipherSuites: number[];
  compressionMethods: number[];
  /** Wire order, GREASE included. */
  extensions: TlsExtension[];
  /** First host_name of server_name (ext 0); null if absent, empty or malformed (check `extensions` for presence). */
  serverName: string | null;
  /** Raw ALPN protocol names (ext 16), wire order. */
  alpn: Uint8Array[];
  /** supported_versions (ext 43), wire order, GREASE included. */
  supportedVersions: number[];
  /** supported_groups (ext 10), wire order, GREASE included. */
  supportedGroups: number[];
  /** ec_point_formats (ext 11). */
  ecPointFormats: number[];
  /** signature_algorithms (ext 13 only), wire order, GREASE included. */
  signatureAlgorithms: number[];
  /** Groups of the key_share entries (ext 51), wire order. */
  keyShareGroups: number[];
  /** psk_key_exchange_modes (ext 45). */
  pskKeyExchangeModes: number[];
  /** session_ticket (ext 35) present; `sessionTicketLength` > 0 means a ticket is being offered. */
  hasSessionTicket: boolean;
  sessionTicketLength: number;
  /** pre_shared_key (ext 41). */
  hasPreSharedKey: boolean;
  /** early_data (ext 42). */
  hasEarlyData: boolean;
  /** encrypted_client_hello (ext 0xfe0d). */
  hasEncryptedClientHello: boolean;
  /** Stable codes for what was malformed but tolerated. */
  anomalies: string[];
}

/** Result of parsing one hello message body: the hello, or a stable error code. */
export type HelloParseResult<T> = { ok: true; hello: T } | { ok: false; error: string };

/** Options for {@link parseClientHello}. */
export interface ClientHelloParseOptions {
  /** Body is a DTLS ClientHello (a cookie vector follows the session id). */
  dtls?: boolean;
}

/**
 * Parses a ClientHello handshake message body (after the 4-byte handshake header). The fixed fields must
 * be present and consistent or the result is an error ('truncated_client_hello',
 * 'bad_cipher_suites_length'); faults inside the extensions are tolerated and listed in `anomalies`.
 * SSL 3.0 / TLS 1.0 hellos without an extensions block are valid. Never throws.
 */
export function parseClientHello(
  body: Uint8Array,
  options?: ClientHelloParseOptions,
): HelloParseResult<ClientHello> {
  const r = new ByteReader(body);
  const anomalies: string[] = [];
  const legacyVersion = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const sessionId = r.vec8();
  if (random === undefined || sessionId === undefined) return { ok: false, error: 'truncated_client_hello' };
  if (sessionId.length > MAX_SESSION_ID_LENGTH) anomalies.push('session_id_too_long');
  let cookie: Uint8Array | null = null;
  if (options?.dtls === true) {
    const c = r.vec8();
    if (c === undefined) return { ok: false, error: 'truncated_client_hello' };
    cookie = c;
  }
  const suites = r.vec16();
  if (suites === undefined) return { ok: false, error: 'truncated_client_hello' };
  if ((suites.length & 1) !== 0) return { ok: false, error: 'bad_cipher_suites_length' };
  const cipherSuites = new Array<number>(suites.length >> 1);
  for (let i = 0, p = 0; i < cipherSuites.length; i++, p += 2)
    cipherSuites[i] = (suites[p]! << 8) | suites[p + 1]!;
  const compression = r.vec8();
  if (compression === undefined) return { ok: false, error: 'truncated_client_hello' };
  if (compression.length === 0) anomalies.push('empty_compression_methods');
  const extensions = parseExtensionBlock(r, anomalies);

  const hello: ClientHello = {
    legacyVersion,
    random,
    sessionId,
    sessionIdLength: sessionId.length,
    cookie,
    cipherSuites,
    compressionMethods: byteList(compression, 0, compression.length),
    extensions,
    serverName: null,
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    pskKeyExchangeModes: [],
    hasSessionTicket: false,
    sessionTicketLength: 0,
    hasPreSharedKey: false,
    hasEarlyData: false,
    hasEncryptedClientHello: false,
    anomalies,
  };
  decodeClientExtensions(hello);
  return { ok: true, hello };
}

/** Fills the decoded fields of `hello` from the first occurrence of each extension. */
function decodeClientExtensions(hello: ClientHello): void {
  let done = 0; // bit i set = decoder i already ran (first occurrence wins)
  const exts = hello.extensions;
  for (let i = 0; i < exts.length; i++) {
    const { type, data } = exts[i]!;
    switch (type) {
      case ExtensionType.SERVER_NAME: {
        if (done & 1) break;
        done |= 1;
        const name = decodeServerNameList(data);
        if (name === undefined) pushOnce(hello.anomalies, 'bad_server_name');
        else hello.serverName = name;
        break;
      }
      case ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION: {
        if (done & 2) break;
        done |= 2;
        const alpn = decodeAlpnList(data);
        if (alpn === undefined) pushOnce(hello.anomalies, 'bad_alpn');
        else hello.alpn = alpn;
        break;
      }
      case ExtensionType.SUPPORTED_VERSIONS: {
        if (done & 4) break;
        done |= 4;
        const v = decodeU16Vector(data, 1);
        if (v === undefined) pushOnce(hello.anomalies, 'bad_supported_versions');
        else hello.supportedVersions = v;
        break;
      }
      case ExtensionType.SUPPORTED_GROUPS: {
        if (done & 8) break;
        done |= 8;
        const v = decodeU16Vector(data, 2);
        if (v === undefined) pushOnce(hello.anomalies, 'bad_supported_groups');
        else hello.supportedGroups = v;
        break;
      }
      case ExtensionType.EC_POINT_FORMATS: {
        if (done & 16) break;
        done |= 16;
        const v = decodeU8Vector(data);
        if (v === undefined) pushOnce(hello.anomalies, 'bad_ec_point_formats');
        else hello.ecPointFormats = v;
        break;
      }
      case ExtensionType.SIGNATURE_ALGORITHMS: {
        if (done & 32) break;
        done |= 32;
        const v = decodeU16Vector(data, 2);
        if (v === undefined) pushOnce(hello.anomalies, 'bad_signature_algorithms');
        else hello.signatureAlgorithms = v;
        break;
      }
      case ExtensionType.KEY_SHARE: {
        if (done & 64) break;
        done |= 64;
        const v = decodeClientKeyShareGroups(data);
        if (v === undefined) pushOnce(hello.anomalies, 'bad_key_share');
        else hello.keyShareGroups = v;
        break;
      }
      case ExtensionType.PSK_KEY_EXCHANGE_MODES: {
        if (done & 128) break;
        done |= 128;
        const v = decodeU8Vector(data);
        if (v === undefined) pushOnce(hello.anomalies, 'bad_psk_key_exchange_modes');
        else hello.pskKeyExchangeModes = v;
        break;
      }
      case ExtensionType.SESSION_TICKET:
        if (!hello.hasSessionTicket) {
          hello.hasSessionTicket = true;
          hello.sessionTicketLength = data.length;
        }
        break;
      case ExtensionType.PRE_SHARED_KEY:
        hello.hasPreSharedKey = true;
        break;
      case ExtensionType.EARLY_DATA:
        hello.hasEarlyData = true;
        break;
      case ExtensionType.ENCRYPTED_CLIENT_HELLO:
        hello.hasEncryptedClientHello = true;
        break;
      default:
        break;
    }
  }
}
