/**
 * SSL 2.0 CLIENT-HELLO in the two-byte-header record format (draft-hickman-netscape-ssl-00;
 * RFC 6101 Appendix E.1 "version 2 client hello" used by SSL 3.0 / TLS clients for compatibility):
 *
 *   record length (15 bits, high bit set) | msg_type = 1 | version (2) | cipher_spec_length (2) |
 *   session_id_length (2) | challenge_length (2) | cipher_specs (3 bytes each) | session_id | challenge
 */

/** SSLv2 CLIENT-HELLO message type. */
export const SSL2_MT_CLIENT_HELLO = 1;

/** Bytes before cipher_specs: 2 header + 1 type + 2 version + 3 × 2 lengths. */
const SSLV2_HELLO_FIXED_LENGTH = 11;

/** Result of {@link detectSslv2ClientHello}. */
export type Sslv2Detection = 'sslv2_client_hello' | 'incomplete' | 'no';

/**
 * Decides whether `data` starts with an SSLv2-format CLIENT-HELLO: high bit of byte 0 set, msg_type 1,
 * version 0x0002 or 3.x, and (when the fixed fields are present) lengths that add up to the record
 * length. 'incomplete' if fewer than 5 bytes are present but they match so far.
 */
export function detectSslv2ClientHello(data: Uint8Array): Sslv2Detection {
  const n = data.length;
  if (n === 0) return 'incomplete';
  if ((data[0]! & 0x80) === 0) return 'no';
  if (n < 3) return 'incomplete';
  if (data[2] !== SSL2_MT_CLIENT_HELLO) return 'no';
  if (n < 5) return 'incomplete';
  const major = data[3]!;
  const minor = data[4]!;
  if (!((major === 0 && minor === 2) || (major === 3 && minor <= 4))) return 'no';
  const recordLength = ((data[0]! & 0x7f) << 8) | data[1]!;
  if (recordLength < SSLV2_HELLO_FIXED_LENGTH - 2) return 'no';
  if (n < SSLV2_HELLO_FIXED_LENGTH) return 'sslv2_client_hello';
  const cipherSpecLength = (data[5]! << 8) | data[6]!;
  const sessionIdLength = (data[7]! << 8) | data[8]!;
  const challengeLength = (data[9]! << 8) | data[10]!;
  if (cipherSpecLength % 3 !== 0) return 'no';
  if (SSLV2_HELLO_FIXED_LENGTH - 2 + cipherSpecLength + sessionIdLength + challengeLength !== recordLength)
    return 'no';
  return 'sslv2_client_hello';
}
