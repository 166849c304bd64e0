/**
 * Every limit the QUIC Initial parsers enforce, with its unit and reason. Exceeding one is reported as
 * an anomaly and the excess is ignored; nothing is allocated from a length field before it is checked
 * against these limits and against the bytes actually present.
 */

/**
 * Bytes of one direction's Initial CRYPTO stream kept (stream offsets at or beyond this are dropped).
 * A QUIC ClientHello is 0.3–2 KiB (up to ~3 KiB with several post-quantum key shares, RFC 9001 §4.3
 * expects it to fit the first flight); 32 KiB leaves ten times that headroom while bounding what one
 * hostile flow can make a worker buffer.
 */
export const MAX_CRYPTO_STREAM_BYTES = 32 * 1024;

/**
 * Disjoint byte ranges one OffsetAssembler tracks. Chrome cuts its ClientHello into a handful of CRYPTO
 * frames and shuffles them (a dozen ranges at worst); a peer needing more scattered pieces is hostile
 * or broken, and the cap keeps every `add` O(64).
 */
export const MAX_ASSEMBLER_RANGES = 64;

/**
 * Datagrams examined per direction. The capture hands over 3 by default and at most 16
 * (native/limits.h kDefaultUdpDatagrams, kMaxUdpDatagrams); an Initial flight fits in 1–3 datagrams.
 * Anything beyond 16 did not come from the capture and is ignored, so the decryption work per flow
 * stays bounded.
 */
export const MAX_DATAGRAMS_PER_DIRECTION = 16;

/**
 * QUIC packets examined per UDP datagram. RFC 9000 §12.2 coalesces at most one packet per long-header
 * type plus a trailing short-header packet (4); anything beyond 8 is hostile packing meant to
 * multiply our work.
 */
export const MAX_PACKETS_PER_DATAGRAM = 8;

/**
 * AES-GCM decryptions attempted per direction (each Initial packet is tried with at most
 * MAX_KEY_SETS key sets). 3 datagrams × 2 Initials × 2 key sets is 12; 32 bounds the CPU one flow
 * can cost a worker.
 */
export const MAX_DECRYPTION_ATTEMPTS = 32;

/**
 * Initial key sets derived per direction, one per (version, connection ID) pair. A connection needs one,
 * two after a Retry (RFC 9000 §17.2.5) or a compatible version change (RFC 9368); 4 bounds the HKDF work
 * a flow that keeps changing connection IDs can cause.
 */
export const MAX_KEY_SETS = 4;
