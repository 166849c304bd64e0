import { type Line, parseFieldSection, readLine } from './head.js';
import {
  LOOKS_LIKE_SCAN_BYTES,
  MAX_CHUNK_SIZE_HEX_DIGITS,
  MAX_CHUNK_SIZE_LINE_BYTES,
  MAX_METHOD_PEEK_CHARS,
  MAX_REQUESTS_PER_STREAM,
  MAX_START_LINE_BYTES,
} from './limits.js';
import {
  CR,
  type HttpHeader,
  type HttpParseStatus,
  headerValues,
  isLineSpace,
  isOws,
  isTchar,
  LF,
  latin1,
  pushOnce,
  SP,
} from './syntax.js';

/** One HTTP/1.x request head (RFC 9112 §2.1, §3, §5). */
export interface HttpRequest {
  /** The method token as sent (methods are case-sensitive). */
  method: string;
  /** request-target as sent (latin1). */
  target: string;
  /** HTTP-version as sent, always `HTTP/<digit>.<digit>`. */
  version: string;
  /** Field lines in wire order: names in their received case, values latin1 without surrounding OWS. */
  headers: HttpHeader[];
  /** Offset in the stream just past the empty line that ends this head. */
  end: number;
  /** Stable codes for what was malformed but tolerated in this head, each once. */
  anomalies: string[];
}

/** What {@link parseHttpRequests} found in the first bytes of a client→server stream. */
export interface HttpRequestsResult {
  /**
   * Where parsing stopped. 'ok': at the end of the data on a message boundary, or for a benign reason
   * (CONNECT or Upgrade hands the connection to another protocol; the request cap). 'incomplete': the
   * data ends inside a head or a declared body, so more bytes may yield more. 'invalid': bytes that
   * cannot be an HTTP/1.x request head where one was due, a limit was exceeded, or the body length
   * cannot be determined. Heads parsed before the stop are always in `requests`.
   */
  status: HttpParseStatus;
  requests: HttpRequest[];
  /** Codes of every reported request plus the stream-level ones, each once, in first-seen order. */
  anomalies: string[];
}

/** The HTTP/2 connection preface (RFC 9113 §3.4) starts like a request line: `PRI * HTTP/2.0`. */
const H2_PREFACE_LINE = 'PRI * HTTP/2.0';

type RequestLine =
  | { kind: 'ok'; method: string; target: string; version: string; next: number }
  | { kind: 'incomplete' }
  | { kind: 'invalid'; error: string };

/** True if `data[s, s+8)` is `HTTP/<digit>.<digit>`. */
function isHttpVersion(data: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 8) return false;
  return (
    data[s] === 0x48 &&
    data[s + 1] === 0x54 &&
    data[s + 2] === 0x54 &&
    data[s + 3] === 0x50 &&
    data[s + 4] === 0x2f &&
    data[s + 5]! >= 0x30 &&
    data[s + 5]! <= 0x39 &&
    data[s + 6] === 0x2e &&
    data[s + 7]! >= 0x30 &&
    data[s + 7]! <= 0x39
  );
}

/** Judges a request line whose end is not in the data yet: invalid if its method is already wrong. */
function partialRequestLine(data: Uint8Array, pos: number): RequestLine {
  let i = pos;
  while (i < data.length && isLineSpace(data[i]!)) i++;
  for (; i < data.length && !isLineSpace(data[i]!); i++) {
    if (!isTchar(data[i]!)) return { kind: 'invalid', error: 'bad_method' };
  }
  return { kind: 'incomplete' };
}

/**
 * Parses a request-line (RFC 9112 §3). Words may be separated by any run of SP, HTAB, VT, FF or bare CR
 * (§3 allows it; 'request_line_whitespace'); a target containing whitespace is kept whole
 * ('whitespace_in_target'), the version being the last word.
 */
