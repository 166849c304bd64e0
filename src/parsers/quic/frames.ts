/**
 * Frames of a decrypted Initial packet (RFC 9000 §19). Only PADDING, PING, ACK, CRYPTO and
 * CONNECTION_CLOSE (type 0x1c) may appear in an Initial (RFC 9000 §12.4, Table 3).
 */

import { ByteReader } from '../../util/reader.js';
import { pushOnce } from '../tls/extensions.js';
import type { OffsetAssembler } from './assembler.js';
import { MAX_VARINT, readVarint } from './packet.js';

/** Frame types permitted in Initial packets (RFC 9000 §19). */
export const FrameType = {
  PADDING: 0x00,
  PING: 0x01,
  ACK: 0x02,
  ACK_ECN: 0x03,
  CRYPTO: 0x06,
  CONNECTION_CLOSE: 0x1c,
} as const;

/** What the frames of one Initial packet held. */
export interface InitialFrames {
  /** Frames parsed, a run of PADDING bytes counting as one. */
  frames: number;
  cryptoFrames: number;
  /** PADDING bytes. */
  paddingBytes: number;
  /** Any frame other than ACK, PADDING and CONNECTION_CLOSE was seen (RFC 9002 §2). */
  ackEliciting: boolean;
  /** Error code of a CONNECTION_CLOSE frame, or null. */
  connectionCloseError: number | null;
}

/**
 * Parses the frames of an Initial payload, adding CRYPTO data to `crypto`. Stops at the first malformed
 * frame ('bad_frame') or frame type not allowed in an Initial ('unexpected_frame'); the frames before it
 * are kept. Also reports 'empty_packet' and 'connection_close'. Work is linear in the payload length.
 */
export function parseInitialFrames(
  payload: Uint8Array,
  crypto: OffsetAssembler,
  anomalies: string[],
): InitialFrames {
  const out: InitialFrames = {
    frames: 0,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
  };
  if (payload.length === 0) pushOnce(anomalies, 'empty_packet');
  const r = new ByteReader(payload);
  while (!r.atEnd) {
    const type = readVarint(r);
    out.frames++;
    switch (type) {
      case FrameType.PADDING: {
        let n = 1;
        while (r.pos < r.end && payload[r.pos] === 0) {
          r.pos++;
          n++;
        }
        out.paddingBytes += n;
        break;
      }
      case FrameType.PING:
        out.ackEliciting = true;
        break;
      case FrameType.ACK:
      case FrameType.ACK_ECN:
        if (!skipAck(r, type === FrameType.ACK_ECN)) return bad(out, anomalies, 'bad_frame');
        break;
      case FrameType.CRYPTO: {
        const offset = readVarint(r);
        const length = readVarint(r);
        if (offset < 0 || length < 0 || offset + length > MAX_VARINT) return bad(out, anomalies, 'bad_frame');
        const data = r.bytes(length);
        if (data === undefined) return bad(out, anomalies, 'bad_frame');
        crypto.add(offset, data);
        out.cryptoFrames++;
        out.ackEliciting = true;
        break;
      }
      case FrameType.CONNECTION_CLOSE: {
        const errorCode = readVarint(r);
        readVarint(r); // Frame Type that triggered the error
        const reasonLength = readVarint(r);
        if (r.overrun || reasonLength < 0 || !r.skip(reasonLength)) return bad(out, anomalies, 'bad_frame');
        out.connectionCloseError = errorCode;
        pushOnce(anomalies, 'connection_close');
        break;
      }
      default:
        return bad(out, anomalies, type < 0 ? 'bad_frame' : 'unexpected_frame');
    }
  }
  return out;
}

function bad(out: InitialFrames, anomalies: string[], code: string): InitialFrames {
  pushOnce(anomalies, code);
  return out;
}

/** Skips the body of an ACK frame (RFC 9000 §19.3); false if it is malformed or truncated. */
function skipAck(r: ByteReader, ecn: boolean): boolean {
  const largest = readVarint(r);
  readVarint(r); // ACK Delay
  const rangeCount = readVarint(r);
  const firstRange = readVarint(r);
  if (r.overrun || firstRange > largest) return false;
  // Each further range is two varints of at least one byte: a count beyond that cannot be real.
  if (rangeCount > r.remaining / 2) return false;
  for (let i = 0; i < rangeCount; i++) {
    readVarint(r); // Gap
    readVarint(r); // ACK Range Length
    if (r.overrun) return false;
  }
  if (ecn) {
    readVarint(r); // ECT0
    readVarint(r); // ECT1
    readVarint(r); // ECN-CE
  }
  return !r.overrun;
}
