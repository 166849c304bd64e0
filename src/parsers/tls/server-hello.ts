import { ByteReader } from '../../util/reader.js';
import type { HelloParseResult } from './client-hello.js';
import {
  ExtensionType,
  HELLO_RETRY_REQUEST_RANDOM,
  MAX_SESSION_ID_LENGTH,
  ProtocolVersion,
  RANDOM_LENGTH,
} from './constants.js';
import { decodeAlpnList, parseExtensionBlock, pushOnce, type TlsExtension } from './extensions.js';

/** A parsed ServerHello or HelloRetryRequest (RFC 8446 §4.1.3; RFC 5246 §7.4.1.3). */
export interface ServerHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  sessionIdLength: number;
  cipherSuite: number;
  compressionMethod: number;
  /** Wire order. */
  extensions: TlsExtension[];
  /** supported_versions (ext 43) selected_version, or null if absent/malformed. */
  selectedVersion: number | null;
  /** The single ALPN protocol the server chose (ext 16), raw, or null. */
  alpn: Uint8Array | null;
  /** key_share (ext 51) group: the server's share, or the group an HRR asks for; null if absent. */
  keyShareGroup: number | null;
  /** `random` equals the RFC 8446 HelloRetryRequest value. */
  isHelloRetryRequest: boolean;
  /** Stable codes for what was malformed but tolerated. */
  anomalies: string[];
}

/**
 * Parses a ServerHello handshake message body (after the 4-byte handshake header). Fixed fields must be
 * present ('truncated_server_hello' otherwise); extension faults are tolerated and listed in
 * `anomalies`. Servers speaking a TLS 1.3 draft before draft-22 use that draft's shorter layout (their
 * version field is the negotiated version; sessionId is then empty). Never throws.
 */
export function parseServerHello(body: Uint8Array): HelloParseResult<ServerHello> {
  const version = body.length >= 2 ? (body[0]! << 8) | body[1]! : 0;
  const result = parseServerHelloLayout(body, isPreCompatibilityDraft(version));
  // Early TLS 1.3 drafts put 0x0304 itself in the version field with the draft layout; RFC 8446 servers
  // send 0x0303, so the draft layout is only tried when the RFC layout does not fit.
  if (!result.ok && version === ProtocolVersion.TLS_1_3) return parseServerHelloLayout(body, true);
  return result;
}

function parseServerHelloLayout(body: Uint8Array, draftLayout: boolean): HelloParseResult<ServerHello> {
  const r = new ByteReader(body);
  const anomalies: string[] = [];
  const legacyVersion = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const sessionId = draftLayout ? EMPTY : r.vec8();
  const cipherSuite = r.u16();
  const compressionMethod = draftLayout ? 0 : r.u8();
  if (random === undefined || sessionId === undefined || r.overrun) {
    return { ok: false, error: 'truncated_server_hello' };
  }
  if (sessionId.length > MAX_SESSION_ID_LENGTH) anomalies.push('session_id_too_long');
  const extensions = parseExtensionBlock(r, anomalies);
  const hello: ServerHello = {
    legacyVersion,
    random,
    sessionId,
    sessionIdLength: sessionId.length,
    cipherSuite,
    compressionMethod,
    extensions,
    selectedVersion: null,
    alpn: null,
    keyShareGroup: null,
    isHelloRetryRequest: isHelloRetryRequestRandom(random),
    anomalies,
  };
  decodeServerExtensions(hello);
  return { ok: true, hello };
}

const EMPTY = new Uint8Array(0);

/** First TLS 1.3 draft whose ServerHello has legacy_session_id_echo and compression (draft-22). */
const FIRST_COMPATIBILITY_DRAFT = 22;

/**
 * True for TLS 1.3 draft versions 0x7f00 + n with n < 22: their ServerHello is
 * `version, random, cipher_suite, extensions` (no session id, no compression method), e.g.
 * draft-ietf-tls-tls13-18 §4.1.3.
 */
export function isPreCompatibilityDraft(version: number): boolean {
  return (version & 0xff00) === 0x7f00 && (version & 0xff) < FIRST_COMPATIBILITY_DRAFT;
}

/** True if `random` is the HelloRetryRequest magic value. */
export function isHelloRetryRequestRandom(random: Uint8Array): boolean {
  if (random.length !== HELLO_RETRY_REQUEST_RANDOM.length) return false;
  for (let i = 0; i < random.length; i++) if (random[i] !== HELLO_RETRY_REQUEST_RANDOM[i]) return false;
  return true;
}

/** Fills the decoded fields of `hello` from the first occurrence of each extension. */
function decodeServerExtensions(hello: ServerHello): void {
  let done = 0;
  const exts = hello.extensions;
  for (let i = 0; i < exts.length; i++) {
    const { type, data } = exts[i]!;
    switch (type) {
      case ExtensionType.SUPPORTED_VERSIONS:
        if (done & 1) break;
        done |= 1;
        if (data.length === 2) hello.selectedVersion = (data[0]! << 8) | data[1]!;
        else pushOnce(hello.anomalies, 'bad_supported_versions');
        break;
      case ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION: {
        if (done & 2) break;
        done |= 2;
        const list = decodeAlpnList(data);
        if (list === undefined || list.length !== 1) pushOnce(hello.anomalies, 'bad_alpn');
        if (list !== undefined && list.length > 0) hello.alpn = list[0]!;
        break;
      }
      case ExtensionType.KEY_SHARE:
        if (done & 4) break;
        done |= 4;
        // ServerHello: KeyShareEntry (group, key_exchange<1..2^16-1>); HelloRetryRequest: NamedGroup only.
        if (data.length >= 2) hello.keyShareGroup = (data[0]! << 8) | data[1]!;
        else pushOnce(hello.anomalies, 'bad_key_share');
        break;
      default:
        break;
    }
  }
}
