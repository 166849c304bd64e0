import { type ClientHello, parseClientHello } from '../tls/client-hello.js';
import { HandshakeType } from '../tls/constants.js';
import { pushOnce } from '../tls/extensions.js';
import { parseServerHello, type ServerHello } from '../tls/server-hello.js';
import {
  type DtlsHandshakeMessage,
  DtlsHandshakeReassembler,
  HANDSHAKE_FRAGMENT_HEADER_LENGTH,
  readFragmentHeader,
} from './handshake.js';
import { HELLO_VERIFY_REQUEST, parseHelloVerifyRequest } from './hello-verify-request.js';
import { MAX_DTLS_DATAGRAMS, MAX_DTLS_HELLOS, MAX_DTLS_RECORD_LENGTH } from './limits.js';
import {
  DTLS_RECORD_HEADER_LENGTH,
  DtlsContentType,
  isDtlsContentType,
  isDtlsRecordVersion,
  parseDtlsRecordHeader,
  UNIFIED_HEADER_BITS,
  UNIFIED_HEADER_MASK,
  unifiedRecordLength,
} from './record.js';

/** What {@link parseDtlsDatagrams} found in the first datagrams of one direction of a UDP flow. */
export interface DtlsResult {
  /**
   * Every distinct ClientHello (one per message_seq; retransmissions are not repeated), in the order
   * they completed. After a HelloVerifyRequest the client sends a second ClientHello (next message_seq)
   * echoing the cookie in `cookie`: both are reported and the last one is the final one. RFC 6347
   * §4.2.1 requires identical parameters apart from the cookie, so their JA3/JA4 agree; the echoed
   * cookie may be empty (OpenSSL's pre-RFC DTLS in wireshark-dtls0.pcap sends an empty one), so
   * position, not `cookie.length`, identifies the final hello. A DTLS 1.3 HelloRetryRequest likewise
   * yields a second ClientHello (its cookie travels in an extension).
   */
  clientHellos: ClientHello[];
  serverHellos: ServerHello[];
  /**
   * For each entry of `clientHellos` / `serverHellos`: how many datagrams were needed to complete it
   * (1-based index of the datagram holding its last missing fragment). A caller that parses a growing
   * list of datagrams has already reported a hello iff its end ≤ the previous list length.
   */
  clientHelloEnds: number[];
  serverHelloEnds: number[];
  /** A well-formed HelloVerifyRequest was seen (server direction). */
  helloVerifyRequest: boolean;
  /** Stable short codes, each listed once, in the order first seen. */
  anomalies: string[];
  /** At least one DTLSPlaintext record with a DTLS version fitted in its datagram. */
  isDtls: boolean;
  /**
   * Records skipped as encrypted: epoch > 0, tls12_cid (RFC 9146), and RFC 9147 unified-header
   * (DTLSCiphertext) records. Records that cannot be framed (connection ID of unknown length, no length
   * field) count once and end their datagram.
   */
  encryptedRecords: number;
  /** Handshake fragments of already-delivered hellos (retransmissions), ignored. */
  retransmittedFragments: number;
}

/** Handshake messages worth reassembling. */
function isHelloType(t: number): boolean {
  return t === HandshakeType.CLIENT_HELLO || t === HandshakeType.SERVER_HELLO || t === HELLO_VERIFY_REQUEST;
}

/**
 * Parses the first datagrams of one direction of a UDP flow, in arrival order, as DTLS 1.0/1.2
 * (RFC 4347, RFC 6347) or DTLS 1.3 (RFC 9147) and returns the hellos it finds. Pure; never throws.
 *
 * Each datagram holds one or more records (RFC 6347 §4.1.1: records never span datagrams). Plaintext
 * (epoch 0) Handshake records feed a reassembler that accepts fragments in any order and ignores
 * retransmissions; ClientHello, ServerHello and HelloVerifyRequest are parsed. Epoch > 0, tls12_cid
 * and unified-header records are encrypted: skipped and counted. A datagram that does not start like
 * DTLS (RFC 7983 demultiplexing puts STUN, ZRTP, RTP/RTCP on the same 5-tuple) is skipped.
 *
 * Anomalies ('…'* ends the datagram, '…'** ends the call): 'non_dtls_datagram'*, 'not_dtls' (nothing
 * was DTLS), 'unknown_content_type'*, 'bad_record_version'*, 'record_too_long'*, 'truncated_record'*,
 * 'empty_handshake_record', 'truncated_handshake_fragment', 'bad_fragment_bounds', 'inconsistent_fragment',
 * 'message_seq_too_high', 'handshake_too_long', 'too_many_pending_messages', 'too_many_fragments',
 * 'incomplete_hello' (fragments still missing at the end), 'bad_hello_verify_request',
 * 'too_many_hellos'**, 'too_many_datagrams', hello errors ('truncated_client_hello',
 * 'bad_cipher_suites_length', 'truncated_server_hello') and the hello anomalies of parseClientHello /
 * parseServerHello.
 */
