import { parseCertificateList } from './certificate.js';
import { type ClientHello, parseClientHello } from './client-hello.js';
import { ContentType, HandshakeType, ProtocolVersion } from './constants.js';
import { pushOnce } from './extensions.js';
import { HANDSHAKE_HEADER_LENGTH, HandshakeReassembler } from './handshake.js';
import {
  MAX_CERTIFICATE_MESSAGES_PER_STREAM,
  MAX_HELLOS_PER_STREAM,
  MAX_TLS_RECORD_LENGTH,
} from './limits.js';
import { isKnownContentType, looksLikeRecordStart, RECORD_HEADER_LENGTH } from './record.js';
import { parseServerHello, type ServerHello } from './server-hello.js';
import { detectSslv2ClientHello } from './sslv2.js';

/** What {@link parseTlsStream} found in the first bytes of one direction of a TCP stream. */
export interface TlsStreamResult {
  /**
   * `end` = offset in `data` just past the hello message's last byte. This is the shortest prefix of the
   * stream that yields this hello (a truncated record's present bytes are used), so a caller that parses
   * growing prefixes has already reported a hello iff `end <= previousLength`. When the message ends its
   * record (the usual case) this is also the end of that record.
   */
  clientHellos: Array<{ hello: ClientHello; end: number }>;
  serverHellos: Array<{ hello: ServerHello; end: number }>;
  /**
   * Present iff `options.certificates` was set: one entry per plaintext TLS 1.0–1.2 Certificate message
   * (server's, or client's in mutual TLS), each with its DER chain in wire order, `end` as for hellos.
   * TLS 1.3 certificates are encrypted and never appear (a plaintext Certificate after a ServerHello
   * that selected TLS 1.3 is ignored).
   */
  certificates?: Array<{ chain: Uint8Array[]; end: number }>;
  /** An SSLv2-format ClientHello was seen (reported; it has no JA3/JA4). */
  sslv2ClientHello: boolean;
  /** Stable short codes, each listed once, in the order first seen. */
  anomalies: string[];
  /** The first bytes look like a TLS Handshake record (or an SSLv2 ClientHello). */
  isTls: boolean;
}

/** What {@link parseTlsStream} collects besides hellos. */
export interface TlsStreamOptions {
  /** Also collect Certificate messages into `certificates` (and report their anomalies). */
  certificates?: boolean;
}

/** A {@link TlsStreamResult} with `certificates` collected. */
export type TlsStreamResultWithCertificates = TlsStreamResult & {
  certificates: Array<{ chain: Uint8Array[]; end: number }>;
};

/**
 * Parses the first bytes of one direction of a TCP stream (reassembled, starting at stream offset 0).
 * Never throws.
 *
 * Walks TLS records from offset 0: Handshake records feed a reassembler and every ClientHello /
 * ServerHello is parsed; Alert and Heartbeat records are skipped; ApplicationData means the rest is
 * encrypted (stop). After ChangeCipherSpec the following Handshake records are encrypted too, except a
 * record holding exactly one plaintext ClientHello/ServerHello, which RFC 8446 Appendix D.4 (middlebox
 * compatibility) allows after a HelloRetryRequest. Data that ends inside a record or message is
 * incomplete, not an anomaly; the present part of a truncated record is still used.
 *
 * Anomalies (parsing stops after those marked *): 'not_tls', 'no_handshake' (a TLS record of another
 * type comes first), 'bad_record_version'*, 'record_too_long'*, 'unknown_content_type'*,
 * 'handshake_too_long'*, 'too_many_hellos'*, 'empty_handshake_record', hello errors
 * ('truncated_client_hello', 'bad_cipher_suites_length', 'truncated_server_hello') and the hello
 * anomalies of {@link parseClientHello} / {@link parseServerHello}. With `options.certificates`
 * also 'too_many_certificate_messages', 'tls13_plaintext_certificate' and those of
 * {@link parseCertificateList} ('bad_certificate_list', 'empty_certificate', 'too_many_certificates');
 * none of these stops parsing.
 */
