import { PACKET_HEADER_LENGTH } from './constants.js';
import {
  CLEAR_TEXT_BLOCK_SIZE,
  MAX_SSH_PACKET_LENGTH,
  MIN_PADDING_LENGTH,
  MIN_SSH_PACKET_SIZE,
} from './limits.js';
import { pushOnce } from './text.js';

/** One clear-text binary packet (RFC 4253 §6), located in a stream. */
export interface BinaryPacket {
  /** packet_length: bytes after this field, MAC excluded (no MAC before NEWKEYS). */
  packetLength: number;
  paddingLength: number;
  /** payload: packet_length − padding_length − 1 bytes (a view into the input); byte 0 is the message number. */
  payload: Uint8Array;
  /** Offset just after the packet's padding. */
  end: number;
}

/** A packet, a need for more bytes, or a stable error code (the stream cannot be SSH-2 clear text). */
export type BinaryPacketResult =
  | { status: 'ok'; packet: BinaryPacket }
  | { status: 'incomplete' }
  | { status: 'invalid'; error: string };

/**
 * Reads the clear-text binary packet at `offset` (RFC 4253 §6: uint32 packet_length, byte padding_length,
 * payload, random padding). Errors: 'packet_too_long' (> MAX_SSH_PACKET_LENGTH), 'bad_padding_length'
 * (padding_length + 1 > packet_length, packet_length 0 included). Tolerated, added to `anomalies`:
 * 'padding_too_short' (< 4), 'packet_too_short' (< 16 bytes in all), 'packet_not_block_aligned' (total
 * not a multiple of 8). Never throws.
 */
export function readBinaryPacket(data: Uint8Array, offset: number, anomalies: string[]): BinaryPacketResult {
  if (offset < 0 || offset + PACKET_HEADER_LENGTH > data.length) return { status: 'incomplete' };
  const packetLength =
    ((data[offset]! << 24) >>> 0) +
    ((data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!);
  const paddingLength = data[offset + 4]!;
  if (packetLength > MAX_SSH_PACKET_LENGTH) return { status: 'invalid', error: 'packet_too_long' };
  if (paddingLength + 1 > packetLength) return { status: 'invalid', error: 'bad_padding_length' };
  if (paddingLength < MIN_PADDING_LENGTH) pushOnce(anomalies, 'padding_too_short');
  if (packetLength + 4 < MIN_SSH_PACKET_SIZE) pushOnce(anomalies, 'packet_too_short');
  if ((packetLength + 4) % CLEAR_TEXT_BLOCK_SIZE !== 0) pushOnce(anomalies, 'packet_not_block_aligned');
  const end = offset + 4 + packetLength;
  if (end > data.length) return { status: 'incomplete' };
  const payloadStart = offset + PACKET_HEADER_LENGTH;
  return {
    status: 'ok',
    packet: {
      packetLength,
      paddingLength,
      payload: data.subarray(payloadStart, end - paddingLength),
      end,
    },
  };
}
