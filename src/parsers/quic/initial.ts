/**
 * The TLS hellos carried by QUIC Initial packets (RFC 9000 §17.2.2, RFC 9001 §4 and §5; RFC 9369 for
 * QUIC v2), read passively from the first UDP datagrams of each direction of a flow.
 *
 * Connection-ID rules this follows (RFC 9001 §5.2, RFC 9000 §7.2 and §17.2.5):
 * - Both sides' Initial keys derive from the Destination Connection ID of the client's first Initial.
 *   Later client Initials may carry the server's SCID as DCID and still use those keys.
 * - After a Retry, both sides derive Initial keys from the DCID the client then uses (the Retry's SCID).
 *   The client side tries a packet's own DCID when the original keys fail; the server side tries
 *   `clientDcid` and the SCID of every Retry among its datagrams. When the Retry itself is not among the
 *   server datagrams handed over, pass the client's post-Retry DCID (`retryDcid`) as `clientDcid`.
 * - A server may switch to another known version (compatible negotiation, RFC 9368); keys then use that
 *   version's salt and labels with the same connection ID.
 * Not handled: QUIC drafts and Google QUIC (no keys; reported as 'unknown_version'), a second ClientHello
 * after a HelloRetryRequest (only the first hello is returned), Initial packets beyond the datagrams given.
 */
import { type ClientHello, parseClientHello } from '../tls/client-hello.js';
import { pushOnce } from '../tls/extensions.js';
import { HANDSHAKE_HEADER_LENGTH } from '../tls/handshake.js';
import { MAX_HANDSHAKE_MESSAGE_LENGTH } from '../tls/limits.js';
import { parseServerHello, type ServerHello } from '../tls/server-hello.js';
import { OffsetAssembler } from './assembler.js';
import { parseInitialFrames } from './frames.js';
import { deriveInitialKeys, type InitialKeys } from './initial-secrets.js';
import {
  MAX_CRYPTO_STREAM_BYTES,
  MAX_DATAGRAMS_PER_DIRECTION,
  MAX_DECRYPTION_ATTEMPTS,
  MAX_KEY_SETS,
  MAX_PACKETS_PER_DATAGRAM,
} from './limits.js';
import {
  FIXED_BIT,
  HEADER_FORM_LONG,
  LONG_RESERVED_BITS,
  type LongHeader,
  MAX_CONNECTION_ID_LENGTH,
  MIN_INITIAL_DATAGRAM_SIZE,
  openPacket,
  parseLongHeader,
} from './packet.js';
import { isKnownQuicVersion, quicVersionParams } from './versions.js';

/** TLS HandshakeType values carried in Initial CRYPTO data (RFC 8446 §4). */
const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;

/** What the client's first datagrams of a QUIC flow held. */
export interface QuicClientResult {
  /** Version of the client's first Initial (or, with none, of its first long header); null if none. */
  version: number | null;
  /** Destination Connection ID of the client's first Initial: the one the Initial keys derive from. */
  dcid: Uint8Array | null;
  /** Source Connection ID of the client's first Initial. */
  scid: Uint8Array | null;
  /** DCID of a later client Initial protected with keys of its own DCID (the client's answer to a Retry). */
  retryDcid: Uint8Array | null;
  /** Token length of the first Initial: > 0 when answering a Retry or offering a NEW_TOKEN token. */
  tokenLength: number;
  /** The first ClientHello, once its CRYPTO bytes are all present. */
  clientHello: ClientHello | null;
  /** Initial packets decrypted. */
  packets: number;
  /**
   * QUIC packets seen and not meant to be decrypted: 0-RTT, Handshake, Retry, Version Negotiation,
   * unknown versions, short header. Initials that fail to decrypt count in neither field.
   */
  skippedPackets: number;
  /** Stable codes for what was malformed, missing or unusual (see {@link QUIC_ANOMALIES}). */
  anomalies: string[];
}

/** What the server's first datagrams of a QUIC flow held. */
export interface QuicServerResult {
  /** The ServerHello (or HelloRetryRequest) carried in the server's Initial CRYPTO data. */
  serverHello: ServerHello | null;
  /** Version of the server's first Initial; null if none was decrypted. */
  version: number | null;
  /** A Retry packet was among the datagrams. */
  retry: boolean;
  /** Initial packets decrypted. */
  packets: number;
  /** QUIC packets seen and not decrypted. */
  skippedPackets: number;
  /** Stable codes for what was malformed, missing or unusual (see {@link QUIC_ANOMALIES}). */
  anomalies: string[];
}

