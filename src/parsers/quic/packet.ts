/**
 * QUIC long-header packets (RFC 9000 §17.2) and Initial packet protection (RFC 9001 §5.3–5.4): header
 * parsing, header-protection removal, packet-number recovery and AES-128-GCM payload decryption.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ByteReader } from '../../util/reader.js';
import type { PacketKeys } from './initial-secrets.js';
import { type LongPacketKind, QuicVersion, quicVersionParams } from './versions.js';

/** Header Form bit: set for long headers (RFC 9000 §17.2). */
export const HEADER_FORM_LONG = 0x80;
/** Fixed Bit (RFC 9000 §17.2); may be cleared by peers that negotiated grease_quic_bit (RFC 9287). */
export const FIXED_BIT = 0x40;
/** Long-header Reserved Bits, protected; MUST be 0 once protection is removed (RFC 9000 §17.2). */
export const LONG_RESERVED_BITS = 0x0c;
/** Long-header Packet Number Length bits, protected: the length in bytes minus one. */
export const PACKET_NUMBER_LENGTH_BITS = 0x03;
/** Connection IDs of QUIC v1 and v2 are at most 20 bytes (RFC 9000 §17.2). */
export const MAX_CONNECTION_ID_LENGTH = 20;
/** AEAD_AES_128_GCM authentication tag length, bytes. */
export const AEAD_TAG_LENGTH = 16;
/** Header-protection sample length, bytes (RFC 9001 §5.4.2). */
export const HP_SAMPLE_LENGTH = 16;
/** Retry Integrity Tag length, bytes (RFC 9000 §17.2.5). */
export const RETRY_INTEGRITY_TAG_LENGTH = 16;
/** Smallest UDP payload allowed for a datagram carrying a client Initial (RFC 9000 §14.1). */
export const MIN_INITIAL_DATAGRAM_SIZE = 1200;
/** Largest variable-length integer, 2^62 − 1 (RFC 9000 §16). */
export const MAX_VARINT = 2 ** 62 - 1;

/**
 * Reads a variable-length integer (RFC 9000 §16). Returns -1 (and sets `r.overrun`) if it does not fit.
 * Values above 2^53 lose precision as a JS number; every caller compares them against far smaller limits.
 */
export function readVarint(r: ByteReader): number {
  if (!r.has(1)) {
    r.overrun = true;
    return -1;
  }
  const first = r.data[r.pos]!;
  const length = 1 << (first >> 6);
  if (!r.has(length)) {
    r.overrun = true;
    return -1;
  }
  let value = first & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + r.data[r.pos + i]!;
  r.pos += length;
  return value;
}

/** What a long header is, once its version and type are known. */
export type LongHeaderKind = LongPacketKind | 'version_negotiation' | 'unknown_version';

/** The unprotected fields of a long header, with absolute positions in its datagram. */
export interface LongHeader {
  kind: LongHeaderKind;
  /** First byte as sent (Reserved and Packet Number Length bits still protected). */
  firstByte: number;
  version: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  /** Initial: the Token field; Retry: the Retry Token; otherwise empty. */
  token: Uint8Array;
  /** Offset of the first packet byte. */
  start: number;
  /** Offset of the (protected) Packet Number field; equals `end` for Retry, VN and unknown versions. */
  pnOffset: number;
  /** Offset just past this packet (a packet without a Length field runs to the end of the datagram). */
  end: number;
}

/** Result of {@link parseLongHeader}: the header, or a stable error code. */
export type LongHeaderResult = { ok: true; header: LongHeader } | { ok: false; error: string };

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Parses the long header starting at `start` of `datagram`. Errors: 'truncated_packet' (a field or the
 * Length runs past the datagram), 'bad_connection_id_length' (over 20 bytes for v1/v2), 'not_long_header'.
 * Unknown versions parse as far as the version-independent fields (RFC 8999 §5.1). Never throws.
 */
export function parseLongHeader(datagram: Uint8Array, start: number): LongHeaderResult {
  const r = new ByteReader(datagram, start);
  const firstByte = r.u8();
  if (r.overrun || (firstByte & HEADER_FORM_LONG) === 0) return { ok: false, error: 'not_long_header' };
  const version = r.u32();
  const dcid = r.vec8();
  const scid = r.vec8();
  if (r.overrun || dcid === undefined || scid === undefined) return { ok: false, error: 'truncated_packet' };
  const base = { firstByte, version, dcid, scid, token: EMPTY, start, end: datagram.length };
  if (version === QuicVersion.NEGOTIATION) {
    return { ok: true, header: { ...base, kind: 'version_negotiation', pnOffset: datagram.length } };
  }
  const params = quicVersionParams(version);
  if (params === undefined) {
    return { ok: true, header: { ...base, kind: 'unknown_version', pnOffset: datagram.length } };
  }
  if (dcid.length > MAX_CONNECTION_ID_LENGTH || scid.length > MAX_CONNECTION_ID_LENGTH) {
    return { ok: false, error: 'bad_connection_id_length' };
  }
  const kind = params.kinds[(firstByte >> 4) & 0x03]!;
  if (kind === 'retry') {
    if (r.remaining < RETRY_INTEGRITY_TAG_LENGTH) return { ok: false, error: 'truncated_packet' };
    const token = datagram.subarray(r.pos, datagram.length - RETRY_INTEGRITY_TAG_LENGTH);
    return { ok: true, header: { ...base, kind, token, pnOffset: datagram.length } };
  }
  let token = EMPTY;
  if (kind === 'initial') {
    const tokenLength = readVarint(r);
    const t = tokenLength >= 0 ? r.bytes(tokenLength) : undefined;
    if (t === undefined) return { ok: false, error: 'truncated_packet' };
    token = t;
  }
  const length = readVarint(r);
  if (length < 0 || length > r.remaining) return { ok: false, error: 'truncated_packet' };
  return { ok: true, header: { ...base, kind, token, pnOffset: r.pos, end: r.pos + length } };
}

