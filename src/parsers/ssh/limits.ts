/**
 * Every limit the SSH parsers enforce, with its unit and reason. Exceeding a hard limit is reported as an
 * anomaly and parsing of that stream stops; nothing is ever allocated from a length field before it is
 * checked against these limits and against the bytes actually present.
 */

/**
 * Bytes of the identification line, CR LF included (RFC 4253 §4.2: "MUST be 255 characters or less").
 * A longer line is reported (anomaly 'banner_too_long') with its text truncated to this length minus 2.
 */
export const MAX_IDENTIFICATION_LENGTH = 255;

/**
 * Bytes scanned for the LF that ends an overlong identification line. OpenSSH still accepts lines of a
 * few KiB; a line without LF within 8 KiB is not SSH, and the bound caps the scan per stream.
 */
export const MAX_IDENTIFICATION_SCAN_BYTES = 8192;

/**
 * Bytes of one line sent before the identification (RFC 4253 §4.2 lets a server send such lines and sets
 * no limit; we apply the identification's own 255). Longer lines are kept, truncated, as an anomaly.
 */
export const MAX_PRE_BANNER_LINE_LENGTH = 255;

/**
 * Lines before the identification. Real servers send a few (a legal notice); the cap bounds the
 * `preBannerLines` output of one stream.
 */
export const MAX_PRE_BANNER_LINES = 32;

/**
 * Bytes before the identification line. Half of the default 16 KiB reassembly window, so that the
 * identification and the KEXINIT still fit behind the longest accepted preamble.
 */
export const MAX_PRE_BANNER_BYTES = 8192;

/**
 * packet_length of a binary packet, in bytes. RFC 4253 §6.1: implementations MUST handle total packets of
 * 35000 bytes; a clear-text KEXINIT is 1–3 KiB, so anything longer before key exchange is hostile.
 */
export const MAX_SSH_PACKET_LENGTH = 35000;

/** Bytes: RFC 4253 §6 "The minimum size of a packet is 16 … bytes"; smaller is an anomaly. */
export const MIN_SSH_PACKET_SIZE = 16;

/** Bytes: RFC 4253 §6 "There MUST be at least four bytes of padding"; fewer is an anomaly. */
export const MIN_PADDING_LENGTH = 4;

/**
 * Bytes: before NEWKEYS the cipher is "none", so the block size is 8 (RFC 4253 §6: the length of
 * packet_length‖padding_length‖payload‖padding is a multiple of max(8, block size)). Otherwise an anomaly.
 */
export const CLEAR_TEXT_BLOCK_SIZE = 8;

/**
 * Binary packets read before the KEXINIT. RFC 4253 §7.1 makes KEXINIT the first message; IGNORE/DEBUG
 * packets may precede it. The cap bounds the walk over a hostile stream of tiny packets.
 */
export const MAX_PACKETS_BEFORE_KEXINIT = 16;

/** Characters of one algorithm name (RFC 4251 §6: "MUST NOT be longer than 64 characters"); anomaly. */
export const MAX_ALGORITHM_NAME_LENGTH = 64;
