import { ContentType } from './constants.js';

/** TLSPlaintext header (RFC 8446 §5.1): type (1), legacy_record_version (2), length (2). */
export interface RecordHeader {
  contentType: number;
  version: number;
  length: number;
}

/** Length of a TLS record header in bytes. */
export const RECORD_HEADER_LENGTH = 5;

/** Reads the record header at `offset`, or undefined if fewer than 5 bytes remain. */
export function parseRecordHeader(data: Uint8Array, offset: number): RecordHeader | undefined {
  if (offset < 0 || offset + RECORD_HEADER_LENGTH > data.length) return undefined;
  return {
    contentType: data[offset]!,
    version: (data[offset + 1]! << 8) | data[offset + 2]!,
    length: (data[offset + 3]! << 8) | data[offset + 4]!,
  };
}

/** True for the record content types defined by RFC 8446 / RFC 6520 (20–24). */
export function isKnownContentType(t: number): boolean {
  return t >= ContentType.CHANGE_CIPHER_SPEC && t <= ContentType.HEARTBEAT;
}

/**
 * True if the first three bytes are a plausible record header start: a known content type and an
 * SSL 3.0 – TLS 1.3 record version (major 3, minor 0–4).
 */
export function looksLikeRecordStart(data: Uint8Array, offset: number): boolean {
  if (offset + 3 > data.length) return false;
  return isKnownContentType(data[offset]!) && data[offset + 1] === 3 && data[offset + 2]! <= 4;
}