/** Every anomaly code the QUIC Initial parsers report, besides the ClientHello/ServerHello parse errors. */
export const QUIC_ANOMALIES: readonly string[] = [
  'not_quic', // no long-header packet at all, or a datagram that starts with neither header form
  'unknown_version', // a long header of a version whose Initial keys are unknown (drafts, gQUIC, greased)
  'version_negotiation', // a Version Negotiation packet
  'unexpected_retry', // a Retry from the client, or one not of the client's version
  'truncated_packet', // a header field or the Length runs past the datagram
  'bad_connection_id_length', // a v1/v2 connection ID over 20 bytes
  'packet_too_short', // too short to hold a header-protection sample
  'decryption_failed', // no key set authenticated the packet
  'reserved_bits_set', // Reserved Bits not 0 after header-protection removal
  'fixed_bit_clear', // the Fixed Bit is 0 (grease_quic_bit, RFC 9287, or not QUIC)
  'trailing_data', // bytes after the last packet of a datagram that are neither padding nor a packet
  'initial_datagram_too_small', // an Initial in a datagram under 1200 bytes (RFC 9000 §14.1)
  'too_many_datagrams',
  'too_many_packets',
  'too_many_decryptions',
  'too_many_key_sets',
  'empty_packet',
  'bad_frame',
  'unexpected_frame',
  'connection_close',
  'crypto_truncated', // CRYPTO data beyond MAX_CRYPTO_STREAM_BYTES or too fragmented
  'crypto_conflict', // overlapping CRYPTO data with different bytes
  'no_initial', // long headers but no Initial could be decrypted
  'incomplete_client_hello',
  'incomplete_server_hello',
  'unexpected_handshake_message', // CRYPTO data does not start with the expected hello
  'handshake_too_long',
];

/**
 * Cheap content check for a UDP payload: a long header (first byte 0b11xxxxxx) of QUIC v1 or v2 whose
 * DCID length fits. Used to route a flow to {@link parseQuicClientInitials}.
 */
export function looksLikeQuicLongHeader(datagram: Uint8Array): boolean {
  if (datagram.length < 7 || (datagram[0]! & 0xc0) !== 0xc0) return false;
  const version = ((datagram[1]! << 24) | (datagram[2]! << 16) | (datagram[3]! << 8) | datagram[4]!) >>> 0;
  const dcidLength = datagram[5]!;
  return (
    isKnownQuicVersion(version) && dcidLength <= MAX_CONNECTION_ID_LENGTH && 6 + dcidLength < datagram.length
  );
}

/**
 * Decrypts the client's Initial packets in `datagrams` (the first UDP payloads the client sent, in
 * order) and parses the ClientHello their CRYPTO frames carry, whatever their order and split. Pure and
 * total: never throws, bounded by the limits in ./limits.ts.
 */
export function parseQuicClientInitials(datagrams: readonly Uint8Array[]): QuicClientResult {
  const result: QuicClientResult = {
    version: null,
    dcid: null,
    scid: null,
    retryDcid: null,
    tokenLength: 0,
    clientHello: null,
    packets: 0,
    skippedPackets: 0,
    anomalies: [],
  };
  const state = new DirectionState(result.anomalies);
  let firstLong: LongHeader | null = null;
  walkPackets(datagrams, state, true, (datagram, h) => {
    if (firstLong === null) firstLong = h;
    if (h.kind === 'retry') {
      pushOnce(state.anomalies, 'unexpected_retry');
      return false;
    }
    if (h.kind !== 'initial') return false;
    if (result.dcid === null) {
      result.version = h.version;
      result.dcid = h.dcid.slice();
      result.scid = h.scid.slice();
      result.tokenLength = h.token.length;
    }
    const candidates = [result.dcid];
    if (!sameBytes(h.dcid, result.dcid)) candidates.push(h.dcid);
    const used = state.open(datagram, h, candidates, 'client');
    if (used !== null && used !== result.dcid && result.retryDcid === null) result.retryDcid = h.dcid.slice();
    return used !== null;
  });
  if (result.dcid === null && firstLong !== null) {
    const h: LongHeader = firstLong;
    result.version = h.version;
    if (h.kind !== 'version_negotiation') {
      result.dcid = h.dcid.slice();
      result.scid = h.scid.slice();
    }
  }
  result.packets = state.packets;
  result.skippedPackets = state.skipped;
  const body = state.finish(HANDSHAKE_CLIENT_HELLO, 'incomplete_client_hello', true);
  if (body !== null) {
    const parsed = parseClientHello(body);
    if (parsed.ok) result.clientHello = parsed.hello;
    else pushOnce(result.anomalies, parsed.error);
  }
  return result;
}