export function parseTlsStream(
  data: Uint8Array,
  options: TlsStreamOptions & { certificates: true },
): TlsStreamResultWithCertificates;
export function parseTlsStream(data: Uint8Array, options?: TlsStreamOptions): TlsStreamResult;
export function parseTlsStream(data: Uint8Array, options: TlsStreamOptions = {}): TlsStreamResult {
  const result: TlsStreamResult = {
    clientHellos: [],
    serverHellos: [],
    sslv2ClientHello: false,
    anomalies: [],
    isTls: false,
  };
  if (options.certificates === true) result.certificates = [];
  const n = data.length;
  if (n === 0) return result;

  if ((data[0]! & 0x80) !== 0) {
    const v2 = detectSslv2ClientHello(data);
    if (v2 === 'sslv2_client_hello') {
      result.isTls = true;
      result.sslv2ClientHello = true;
    } else if (v2 === 'no') {
      result.anomalies.push('not_tls');
    }
    return result;
  }
  if (n < 3) return result; // too short to judge
  if (!looksLikeRecordStart(data, 0)) {
    result.anomalies.push('not_tls');
    return result;
  }
  if (data[0] !== ContentType.HANDSHAKE) {
    result.anomalies.push('no_handshake');
    return result;
  }
  result.isTls = true;

  const reassembler = new HandshakeReassembler();
  let afterChangeCipherSpec = false;
  let off = 0;
  while (off + RECORD_HEADER_LENGTH <= n) {
    const type = data[off]!;
    const length = (data[off + 3]! << 8) | data[off + 4]!;
    if (!isKnownContentType(type)) {
      pushOnce(result.anomalies, 'unknown_content_type');
      break;
    }
    if (data[off + 1] !== 3) {
      pushOnce(result.anomalies, 'bad_record_version');
      break;
    }
    if (length > MAX_TLS_RECORD_LENGTH) {
      pushOnce(result.anomalies, 'record_too_long');
      break;
    }
    const fragmentStart = off + RECORD_HEADER_LENGTH;
    const recordEnd = fragmentStart + length;
    const presentEnd = Math.min(recordEnd, n);
    if (type === ContentType.APPLICATION_DATA) break;
    if (type === ContentType.CHANGE_CIPHER_SPEC) {
      afterChangeCipherSpec = true;
    } else if (type === ContentType.HANDSHAKE) {
      if (length === 0) pushOnce(result.anomalies, 'empty_handshake_record');
      if (afterChangeCipherSpec && !isWholePlaintextHelloRecord(data, fragmentStart, length, reassembler))
        break;
      reassembler.push(data.subarray(fragmentStart, presentEnd), fragmentStart);
      if (!drainMessages(reassembler, result)) break;
    }
    // Alert and Heartbeat records carry no hello: skip them.
    off = recordEnd;
  }
  return result;
}

/**
 * After ChangeCipherSpec: true only if the record is exactly one ClientHello/ServerHello message and no
 * earlier message is pending (an encrypted Finished matches this by chance with probability ~2^-31).
 */
function isWholePlaintextHelloRecord(
  data: Uint8Array,
  fragmentStart: number,
  length: number,
  reassembler: HandshakeReassembler,
): boolean {
  if (reassembler.buffered !== 0 || length < HANDSHAKE_HEADER_LENGTH) return false;
  if (fragmentStart + HANDSHAKE_HEADER_LENGTH > data.length) return false;
  const msgType = data[fragmentStart]!;
  if (msgType !== HandshakeType.CLIENT_HELLO && msgType !== HandshakeType.SERVER_HELLO) return false;
  const msgLength =
    (data[fragmentStart + 1]! << 16) | (data[fragmentStart + 2]! << 8) | data[fragmentStart + 3]!;
  return msgLength + HANDSHAKE_HEADER_LENGTH === length;
}

/** Parses every complete message in `reassembler`; returns false if parsing of the stream must stop. */
function drainMessages(reassembler: HandshakeReassembler, result: TlsStreamResult): boolean {
  for (;;) {
    const msg = reassembler.next();
    if (msg === undefined) {
      if (reassembler.error !== null) {
        pushOnce(result.anomalies, reassembler.error);
        return false;
      }
      return true;
    }
    if (msg.type === HandshakeType.CERTIFICATE) {
      if (result.certificates !== undefined) collectCertificates(msg.body, msg.end, result);
      continue;
    }
    if (msg.type !== HandshakeType.CLIENT_HELLO && msg.type !== HandshakeType.SERVER_HELLO) continue;
    if (result.clientHellos.length + result.serverHellos.length >= MAX_HELLOS_PER_STREAM) {
      pushOnce(result.anomalies, 'too_many_hellos');
      return false;
    }
    if (msg.type === HandshakeType.CLIENT_HELLO) {
      const parsed = parseClientHello(msg.body);
      if (parsed.ok) {
        result.clientHellos.push({ hello: parsed.hello, end: msg.end });
        for (const a of parsed.hello.anomalies) pushOnce(result.anomalies, a);
      } else {
        pushOnce(result.anomalies, parsed.error);
      }
    } else {
      const parsed = parseServerHello(msg.body);
      if (parsed.ok) {
        result.serverHellos.push({ hello: parsed.hello, end: msg.end });
        for (const a of parsed.hello.anomalies) pushOnce(result.anomalies, a);
      } else {
        pushOnce(result.anomalies, parsed.error);
      }
    }
  }
}

/** Adds one Certificate message's chain to `result.certificates` (which must be present). */
function collectCertificates(body: Uint8Array, end: number, result: TlsStreamResult): void {
  const certificates = result.certificates!;
  // After a ServerHello selecting TLS 1.3 the Certificate is encrypted and has another layout.
  if (result.serverHellos.some((s) => s.hello.selectedVersion === ProtocolVersion.TLS_1_3)) {
    pushOnce(result.anomalies, 'tls13_plaintext_certificate');
    return;
  }
  if (certificates.length >= MAX_CERTIFICATE_MESSAGES_PER_STREAM) {
    pushOnce(result.anomalies, 'too_many_certificate_messages');
    return;
  }
  const list = parseCertificateList(body);
  for (const a of list.anomalies) pushOnce(result.anomalies, a);
  certificates.push({ chain: list.chain, end });
}
