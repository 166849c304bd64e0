/**
 * Every limit the DTLS parsers enforce, with its unit and reason. Exceeding one is reported as an anomaly
 * (the offending record, fragment or datagram is skipped); nothing is allocated from a length field
 * before it is checked against these limits and against the bytes actually present.
 */

/**
 * Bytes of one record's fragment. RFC 6347 §4.1 / RFC 5246 §6.2.3: DTLSCiphertext.length MUST NOT
 * exceed 2^14 + 2048; a longer length field is corrupt (or not DTLS).
 */
export const MAX_DTLS_RECORD_LENGTH = 16384 + 2048;

/**
 * Datagrams examined per call. The capture side forwards the first 3 per direction by default; 64
 * covers any sane setting and bounds the work one hostile flow can cause.
 */
export const MAX_DTLS_DATAGRAMS = 64;

/**
 * Bytes of one hello message body (ClientHello, ServerHello, HelloVerifyRequest) that will be
 * reassembled. Cipher suites and extensions are 16-bit-length vectors, so a ClientHello body cannot
 * usefully exceed ~131 KiB; 128 KiB matches the TLS parser's MAX_HANDSHAKE_MESSAGE_LENGTH.
 */
export const MAX_DTLS_HELLO_LENGTH = 128 * 1024;

/**
 * message_seq values below which hello fragments are reassembled. Hellos open a handshake: the client
 * uses 0, then 1 (and 2) after HelloVerifyRequest / HelloRetryRequest; the server 0–2. Larger values
 * are renegotiation (encrypted anyway) or noise, and would only grow the pending table.
 */
export const MAX_DTLS_HELLO_MESSAGE_SEQ = 16;

/**
 * Hello messages being reassembled at once (distinct message_seq with missing fragments). Each holds a
 * buffer of at most MAX_DTLS_HELLO_LENGTH bytes, so this bounds memory per call to 4 × 128 KiB.
 */
export const MAX_DTLS_PENDING_MESSAGES = 4;

/**
 * Hellos reported per call (ClientHellos + ServerHellos). A legitimate direction has one, or two after
 * a HelloVerifyRequest or HelloRetryRequest; the cap bounds the events one hostile flow can generate.
 */
export const MAX_DTLS_HELLOS = 8;