/**
 * Decrypts the server's Initial packets in `datagrams` (the first UDP payloads the server sent) with
 * keys derived from `clientDcid` (the client's original DCID, see the module comment for Retry) and
 * parses the ServerHello. `version` is the client's version: a Retry must carry it; server Initials may
 * use another known version (compatible negotiation). Pure and total: never throws.
 */
export function parseQuicServerInitials(
  datagrams: readonly Uint8Array[],
  clientDcid: Uint8Array,
  version: number,
): QuicServerResult {
  const result: QuicServerResult = {
    serverHello: null,
    version: null,
    retry: false,
    packets: 0,
    skippedPackets: 0,
    anomalies: [],
  };
  const state = new DirectionState(result.anomalies);
  const candidates: Uint8Array[] = [clientDcid];
  walkPackets(datagrams, state, false, (datagram, h) => {
    if (h.kind === 'retry') {
      if (h.version !== version) pushOnce(state.anomalies, 'unexpected_retry');
      else {
        result.retry = true;
        if (!candidates.some((c) => sameBytes(c, h.scid))) candidates.push(h.scid);
      }
      return false;
    }
    if (h.kind !== 'initial') return false;
    const used = state.open(datagram, h, candidates, 'server');
    if (used !== null && result.version === null) result.version = h.version;
    return used !== null;
  });
  result.packets = state.packets;
  result.skippedPackets = state.skipped;
  const body = state.finish(HANDSHAKE_SERVER_HELLO, 'incomplete_server_hello', !result.retry);
  if (body !== null) {
    const parsed = parseServerHello(body);
    if (parsed.ok) result.serverHello = parsed.hello;
    else pushOnce(result.anomalies, parsed.error);
  }
  return result;
}

/** Called for each long-header packet; returns true when it was a decrypted Initial. */
type OnPacket = (datagram: Uint8Array, header: LongHeader) => boolean;

/** Per-direction decryption state: keys, packet-number space, CRYPTO stream and the work counters. */
class DirectionState {
  readonly crypto = new OffsetAssembler(MAX_CRYPTO_STREAM_BYTES);
  packets = 0;
  skipped = 0;
  /** Datagrams examined. */
  datagrams = 0;
  /** Packets with the long-header form bit set (parsed or not). */
  longHeaders = 0;
  private largestPacketNumber = -1;
  private decryptions = 0;
  private readonly keySets = new Map<string, InitialKeys>();

  constructor(readonly anomalies: string[]) {}

  /**
   * Opens Initial packet `h` with the keys of each candidate DCID in turn; on success parses its frames
   * and returns the candidate used, else null (anomaly recorded).
   */
  open(
    datagram: Uint8Array,
    h: LongHeader,
    candidates: readonly Uint8Array[],
    side: 'client' | 'server',
  ): Uint8Array | null {
    for (const dcid of candidates) {
      const keys = this.keys(h.version, dcid);
      if (keys === undefined) continue;
      if (this.decryptions >= MAX_DECRYPTION_ATTEMPTS) {
        pushOnce(this.anomalies, 'too_many_decryptions');
        return null;
      }
      this.decryptions++;
      const opened = openPacket(
        datagram,
        h,
        side === 'client' ? keys.client : keys.server,
        this.largestPacketNumber,
      );
      if (!opened.ok) {
        if (opened.error === 'packet_too_short') {
          pushOnce(this.anomalies, opened.error);
          return null;
        }
        continue;
      }
      const { packet } = opened;
      this.packets++;
      if (packet.packetNumber > this.largestPacketNumber) this.largestPacketNumber = packet.packetNumber;
      if ((packet.reservedBits & LONG_RESERVED_BITS) !== 0) pushOnce(this.anomalies, 'reserved_bits_set');
      const frames = parseInitialFrames(packet.payload, this.crypto, this.anomalies);
      if (side === 'server' && frames.ackEliciting && datagram.length < MIN_INITIAL_DATAGRAM_SIZE) {
        pushOnce(this.anomalies, 'initial_datagram_too_small');
      }
      return dcid;
    }
    pushOnce(this.anomalies, 'decryption_failed');
    return null;
  }

