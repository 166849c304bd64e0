import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ja4h } from '../../../../src/fingerprints/ja4plus/ja4h.js';
import {
  h2PrefaceFields,
  httpRequestFields,
  httpResponseFields,
} from '../../../../src/parsers/http/fields.js';
import { type H2PrefaceResult, parseH2Preface } from '../../../../src/parsers/http/h2.js';
import {
  MAX_EVENT_TEXT_CHARS,
  MAX_H2_FRAMES_SCANNED,
  MAX_HEADER_FIELDS,
  MAX_REQUESTS_PER_STREAM,
} from '../../../../src/parsers/http/limits.js';
import {
  type HttpRequestsResult,
  looksLikeHttpRequest,
  parseHttpRequests,
} from '../../../../src/parsers/http/request.js';
import { type HttpResponseResult, parseHttpResponseStatus } from '../../../../src/parsers/http/response.js';
import { mutate, mutations } from '../../../helpers/mutation.js';
import { type Bytes, concat, enc, h2FirstFlight, head } from './builders.js';

const RUNS = 2000;

/** Every code the request parser may report (its doc comment and parseFieldSection's list them). */
const FIELD_ANOMALIES = [
  'bare_lf',
  'bare_cr',
  'bad_field_value',
  'obs_fold',
  'whitespace_before_first_field',
  'field_line_without_colon',
  'empty_field_name',
  'whitespace_before_colon',
  'bad_field_name',
  'header_section_too_long',
  'too_many_header_fields',
];
const REQUEST_ANOMALIES = new Set([
  ...FIELD_ANOMALIES,
  'leading_empty_lines',
  'request_line_whitespace',
  'whitespace_in_target',
  'bad_request_target',
  'unsupported_http_version',
  'missing_host',
  'duplicate_host',
  'content_length_with_transfer_encoding',
  'transfer_encoding_in_http10',
  'bad_method',
  'bad_request_line',
  'missing_http_version',
  'bad_http_version',
  'http2_preface',
  'request_line_too_long',
  'bad_content_length',
  'bad_transfer_encoding',
  'bad_chunked_body',
  'too_many_requests',
]);
const RESPONSE_ANOMALIES = new Set([
  ...FIELD_ANOMALIES,
  'status_line_whitespace',
  'missing_reason_phrase',
  'not_http_response',
  'status_line_too_long',
]);
const H2_ANOMALIES = new Set([
  'not_h2_preface',
  'preface_not_followed_by_settings',
  'settings_ack_in_preface',
  'settings_on_stream',
  'bad_settings_length',
  'frame_too_large',
  'bad_settings_value',
  'duplicate_setting',
  'bad_window_update',
  'reserved_bit_set',
]);
const STATUSES = ['ok', 'incomplete', 'invalid'];
const JA4H_RE = /^[a-z0-9!#$%&'*+\-.^_`|~]{2}\d{2}[cn][rn]\d{2}.{4}_[0-9a-f]{12}_[0-9a-f]{12}_[0-9a-f]{12}$/s;

function checkAnomalies(list: readonly string[], known: Set<string>): void {
  for (const a of list) expect(known.has(a), a).toBe(true);
  expect(new Set(list).size).toBe(list.length);
}

/** Invariants of every request parse, including that the field builders and JA4H succeed on it. */
function checkRequests(data: Bytes, r: HttpRequestsResult): void {
  expect(STATUSES).toContain(r.status);
  checkAnomalies(r.anomalies, REQUEST_ANOMALIES);
  expect(r.requests.length).toBeLessThanOrEqual(MAX_REQUESTS_PER_STREAM);
  let last = 0;
  for (const req of r.requests) {
    expect(req.end).toBeGreaterThan(last);
    expect(req.end).toBeLessThanOrEqual(data.length);
    last = req.end;
    expect(req.headers.length).toBeLessThanOrEqual(MAX_HEADER_FIELDS);
    expect(req.version).toMatch(/^HTTP\/\d\.\d$/);
    expect(req.method.length).toBeGreaterThan(0);
    checkAnomalies(req.anomalies, REQUEST_ANOMALIES);
    for (const a of req.anomalies) expect(r.anomalies).toContain(a);
    const j = ja4h(req);
    expect(j.ja4h).toMatch(JA4H_RE);
    expect(j.ja4h_o.slice(0, 25)).toBe(j.ja4h.slice(0, 25));
    const f = httpRequestFields(req, { ja4plus: true });
    expect(String(f.user_agent ?? '').length).toBeLessThanOrEqual(MAX_EVENT_TEXT_CHARS);
    expect(String(f.path).length).toBeLessThanOrEqual(MAX_EVENT_TEXT_CHARS);
  }
}

function checkResponse(data: Bytes, r: HttpResponseResult): void {
  expect(STATUSES).toContain(r.status);
  checkAnomalies(r.anomalies, RESPONSE_ANOMALIES);
  if (r.status === 'ok') expect(r.response).not.toBeNull();
  if (r.response !== null) {
    expect(r.response.statusCode).toBeGreaterThanOrEqual(0);
    expect(r.response.statusCode).toBeLessThanOrEqual(999);
    expect(r.response.end).toBeLessThanOrEqual(data.length);
    httpResponseFields(r.response);
  }
}

function checkH2(data: Bytes, r: H2PrefaceResult): void {
  expect(STATUSES).toContain(r.status);
  checkAnomalies(r.anomalies, H2_ANOMALIES);
  expect(r.frameTypes.length).toBeLessThanOrEqual(MAX_H2_FRAMES_SCANNED);
  if (r.status === 'ok') expect(r.settings).not.toBeNull();
  if (r.settings !== null) expect(r.settings.length * 6).toBeLessThanOrEqual(data.length);
  h2PrefaceFields(r);
}

/** Bytes drawn mostly from HTTP's own alphabet, so random input reaches deep into the grammar. */
const httpish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ...'GET POST HTTP/1.1 HTTP/1.0 Host: Cookie: a=b; Transfer-Encoding: chunked Content-Length: 0 1 5 \r\n \r\n\r\n \n \t : ; , = / * 0 F'.split(
          ' ',
        ),
      ),
      fc.constantFrom('\r\n', '\r', ' ', '\u0000', '\u00e9'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 120 },
  )
  .map((parts) => enc(parts.join('')));

