import { parseFieldSection, readLine } from './head.js';
import { MAX_START_LINE_BYTES } from './limits.js';
import {
  type HttpHeader,
  type HttpParseStatus,
  headerValue,
  isLineSpace,
  latin1,
  pushOnce,
  SP,
} from './syntax.js';

/** The first response head of a server→client stream (RFC 9112 §4). */
export interface HttpResponseHead {
  /** HTTP-version as sent, always `HTTP/<digit>.<digit>`. */
  version: string;
  /** Three-digit status code. */
  statusCode: number;
  /** reason-phrase (latin1), '' when absent. */
  reason: string;
  /** Field lines in wire order (only those present in the data when the head is incomplete). */
  headers: HttpHeader[];
  /** Value of the first Server field, or null (also while the head is incomplete and none was seen). */
  server: string | null;
  /** Offset just past the head's empty line; 0 while the head is incomplete. */
  end: number;
}

/** What {@link parseHttpResponseStatus} found. */
export interface HttpResponseResult {
  /** 'ok': the whole head is present. 'incomplete': more bytes are needed. 'invalid': not an HTTP/1.x response. */
  status: HttpParseStatus;
  /** Present once the status line is complete (also when the rest of the head is not). */
  response: HttpResponseHead | null;
  /** Stable codes, each once, in first-seen order. */
  anomalies: string[];
}

const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/** Checks the bytes present so far against `HTTP/<digit>.<digit> <digit><digit><digit>`. */
function statusLinePrefixOk(data: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e && i - s < 12; i++) {
    const k = i - s;
    const b = data[i]!;
    const ok =
      k < 5 ? b === HTTP_SLASH[k] : k === 6 ? b === 0x2e : k === 8 ? isLineSpace(b) : b >= 0x30 && b <= 0x39;
    if (!ok) return false;
  }
  return true;
}

/**
 * Parses the status line and header section at the start of a server→client stream (RFC 9112 §4):
 * version, status code, reason phrase and the Server field. Tolerated: HTAB/VT/FF/CR instead of the
 * SPs, or extra whitespace before the reason phrase ('status_line_whitespace'), a missing reason phrase
 * ('missing_reason_phrase'), and the field-line anomalies of parseFieldSection. 'invalid' codes:
 * 'not_http_response', 'status_line_too_long', 'header_section_too_long', 'too_many_header_fields'.
 * Never throws.
 */
export function parseHttpResponseStatus(data: Uint8Array): HttpResponseResult {
  const anomalies: string[] = [];
  const invalid = (code: string): HttpResponseResult => {
    pushOnce(anomalies, code);
    return { status: 'invalid', response: null, anomalies };
  };
  const line = readLine(data, 0, MAX_START_LINE_BYTES, anomalies);
  if (line === undefined) {
    if (!statusLinePrefixOk(data, 0, data.length)) return invalid('not_http_response');
    if (data.length >= MAX_START_LINE_BYTES) return invalid('status_line_too_long');
    return { status: 'incomplete', response: null, anomalies: [] };
  }
  const { start, end } = line;
  if (end - start < 12 || !statusLinePrefixOk(data, start, start + 12)) return invalid('not_http_response');
  let reasonStart = start + 12;
  if (data[start + 8] !== SP) pushOnce(anomalies, 'status_line_whitespace');
  if (reasonStart < end && !isLineSpace(data[reasonStart]!)) return invalid('not_http_response');
  if (reasonStart >= end) {
    pushOnce(anomalies, 'missing_reason_phrase');
  } else {
    if (data[reasonStart] !== SP || (reasonStart + 1 < end && isLineSpace(data[reasonStart + 1]!))) {
      pushOnce(anomalies, 'status_line_whitespace');
    }
    while (reasonStart < end && isLineSpace(data[reasonStart]!)) reasonStart++;
  }
  const response: HttpResponseHead = {
    version: latin1(data, start, start + 8),
    statusCode: Number(latin1(data, start + 9, start + 12)),
    reason: latin1(data, reasonStart, end),
    headers: [],
    server: null,
    end: 0,
  };
  const section = parseFieldSection(data, line.next, anomalies);
  response.headers = section.headers;
  response.server = headerValue(section.headers, 'server');
  if (section.status === 'invalid') {
    pushOnce(anomalies, section.error);
    return { status: 'invalid', response, anomalies };
  }
  if (section.status === 'incomplete') return { status: 'incomplete', response, anomalies };
  response.end = section.end;
  return { status: 'ok', response, anomalies };
}
