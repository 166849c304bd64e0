/**
 * Every limit the TLS parsers enforce, with its unit and reason. Exceeding one is reported as an anomaly
 * and parsing of that stream stops; nothing is ever allocated from a length field before it is checked
 * against these limits and against the bytes actually present.
 */

/** Bytes. RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048; no legal record is longer. */
export const MAX_TLS_RECORD_LENGTH = 16384 + 2048;

/**
 * Bytes of one handshake message body. Hellos are a few KiB at most (post-quantum key shares included);
 * 128 KiB still admits large Certificate chains, and bounds what one hostile flow can make us buffer.
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = 128 * 1024;

/**
 * Hellos reported per stream direction. A legitimate flow has one, or two after a HelloRetryRequest;
 * the cap bounds the events one hostile flow can generate.
 */
export const MAX_HELLOS_PER_STREAM = 8;

/**
 * Certificates kept per Certificate message (certificates). Real chains are 1–4 deep; RFC 5246 puts no
 * bound on the list, and each certificate becomes an event, so longer lists are cut and reported
 * ('too_many_certificates').
 */
export const MAX_CERTIFICATES_PER_CHAIN = 10;

/**
 * Plaintext Certificate messages reported per stream direction (messages). A handshake has one per
 * direction; renegotiation happens encrypted. Later ones are ignored and reported
 * ('too_many_certificate_messages'); they do not count toward MAX_HELLOS_PER_STREAM.
 */
export const MAX_CERTIFICATE_MESSAGES_PER_STREAM = 4;