  /**
   * Returns the body of the first handshake message if it is complete and of `type`, else null.
   * `expectInitial` is false when no Initial is due (a server that answered with a Retry).
   */
  finish(type: number, incomplete: string, expectInitial: boolean): Uint8Array | null {
    if (this.datagrams > 0 && this.longHeaders === 0) pushOnce(this.anomalies, 'not_quic');
    else if (this.longHeaders > 0 && this.packets === 0 && expectInitial)
      pushOnce(this.anomalies, 'no_initial');
    if (this.crypto.truncated) pushOnce(this.anomalies, 'crypto_truncated');
    if (this.crypto.conflicting) pushOnce(this.anomalies, 'crypto_conflict');
    if (this.packets === 0) return null;
    const stream = this.crypto.prefix();
    if (stream.length < HANDSHAKE_HEADER_LENGTH) {
      pushOnce(this.anomalies, incomplete);
      return null;
    }
    if (stream[0] !== type) {
      pushOnce(this.anomalies, 'unexpected_handshake_message');
      return null;
    }
    const length = (stream[1]! << 16) | (stream[2]! << 8) | stream[3]!;
    if (length > MAX_HANDSHAKE_MESSAGE_LENGTH || HANDSHAKE_HEADER_LENGTH + length > this.crypto.limit) {
      pushOnce(this.anomalies, 'handshake_too_long');
      return null;
    }
    if (stream.length < HANDSHAKE_HEADER_LENGTH + length) {
      pushOnce(this.anomalies, incomplete);
      return null;
    }
    return stream.slice(HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + length);
  }

  private keys(version: number, dcid: Uint8Array): InitialKeys | undefined {
    const params = quicVersionParams(version);
    if (params === undefined) return undefined;
    const id =
      version.toString(16) + ':' + Buffer.from(dcid.buffer, dcid.byteOffset, dcid.length).toString('hex');
    let keys = this.keySets.get(id);
    if (keys === undefined) {
      if (this.keySets.size >= MAX_KEY_SETS) {
        pushOnce(this.anomalies, 'too_many_key_sets');
        return undefined;
      }
      keys = deriveInitialKeys(params, dcid);
      this.keySets.set(id, keys);
    }
    return keys;
  }
}

/**
 * Walks the packets of each datagram (coalesced packets, RFC 9000 §12.2), handing long headers to
 * `onPacket` and counting the rest. A datagram holding a client Initial must be 1200 bytes or more.
 */
function walkPackets(
  datagrams: readonly Uint8Array[],
  state: DirectionState,
  isClient: boolean,
  onPacket: OnPacket,
): void {
  if (datagrams.length > MAX_DATAGRAMS_PER_DIRECTION) pushOnce(state.anomalies, 'too_many_datagrams');
  const count = Math.min(datagrams.length, MAX_DATAGRAMS_PER_DIRECTION);
  for (let i = 0; i < count; i++) {
    const datagram = datagrams[i]!;
    state.datagrams++;
    let pos = 0;
    let initials = 0;
    for (let n = 0; pos < datagram.length; n++) {
      if (n >= MAX_PACKETS_PER_DATAGRAM) {
        pushOnce(state.anomalies, 'too_many_packets');
        break;
      }
      const first = datagram[pos]!;
      if ((first & HEADER_FORM_LONG) === 0) {
        // A short-header (1-RTT) packet runs to the end of the datagram; zeros after coalesced packets
        // are padding some stacks append; anything else is not QUIC.
        if ((first & FIXED_BIT) !== 0) state.skipped++;
        else if (n === 0) pushOnce(state.anomalies, 'not_quic');
        else if (!isAllZero(datagram, pos)) pushOnce(state.anomalies, 'trailing_data');
        break;
      }
      state.longHeaders++;
      const parsed = parseLongHeader(datagram, pos);
      if (!parsed.ok) {
        pushOnce(state.anomalies, parsed.error);
        break;
      }
      const h = parsed.header;
      if (h.kind === 'version_negotiation' || h.kind === 'unknown_version') {
        pushOnce(state.anomalies, h.kind);
        state.skipped++;
        onPacket(datagram, h);
        break;
      }
      if ((h.firstByte & FIXED_BIT) === 0) pushOnce(state.anomalies, 'fixed_bit_clear');
      if (onPacket(datagram, h)) initials++;
      else if (h.kind !== 'initial') state.skipped++;
      pos = h.end;
    }
    if (isClient && initials > 0 && datagram.length < MIN_INITIAL_DATAGRAM_SIZE) {
      pushOnce(state.anomalies, 'initial_datagram_too_small');
    }
  }
}

function isAllZero(data: Uint8Array, from: number): boolean {
  for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