function parseRequestLine(data: Uint8Array, line: Line, anomalies: string[]): RequestLine {
  const words: Array<[number, number]> = [];
  for (let i = line.start; i < line.end; ) {
    while (i < line.end && isLineSpace(data[i]!)) i++;
    if (i >= line.end) break;
    const s = i;
    while (i < line.end && !isLineSpace(data[i]!)) i++;
    words.push([s, i]);
  }
  const first = words[0];
  const last = words[words.length - 1];
  if (first === undefined || last === undefined) return { kind: 'invalid', error: 'bad_request_line' };
  for (let i = first[0]; i < first[1]; i++) {
    if (!isTchar(data[i]!)) return { kind: 'invalid', error: 'bad_method' };
  }
  if (words.length === 1) return { kind: 'invalid', error: 'bad_request_line' };
  if (words.length === 2) return { kind: 'invalid', error: 'missing_http_version' };
  if (!isHttpVersion(data, last[0], last[1])) return { kind: 'invalid', error: 'bad_http_version' };
  const targetStart = words[1]![0];
  const targetEnd = words[words.length - 2]![1];
  if (words.length > 3) pushOnce(anomalies, 'whitespace_in_target');
  if (
    first[0] !== line.start ||
    last[1] !== line.end ||
    first[1] + 1 !== targetStart ||
    data[first[1]] !== SP ||
    targetEnd + 1 !== last[0] ||
    data[targetEnd] !== SP
  ) {
    pushOnce(anomalies, 'request_line_whitespace');
  }
  for (let i = targetStart; i < targetEnd; i++) {
    const b = data[i]!;
    if ((b < 0x21 || b > 0x7e) && !isLineSpace(b)) {
      pushOnce(anomalies, 'bad_request_target');
      break;
    }
  }
  const method = latin1(data, first[0], first[1]);
  const target = latin1(data, targetStart, targetEnd);
  const version = latin1(data, last[0], last[1]);
  if (method + ' ' + target + ' ' + version === H2_PREFACE_LINE) {
    return { kind: 'invalid', error: 'http2_preface' };
  }
  if (data[last[0] + 5] !== 0x31) pushOnce(anomalies, 'unsupported_http_version');
  return { kind: 'ok', method, target, version, next: line.next };
}

/** How the body after a head is delimited (RFC 9112 §6.3). */
type Framing =
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'stop' }
  | { kind: 'error'; error: string };

/** Comma-separated list elements of all `values`, OWS trimmed, empty elements dropped (RFC 9110 §5.6.1). */
function listElements(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      const t = part.replace(/^[ \t]+|[ \t]+$/g, '');
      if (t.length > 0) out.push(t);
    }
  }
  return out;
}

/** Body framing of a request head; also adds the framing anomalies. */
function requestFraming(req: HttpRequest): Framing {
  if (req.method === 'CONNECT') return { kind: 'stop' }; // a tunnel follows (RFC 9110 §9.3.6)
  const te = headerValues(req.headers, 'transfer-encoding');
  const cl = headerValues(req.headers, 'content-length');
  const upgrade = headerValues(req.headers, 'upgrade').length > 0;
  if (te.length > 0) {
    if (cl.length > 0) pushOnce(req.anomalies, 'content_length_with_transfer_encoding');
    if (req.version === 'HTTP/1.0') {
      // RFC 9112 §6.1: the framing of such a message is faulty and the connection closes after it.
      pushOnce(req.anomalies, 'transfer_encoding_in_http10');
      return { kind: 'stop' };
    }
    const codings = listElements(te);
    if (codings[codings.length - 1]?.toLowerCase() !== 'chunked')
      return { kind: 'error', error: 'bad_transfer_encoding' };
    return upgrade ? { kind: 'stop' } : { kind: 'chunked' };
  }
  if (cl.length > 0) {
    const lengths = listElements(cl);
    const first = lengths[0];
    if (first === undefined || !lengths.every((v) => v === first) || !/^[0-9]+$/.test(first)) {
      return { kind: 'error', error: 'bad_content_length' };
    }
    if (upgrade) return { kind: 'stop' };
    // Longer than 15 digits is beyond any prefix; keep the number exact and finite.
    return { kind: 'length', length: first.length > 15 ? Number.MAX_SAFE_INTEGER : Number(first) };
  }
  return upgrade ? { kind: 'stop' } : { kind: 'length', length: 0 };
}

