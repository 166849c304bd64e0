import { OffsetAssembler } from '../quic/assembler.js';
import { pushOnce } from '../tls/extensions.js';
import { MAX_DTLS_HELLO_LENGTH, MAX_DTLS_HELLO_MESSAGE_SEQ, MAX_DTLS_PENDING_MESSAGES } from './limits.js';

/**
 * DTLS handshake header (RFC 6347 §4.2.2; unchanged in RFC 9147 §5.2): msg_type (1), length (3),
 * message_seq (2), fragment_offset (3), fragment_length (3).
 */
export const HANDSHAKE_FRAGMENT_HEADER_LENGTH = 12;

/** The 12-byte header in front of every DTLS handshake fragment. */
export interface HandshakeFragmentHeader {
  msgType: number;
  /** Length of the whole message body. */
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
}

/** A reassembled handshake message: type, sequence number and the whole body (header removed). */
export interface DtlsHandshakeMessage {
  msgType: number;
  messageSeq: number;
  body: Uint8Array;
}

/** Reads the fragment header at `offset`, or undefined if fewer than 12 bytes remain. */
export function readFragmentHeader(data: Uint8Array, offset: number): HandshakeFragmentHeader | undefined {
  if (offset < 0 || offset + HANDSHAKE_FRAGMENT_HEADER_LENGTH > data.length) return undefined;
  const d = data;
  const o = offset;
  return {
    msgType: d[o]!,
    length: (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!,
    messageSeq: (d[o + 4]! << 8) | d[o + 5]!,
    fragmentOffset: (d[o + 6]! << 16) | (d[o + 7]! << 8) | d[o + 8]!,
    fragmentLength: (d[o + 9]! << 16) | (d[o + 10]! << 8) | d[o + 11]!,
  };
}

interface Pending {
  msgType: number;
  length: number;
  assembler: OffsetAssembler;
}

/**
 * Reassembles the handshake messages of one direction from their fragments (RFC 6347 §4.2.3): fragments
 * may arrive in any order, overlap, or repeat; a message is delivered once, when every byte of it has
 * arrived. Only the message types the caller asks for are buffered (hellos here), so large flights such
 * as Certificate chains cost nothing.
 *
 * Invariants: a message_seq is delivered at most once (later copies are retransmissions and are only
 * counted); all fragments of one message_seq must agree on msg_type and length (the first one seen
 * decides); at most MAX_DTLS_PENDING_MESSAGES messages are incomplete at once, each buffering at most
 * its declared length, itself at most MAX_DTLS_HELLO_LENGTH; the first bytes received for an offset win.
 */
export class DtlsHandshakeReassembler {
  /** Fragments ignored because their message was already delivered (normal retransmission). */
  retransmittedFragments = 0;
  private readonly pending = new Map<number, Pending>();
  /** message_seq → msg_type of every delivered message. */
  private readonly delivered = new Map<number, number>();
  private readonly wanted: (msgType: number) => boolean;

  /** `wanted` selects the message types to reassemble; fragments of other types are dropped unread. */
  constructor(wanted: (msgType: number) => boolean) {
    this.wanted = wanted;
  }

  /** message_seq values still missing fragments. */
  get incomplete(): number {
    return this.pending.size;
  }

  /**
   * Adds one fragment (`fragment` = exactly its fragment_length bytes, held as a view until the message
   * completes). Returns the message it completes, if any. Faults are appended to `anomalies`.
   */
  add(
    h: HandshakeFragmentHeader,
    fragment: Uint8Array,
    anomalies: string[],
  ): DtlsHandshakeMessage | undefined {
    if (!this.wanted(h.msgType)) return undefined;
    if (h.fragmentOffset + h.fragmentLength > h.length) {
      pushOnce(anomalies, 'bad_fragment_bounds');
      return undefined;
    }
    const seen = this.delivered.get(h.messageSeq);
    if (seen !== undefined) {
      if (seen === h.msgType) this.retransmittedFragments++;
      else pushOnce(anomalies, 'inconsistent_fragment');
      return undefined;
    }
    if (h.messageSeq >= MAX_DTLS_HELLO_MESSAGE_SEQ) {
      pushOnce(anomalies, 'message_seq_too_high');
      return undefined;
    }
    if (h.length > MAX_DTLS_HELLO_LENGTH) {
      pushOnce(anomalies, 'handshake_too_long');
      return undefined;
    }
    const p = this.pending.get(h.messageSeq);
    if (p !== undefined && (p.msgType !== h.msgType || p.length !== h.length)) {
      pushOnce(anomalies, 'inconsistent_fragment');
      return undefined;
    }
    if (h.fragmentOffset === 0 && h.fragmentLength === h.length) {
      // The whole message in one fragment (the usual case): no copy.
      return this.deliver(h.msgType, h.messageSeq, fragment);
    }
    if (h.fragmentLength === 0) return undefined;
    let q = p;
    if (q === undefined) {
      if (this.pending.size >= MAX_DTLS_PENDING_MESSAGES) {
        pushOnce(anomalies, 'too_many_pending_messages');
        return undefined;
      }
      q = { msgType: h.msgType, length: h.length, assembler: new OffsetAssembler(h.length) };
      this.pending.set(h.messageSeq, q);
    }
    if (!q.assembler.add(h.fragmentOffset, fragment)) {
      pushOnce(anomalies, 'too_many_fragments');
      return undefined;
    }
    if (q.assembler.contiguous < h.length) return undefined;
    return this.deliver(h.msgType, h.messageSeq, q.assembler.prefix().subarray(0, h.length));
  }

  private deliver(msgType: number, messageSeq: number, body: Uint8Array): DtlsHandshakeMessage {
    this.pending.delete(messageSeq);
    this.delivered.set(messageSeq, msgType);
    return { msgType, messageSeq, body };
  }
}
