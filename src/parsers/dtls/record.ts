import { HANDSHAKE_FRAGMENT_HEADER_LENGTH, readFragmentHeader } from './handshake.js';
import { MAX_DTLS_RECORD_LENGTH } from './limits.js';

/** DTLS record ContentType values (RFC 6347 §4.1, RFC 6520, RFC 9146 §4, RFC 9147 §4). */
export const DtlsContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
  HEARTBEAT: 24,
  /** RFC 9146: DTLS 1.2 record with a connection ID (always protected; header length depends on the CID). */
  TLS12_CID: 25,
  /** RFC 9147 §7: DTLS 1.3 ACK. */
  ACK: 26,
} as const;

/** Record-layer versions accepted in a DTLSPlaintext header. */
export const DtlsRecordVersion = {
  /** RFC 4347. */
  DTLS_1_0: 0xfeff,
  /** RFC 6347; also every DTLS 1.3 plaintext record (RFC 9147 §4: legacy_record_version {254, 253}). */
  DTLS_1_2: 0xfefd,
  /** RFC 9147 version number; not legal in a record header, tolerated (a sender mistake, same layout). */
  DTLS_1_3: 0xfefc,
  /** OpenSSL before 0.9.8f (pre-RFC 4347 DTLS, "DTLS1_BAD_VER"; OpenSSL keeps it for Cisco AnyConnect). */
  DTLS_1_0_OPENSSL_PRE_RFC: 0x0100,
} as const;

/**
 * DTLSPlaintext header (RFC 6347 §4.1): type (1), version (2), epoch (2), sequence_number (6), length (2).
 */
export const DTLS_RECORD_HEADER_LENGTH = 13;

/** A byte b starts an RFC 9147 §4 unified header (DTLSCiphertext, 0b001CSLEE) iff (b & MASK) === BITS. */
export const UNIFIED_HEADER_MASK = 0xe0;
export const UNIFIED_HEADER_BITS = 0x20;
const UNIFIED_FLAG_CID = 0x10;
const UNIFIED_FLAG_SEQ16 = 0x08;
const UNIFIED_FLAG_LENGTH = 0x04;

/** A DTLSPlaintext record header. */
export interface DtlsRecordHeader {
  contentType: number;
  version: number;
  epoch: number;
  /** 48-bit sequence number (exact: below 2^53). */
  sequenceNumber: number;
  length: number;
}

/** True for a record-layer version accepted in a DTLSPlaintext header (see {@link DtlsRecordVersion}). */
export function isDtlsRecordVersion(v: number): boolean {
  return (
    v === DtlsRecordVersion.DTLS_1_0 ||
    v === DtlsRecordVersion.DTLS_1_2 ||
    v === DtlsRecordVersion.DTLS_1_3 ||
    v === DtlsRecordVersion.DTLS_1_0_OPENSSL_PRE_RFC
  );
}

/** True for the DTLSPlaintext content types 20–26. */
export function isDtlsContentType(t: number): boolean {
  return t >= DtlsContentType.CHANGE_CIPHER_SPEC && t <= DtlsContentType.ACK;
}

/** Reads the DTLSPlaintext header at `offset`, or undefined if fewer than 13 bytes remain. */
export function parseDtlsRecordHeader(data: Uint8Array, offset: number): DtlsRecordHeader | undefined {
  if (offset < 0 || offset + DTLS_RECORD_HEADER_LENGTH > data.length) return undefined;
  const d = data;
  const o = offset;
  return {
    contentType: d[o]!,
    version: (d[o + 1]! << 8) | d[o + 2]!,
    epoch: (d[o + 3]! << 8) | d[o + 4]!,
    sequenceNumber: ((d[o + 5]! << 8) | d[o + 6]!) * 0x100000000 + readU32(d, o + 7),
    length: (d[o + 11]! << 8) | d[o + 12]!,
  };
}

function readU32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) >>> 0) + ((d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!);
}

/**
 * Length in bytes of the unified-header record (RFC 9147 §4) starting at `offset`, header included:
 * a number when it can be framed, 'to_end' when it has no length field (it runs to the end of the
 * datagram) or carries a connection ID (whose negotiated length a passive observer does not know, so
 * the rest of the datagram cannot be framed), undefined when the header itself is truncated or the
 * declared length overruns the datagram.
 */
export function unifiedRecordLength(data: Uint8Array, offset: number): number | 'to_end' | undefined {
  const flags = data[offset];
  if (flags === undefined || (flags & UNIFIED_HEADER_MASK) !== UNIFIED_HEADER_BITS) return undefined;
  if ((flags & UNIFIED_FLAG_CID) !== 0 || (flags & UNIFIED_FLAG_LENGTH) === 0) return 'to_end';
  const headerLength = 1 + ((flags & UNIFIED_FLAG_SEQ16) !== 0 ? 2 : 1) + 2;
  if (offset + headerLength > data.length) return undefined;
  const length = (data[offset + headerLength - 2]! << 8) | data[offset + headerLength - 1]!;
  if (offset + headerLength + length > data.length) return undefined;
  return headerLength + length;
}

/**
 * Cheap content test for the first datagram of a UDP flow: a DTLSPlaintext header with a content type
 * 20–26, a version of {@link DtlsRecordVersion}, and a length that fits the datagram and the RFC limit
 * (records never span datagrams, RFC 6347 §4.1.1). A Handshake record in epoch 0 must also hold a
 * consistent handshake fragment header. A tls12_cid record (25) cannot be length-checked (CID length
 * unknown) and is accepted in epoch > 0 only. DTLS 1.3 unified headers are not accepted: one byte
 * 0x20–0x3f is too weak a signal, and a flow's first datagram is a plaintext ClientHello anyway.
 */
export function looksLikeDtls(datagram: Uint8Array): boolean {
  const h = parseDtlsRecordHeader(datagram, 0);
  if (h === undefined || !isDtlsContentType(h.contentType) || !isDtlsRecordVersion(h.version)) return false;
  if (h.contentType === DtlsContentType.TLS12_CID) return h.epoch > 0;
  if (h.length > MAX_DTLS_RECORD_LENGTH || DTLS_RECORD_HEADER_LENGTH + h.length > datagram.length)
    return false;
  if (h.contentType !== DtlsContentType.HANDSHAKE || h.epoch !== 0) return true;
  const f = readFragmentHeader(datagram, DTLS_RECORD_HEADER_LENGTH);
  return (
    f !== undefined &&
    HANDSHAKE_FRAGMENT_HEADER_LENGTH + f.fragmentLength <= h.length &&
    f.fragmentOffset + f.fragmentLength <= f.length
  );
}