type Skip = { kind: 'ok'; next: number } | { kind: 'incomplete' } | { kind: 'invalid'; error: string };

/** Skips a chunked body (RFC 9112 §7.1) starting at `pos`, trailer section included. */
function skipChunked(data: Uint8Array, pos: number, anomalies: string[]): Skip {
  for (;;) {
    const line = readLine(data, pos, pos + MAX_CHUNK_SIZE_LINE_BYTES, anomalies);
    if (line === undefined) {
      return data.length >= pos + MAX_CHUNK_SIZE_LINE_BYTES
        ? { kind: 'invalid', error: 'bad_chunked_body' }
        : { kind: 'incomplete' };
    }
    let i = line.start;
    let size = 0;
    while (i < line.end && i - line.start < MAX_CHUNK_SIZE_HEX_DIGITS) {
      const d = hexDigit(data[i]!);
      if (d < 0) break;
      size = size * 16 + d;
      i++;
    }
    if (i === line.start) return { kind: 'invalid', error: 'bad_chunked_body' };
    if (i < line.end && data[i] !== 0x3b && !isOws(data[i]!))
      return { kind: 'invalid', error: 'bad_chunked_body' };
    if (size === 0) {
      const trailers = parseFieldSection(data, line.next, anomalies);
      if (trailers.status === 'ok') return { kind: 'ok', next: trailers.end };
      if (trailers.status === 'incomplete') return { kind: 'incomplete' };
      return { kind: 'invalid', error: 'bad_chunked_body' };
    }
    const dataEnd = line.next + size;
    if (dataEnd >= data.length) return { kind: 'incomplete' };
    if (data[dataEnd] === LF) {
      pushOnce(anomalies, 'bare_lf');
      pos = dataEnd + 1;
    } else if (data[dataEnd] === CR) {
      if (dataEnd + 1 >= data.length) return { kind: 'incomplete' };
      if (data[dataEnd + 1] !== LF) return { kind: 'invalid', error: 'bad_chunked_body' };
      pos = dataEnd + 2;
    } else {
      return { kind: 'invalid', error: 'bad_chunked_body' };
    }
  }
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Parses every complete HTTP/1.0 and HTTP/1.1 request head (RFC 9112) in the first bytes of a
 * client→server stream (reassembled from stream offset 0), following pipelined and keep-alive requests
 * across Content-Length and chunked bodies, up to {@link MAX_REQUESTS_PER_STREAM}. Never throws.
 *
 * Per-request anomalies (tolerated): 'leading_empty_lines', 'request_line_whitespace',
 * 'whitespace_in_target', 'bad_request_target', 'unsupported_http_version', 'missing_host',
 * 'duplicate_host', 'content_length_with_transfer_encoding', 'transfer_encoding_in_http10', and the
 * field-line codes of {@link parseFieldSection}. Codes that stop parsing with status 'invalid':
 * 'bad_method', 'bad_request_line', 'missing_http_version' (HTTP/0.9), 'bad_http_version',
 * 'http2_preface' (use parseH2Preface), 'request_line_too_long', 'header_section_too_long',
 * 'too_many_header_fields', 'bad_content_length', 'bad_transfer_encoding', 'bad_chunked_body'.
 * Stream-level: 'too_many_requests' (status 'ok').
 */
export function parseHttpRequests(data: Uint8Array): HttpRequestsResult {
  const result: HttpRequestsResult = { status: 'incomplete', requests: [], anomalies: [] };
  const stop = (
    status: HttpParseStatus,
    anomalies: readonly string[],
    error?: string,
  ): HttpRequestsResult => {
    result.status = status;
    for (const a of anomalies) pushOnce(result.anomalies, a);
    if (error !== undefined) pushOnce(result.anomalies, error);
    return result;
  };
  let pos = 0;
  for (;;) {
    if (pos >= data.length) return stop(result.requests.length > 0 ? 'ok' : 'incomplete', []);
    if (result.requests.length >= MAX_REQUESTS_PER_STREAM) return stop('ok', [], 'too_many_requests');
    const anomalies: string[] = [];
    const limit = pos + MAX_START_LINE_BYTES;
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
    let start = pos;
    while (start < data.length && start < limit && (data[start] === LF || data[start] === CR)) {
      if (data[start] === CR && start + 1 < data.length && data[start + 1] !== LF) break;
      start++;
    }
    if (start > pos) pushOnce(anomalies, 'leading_empty_lines');
    const line = readLine(data, start, limit, anomalies);
    let rl: RequestLine;
    if (line === undefined) {
      if (data.length >= limit) return stop('invalid', anomalies, 'request_line_too_long');
      rl = partialRequestLine(data, start);
    } else {
      rl = parseRequestLine(data, line, anomalies);
    }
    if (rl.kind === 'incomplete') return stop('incomplete', []);
    if (rl.kind === 'invalid') return stop('invalid', anomalies, rl.error);
    const section = parseFieldSection(data, rl.next, anomalies);
    if (section.status === 'incomplete') return stop('incomplete', []);
    if (section.status === 'invalid') return stop('invalid', anomalies, section.error);
    const req: HttpRequest = {
      method: rl.method,
      target: rl.target,
      version: rl.version,
      headers: section.headers,
      end: section.end,
      anomalies,
    };
    const hosts = headerValues(req.headers, 'host').length;
    if (hosts === 0 && req.version !== 'HTTP/1.0' && req.version.startsWith('HTTP/1.')) {
      pushOnce(anomalies, 'missing_host'); // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400
    } else if (hosts > 1) {
      pushOnce(anomalies, 'duplicate_host');
    }
    const framing = requestFraming(req);
    result.requests.push(req);
    for (const a of anomalies) pushOnce(result.anomalies, a);
    switch (framing.kind) {
      case 'stop':
        return stop('ok', []);
      case 'error':
        pushOnce(anomalies, framing.error);
        return stop('invalid', [], framing.error);
      case 'length':
        if (framing.length > data.length - req.end) return stop('incomplete', []);
        pos = req.end + framing.length;
        break;
      case 'chunked': {
        const skip = skipChunked(data, req.end, anomalies);
        for (const a of anomalies) pushOnce(result.anomalies, a);
        if (skip.kind === 'incomplete') return stop('incomplete', []);
        if (skip.kind === 'invalid') {
          pushOnce(anomalies, skip.error);
          return stop('invalid', [], skip.error);
        }
        pos = skip.next;
        break;
      }
    }
  }
}

/** True if `data[s, e)` ends with the word `HTTP/<digit>.<digit>`. */
function endsWithVersion(data: Uint8Array, s: number, e: number): boolean {
  let end = e;
  while (end > s && isLineSpace(data[end - 1]!)) end--;
  return end - s >= 8 && isHttpVersion(data, end - 8, end) && (end - 8 === s || isLineSpace(data[end - 9]!));
}

/**
 * Cheap content check for a client→server stream: optional empty lines, a method token of at most
 * {@link MAX_METHOD_PEEK_CHARS} characters, SP, then a visible character; when the end of that line
 * is within {@link LOOKS_LIKE_SCAN_BYTES}, the line must also end with an HTTP-version (which rules
 * out look-alikes such as SSH banners). At least the method and its SP must be present; a line whose
 * end is not in the data yet passes on what is present.
 */
export function looksLikeHttpRequest(data: Uint8Array): boolean {
  let p = 0;
  while (p < 4 && p < data.length && (data[p] === CR || data[p] === LF)) p++;
  const methodStart = p;
  while (p < data.length && p - methodStart <= MAX_METHOD_PEEK_CHARS && isTchar(data[p]!)) p++;
  const methodLength = p - methodStart;
  if (methodLength === 0 || methodLength > MAX_METHOD_PEEK_CHARS) return false;
  if (p >= data.length) return false;
  if (data[p] !== SP) return false;
  p++;
  if (p >= data.length) return true;
  const b = data[p]!;
  if (b < 0x21 || b > 0x7e) return false;
  const scanEnd = Math.min(data.length, methodStart + LOOKS_LIKE_SCAN_BYTES);
  const lf = data.subarray(p, scanEnd).indexOf(LF);
  if (lf < 0) return true;
  return endsWithVersion(data, methodStart, p + lf);
}