export function parseDtlsDatagrams(datagrams: readonly Uint8Array[]): DtlsResult {
  const result: DtlsResult = {
    clientHellos: [],
    serverHellos: [],
    clientHelloEnds: [],
    serverHelloEnds: [],
    helloVerifyRequest: false,
    anomalies: [],
    isDtls: false,
    encryptedRecords: 0,
    retransmittedFragments: 0,
  };
  const reassembler = new DtlsHandshakeReassembler(isHelloType);
  let count = datagrams.length;
  if (count > MAX_DTLS_DATAGRAMS) {
    pushOnce(result.anomalies, 'too_many_datagrams');
    count = MAX_DTLS_DATAGRAMS;
  }
  for (let i = 0; i < count; i++) {
    if (!parseDatagram(datagrams[i]!, i + 1, reassembler, result)) break;
  }
  result.retransmittedFragments = reassembler.retransmittedFragments;
  if (reassembler.incomplete > 0) pushOnce(result.anomalies, 'incomplete_hello');
  if (!result.isDtls && count > 0) pushOnce(result.anomalies, 'not_dtls');
  return result;
}

/** Walks the records of one datagram; returns false if the whole call must stop. */
function parseDatagram(
  dg: Uint8Array,
  index: number,
  reassembler: DtlsHandshakeReassembler,
  result: DtlsResult,
): boolean {
  const anomalies = result.anomalies;
  let off = 0;
  let first = true;
  while (off < dg.length) {
    const type = dg[off]!;
    if ((type & UNIFIED_HEADER_MASK) === UNIFIED_HEADER_BITS) {
      result.encryptedRecords++;
      const length = unifiedRecordLength(dg, off);
      if (length === undefined) pushOnce(anomalies, 'truncated_record');
      if (typeof length !== 'number') return true;
      off += length;
      first = false;
      continue;
    }
    if (!isDtlsContentType(type)) {
      pushOnce(anomalies, first ? 'non_dtls_datagram' : 'unknown_content_type');
      return true;
    }
    const h = parseDtlsRecordHeader(dg, off);
    if (h === undefined) {
      pushOnce(anomalies, first ? 'non_dtls_datagram' : 'truncated_record');
      return true;
    }
    if (!isDtlsRecordVersion(h.version)) {
      pushOnce(anomalies, first ? 'non_dtls_datagram' : 'bad_record_version');
      return true;
    }
    if (type === DtlsContentType.TLS12_CID) {
      // The connection ID sits before the length field and its size was negotiated: cannot frame.
      result.encryptedRecords++;
      return true;
    }
    if (h.length > MAX_DTLS_RECORD_LENGTH) {
      pushOnce(anomalies, 'record_too_long');
      return true;
    }
    const start = off + DTLS_RECORD_HEADER_LENGTH;
    const end = start + h.length;
    if (end > dg.length) {
      pushOnce(anomalies, 'truncated_record');
      return true;
    }
    result.isDtls = true;
    if (h.epoch !== 0) {
      result.encryptedRecords++;
    } else if (type === DtlsContentType.HANDSHAKE) {
      if (h.length === 0) pushOnce(anomalies, 'empty_handshake_record');
      if (!parseHandshakeRecord(dg.subarray(start, end), index, reassembler, result)) return false;
    }
    // ChangeCipherSpec, Alert, Heartbeat, ACK and plaintext ApplicationData carry no hello.
    off = end;
    first = false;
  }
  return true;
}

/** Feeds every handshake fragment of one epoch-0 record; returns false if the whole call must stop. */
function parseHandshakeRecord(
  fragment: Uint8Array,
  index: number,
  reassembler: DtlsHandshakeReassembler,
  result: DtlsResult,
): boolean {
  let p = 0;
  while (p < fragment.length) {
    const h = readFragmentHeader(fragment, p);
    const bodyStart = p + HANDSHAKE_FRAGMENT_HEADER_LENGTH;
    if (h === undefined || bodyStart + h.fragmentLength > fragment.length) {
      pushOnce(result.anomalies, 'truncated_handshake_fragment');
      return true;
    }
    const body = fragment.subarray(bodyStart, bodyStart + h.fragmentLength);
    const msg = reassembler.add(h, body, result.anomalies);
    if (msg !== undefined && !onMessage(msg, index, result)) return false;
    p = bodyStart + h.fragmentLength;
  }
  return true;
}

/** Parses one complete hello message into `result`; returns false once the hello cap is reached. */
function onMessage(msg: DtlsHandshakeMessage, index: number, result: DtlsResult): boolean {
  if (msg.msgType === HELLO_VERIFY_REQUEST) {
    const hvr = parseHelloVerifyRequest(msg.body);
    if (hvr.ok) result.helloVerifyRequest = true;
    else pushOnce(result.anomalies, hvr.error);
    return true;
  }
  if (result.clientHellos.length + result.serverHellos.length >= MAX_DTLS_HELLOS) {
    pushOnce(result.anomalies, 'too_many_hellos');
    return false;
  }
  if (msg.msgType === HandshakeType.CLIENT_HELLO) {
    const parsed = parseClientHello(msg.body, { dtls: true });
    if (!parsed.ok) {
      pushOnce(result.anomalies, parsed.error);
      return true;
    }
    result.clientHellos.push(parsed.hello);
    result.clientHelloEnds.push(index);
    for (const a of parsed.hello.anomalies) pushOnce(result.anomalies, a);
  } else {
    const parsed = parseServerHello(msg.body);
    if (!parsed.ok) {
      pushOnce(result.anomalies, parsed.error);
      return true;
    }
    result.serverHellos.push(parsed.hello);
    result.serverHelloEnds.push(index);
    for (const a of parsed.hello.anomalies) pushOnce(result.anomalies, a);
  }
  return true;
}
