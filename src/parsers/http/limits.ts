/**
 * Every limit the HTTP parsers enforce, with its unit and reason. Exceeding one stops parsing of that
 * stream with status 'invalid' and a stable anomaly code; heads parsed before it are still reported.
 * Nothing is allocated from a length field before it is checked against these limits and against the
 * bytes actually present.
 */

/**
 * Bytes of a request line or status line, CRLF included. RFC 9112 §3 recommends supporting at least
 * 8000 octets; twice that still admits long attack URLs while bounding the scan for the line end.
 */
export const MAX_START_LINE_BYTES = 16 * 1024;

/**
 * Bytes of a header section (after the start line, up to and including the empty line). Above every
 * mainstream server default (Node.js 16 KiB, nginx 4 × 8 KiB, IIS 16 KiB in total); longer heads are
 * fuzzers or attacks, and the cap bounds the work per request.
 */
export const MAX_HEADER_SECTION_BYTES = 64 * 1024;

/**
 * Field lines per head. Apache's LimitRequestFields default is 100; 256 leaves room for odd clients
 * while bounding the per-request arrays. A head with more is reported as invalid rather than silently
 * cut, because JA4H hashes every header name.
 */
export const MAX_HEADER_FIELDS = 256;

/**
 * Request heads reported per stream direction (pipelined or keep-alive). A browser sends a handful on
 * one connection within the reassembled prefix; the cap bounds the events one hostile flow can make.
 */
export const MAX_REQUESTS_PER_STREAM = 32;

/**
 * Bytes of one chunk-size line (size, chunk extensions, CRLF) when skipping a chunked request body to
 * reach the next pipelined request. Real chunk extensions are rare and short.
 */
export const MAX_CHUNK_SIZE_LINE_BYTES = 1024;

/**
 * Hex digits of a chunk size. 13 hex digits (2^52) keep the size an exact JS number; a larger size can
 * never fit in a reassembled prefix anyway.
 */
export const MAX_CHUNK_SIZE_HEX_DIGITS = 13;

/**
 * Characters of a method token that {@link looksLikeHttpRequest} accepts. The longest registered
 * method (UPDATEREDIRECTREF, IANA HTTP Method Registry) has 17.
 */
export const MAX_METHOD_PEEK_CHARS = 24;

/**
 * Bytes {@link looksLikeHttpRequest} scans for the end of the request line to check for " HTTP/".
 * Longer lines are judged on the method alone (cheap check).
 */
export const LOOKS_LIKE_SCAN_BYTES = 2048;

/**
 * Bytes of an HTTP/2 frame payload accepted in the client's first flight: RFC 9113 §4.2, the initial
 * SETTINGS_MAX_FRAME_SIZE, which the server cannot have raised before it has seen the preface.
 */
export const H2_INITIAL_MAX_FRAME_SIZE = 16384;

/**
 * HTTP/2 frames examined after the preface when looking for WINDOW_UPDATE and the first HEADERS.
 * Browsers send SETTINGS, WINDOW_UPDATE, a few PRIORITY frames, then HEADERS.
 */
export const MAX_H2_FRAMES_SCANNED = 16;

/**
 * Characters of a free-text event field (host, path, user agent, …). Longer values are cut, and the
 * event says so, so one hostile request cannot make a huge event line.
 */
export const MAX_EVENT_TEXT_CHARS = 2048;

/** Entries of a list-valued event field (header names, cookie names). */
export const MAX_EVENT_LIST_ENTRIES = MAX_HEADER_FIELDS;