const PIPELINE = enc(
  head('POST /a HTTP/1.1', ['Host: a', 'Content-Length: 3', 'Cookie: x=1; y'], 'abc') +
    head('PUT /b HTTP/1.1', ['Host: a', 'Transfer-Encoding: chunked'], '3\r\nabc\r\n0\r\n\r\n') +
    head('GET /c HTTP/1.0', ['User-Agent: u', 'X: folded', ' more']),
);
const RESPONSE = enc(head('HTTP/1.1 200 OK', ['Server: nginx', 'Content-Length: 2'], 'ok'));

describe('HTTP parser properties', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (data) => {
        checkRequests(data, parseHttpRequests(data));
        checkResponse(data, parseHttpResponseStatus(data));
        checkH2(data, parseH2Preface(data));
        looksLikeHttpRequest(data);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on HTTP-alphabet soup, alone or behind a valid start', () => {
    fc.assert(
      fc.property(httpish, fc.boolean(), (soup, prefixed) => {
        const data = prefixed ? concat(enc('GET / HTTP/1.1\r\n'), soup) : soup;
        checkRequests(data, parseHttpRequests(data));
        const resp = prefixed ? concat(enc('HTTP/1.1 200 OK\r\n'), soup) : soup;
        checkResponse(resp, parseHttpResponseStatus(resp));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated valid streams', () => {
    fc.assert(
      fc.property(mutations, (edits) => {
        const req = mutate(PIPELINE, edits);
        checkRequests(req, parseHttpRequests(req));
        const res = mutate(RESPONSE, edits);
        checkResponse(res, parseHttpResponseStatus(res));
        const h2 = mutate(h2FirstFlight(), edits);
        checkH2(h2, parseH2Preface(h2));
      }),
      { numRuns: RUNS },
    );
  });

  it('a prefix yields exactly the heads that end within it (callers dedupe with `end`)', () => {
    const full = parseHttpRequests(PIPELINE);
    expect(full.status).toBe('ok');
    const ends = full.requests.map((r) => r.end);
    expect(ends).toHaveLength(3);
    fc.assert(
      fc.property(fc.nat({ max: PIPELINE.length }), (n) => {
        const r = parseHttpRequests(PIPELINE.subarray(0, n));
        expect(r.requests.map((q) => q.end)).toEqual(ends.filter((e) => e <= n));
        expect(r.status).not.toBe('invalid');
      }),
      { numRuns: 500 },
    );
  });

  it('stays bounded on large hostile inputs', () => {
    const manyHeads = enc('GET / HTTP/1.1\r\n\r\n'.repeat(100_000));
    const r = parseHttpRequests(manyHeads);
    expect(r.requests).toHaveLength(MAX_REQUESTS_PER_STREAM);
    const manyFields = enc('GET / HTTP/1.1\r\n' + 'a:b\r\n'.repeat(100_000));
    expect(parseHttpRequests(manyFields).status).toBe('invalid');
    const noLineEnd = new Uint8Array(1 << 20).fill(0x41);
    expect(parseHttpRequests(noLineEnd).status).toBe('invalid');
    expect(parseHttpResponseStatus(noLineEnd).status).toBe('invalid');
  });
});

describe('request round trip (model-based)', () => {
  const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,12}$/);
  const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);
  it('headers survive the parser in order and JA4H counts and hashes follow them', () => {
    fc.assert(
      fc.property(
        token,
        fc.array(fc.tuple(token, value), { maxLength: 120 }),
        fc.constantFrom('\r\n', '\n'),
        (method, fields, eol) => {
          const wire = head(
            `${method} /x HTTP/1.1`,
            fields.map(([n, v]) => `${n}: ${v}`),
            '',
            eol,
          );
          const r = parseHttpRequests(enc(wire));
          expect(r.requests.length).toBeGreaterThanOrEqual(1);
          const req = r.requests[0]!;
          expect(req.headers).toEqual(fields.map(([n, v]) => [n, v]));
          const names = fields.map(([n]) => n).filter((n) => !/^(cookie|referer)$/i.test(n));
          const j = ja4h(req);
          expect(j.ja4h.slice(6, 8)).toBe(String(Math.min(99, names.length)).padStart(2, '0'));
          expect(j.ja4h_r.startsWith(j.ja4h.slice(0, 12) + '_' + names.join(',') + '_')).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