/**
 * Recovers a full packet number from its truncated encoding (RFC 9000 §17.1 and Appendix A.3), given
 * the largest packet number already processed in the space (-1 for none).
 */
export function decodePacketNumber(largest: number, truncated: number, lengthBytes: number): number {
  const expected = largest + 1;
  const window = 2 ** (8 * lengthBytes);
  const half = window / 2;
  const candidate = expected - (expected % window) + truncated;
  if (candidate <= expected - half && candidate < 2 ** 62 - window) return candidate + window;
  if (candidate > expected + half && candidate >= window) return candidate - window;
  return candidate;
}

/** A decrypted Initial packet. */
export interface OpenedPacket {
  /** Full packet number. */
  packetNumber: number;
  /** Reserved Bits of the unprotected first byte (0 when conformant). */
  reservedBits: number;
  /** The decrypted frames. */
  payload: Uint8Array;
}

/** Result of {@link openPacket}: the packet, or 'packet_too_short' / 'decryption_failed'. */
export type OpenResult = { ok: true; packet: OpenedPacket } | { ok: false; error: string };

/** The 5-byte header-protection mask: AES-128-ECB of the sample under the hp key (RFC 9001 §5.4.3). */
export function headerProtectionMask(hp: Uint8Array, sample: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-ecb', hp, null);
  cipher.setAutoPadding(false);
  return new Uint8Array(cipher.update(sample)).subarray(0, 5);
}

/** AEAD nonce: the IV with the packet number XORed into its low-order bytes (RFC 9001 §5.3). */
export function packetNonce(iv: Uint8Array, packetNumber: number): Uint8Array {
  const nonce = Uint8Array.from(iv);
  let pn = packetNumber;
  for (let i = nonce.length - 1; i >= 0 && pn > 0; i--) {
    nonce[i]! ^= pn % 256;
    pn = Math.floor(pn / 256);
  }
  return nonce;
}

/**
 * Removes header protection from the Initial (or other long-header) packet `h` and decrypts its payload
 * with `keys` (RFC 9001 §5.4.1, §5.3). `largestPacketNumber` is the largest already decrypted in the
 * same packet-number space (-1 for none). A wrong key or a forged packet gives 'decryption_failed';
 * nothing throws.
 */
export function openPacket(
  datagram: Uint8Array,
  h: LongHeader,
  keys: PacketKeys,
  largestPacketNumber: number,
): OpenResult {
  // The sample starts 4 bytes after the Packet Number field, as if it were 4 bytes long (§5.4.2).
  const sampleOffset = h.pnOffset + 4;
  if (sampleOffset + HP_SAMPLE_LENGTH > h.end) return { ok: false, error: 'packet_too_short' };
  try {
    const mask = headerProtectionMask(
      keys.hp,
      datagram.subarray(sampleOffset, sampleOffset + HP_SAMPLE_LENGTH),
    );
    const firstByte = h.firstByte ^ (mask[0]! & 0x0f);
    const pnLength = (firstByte & PACKET_NUMBER_LENGTH_BITS) + 1;
    const headerEnd = h.pnOffset + pnLength;
    const aad = datagram.slice(h.start, headerEnd);
    aad[0] = firstByte;
    let truncated = 0;
    for (let i = 0; i < pnLength; i++) {
      const b = datagram[h.pnOffset + i]! ^ mask[1 + i]!;
      aad[h.pnOffset - h.start + i] = b;
      truncated = truncated * 256 + b;
    }
    const packetNumber = decodePacketNumber(largestPacketNumber, truncated, pnLength);
    const tagOffset = h.end - AEAD_TAG_LENGTH;
    const decipher = createDecipheriv('aes-128-gcm', keys.key, packetNonce(keys.iv, packetNumber), {
      authTagLength: AEAD_TAG_LENGTH,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(datagram.subarray(tagOffset, h.end));
    const plain = decipher.update(datagram.subarray(headerEnd, tagOffset));
    decipher.final();
    return {
      ok: true,
      packet: {
        packetNumber,
        reservedBits: firstByte & LONG_RESERVED_BITS,
        payload: new Uint8Array(plain.buffer, plain.byteOffset, plain.length),
      },
    };
  } catch {
    return { ok: false, error: 'decryption_failed' };
  }
}
