import { describe, expect, it } from 'vitest';
import { hash12 } from '../../../../src/fingerprints/hash.js';
import {
  h2PrefaceFields,
  httpRequestFields,
  httpResponseFields,
} from '../../../../src/parsers/http/fields.js';
import { parseH2Preface } from '../../../../src/parsers/http/h2.js';
import { MAX_EVENT_TEXT_CHARS } from '../../../../src/parsers/http/limits.js';
import { type HttpRequest, parseHttpRequests } from '../../../../src/parsers/http/request.js';
import { parseHttpResponseStatus } from '../../../../src/parsers/http/response.js';
import { enc, h2FirstFlight, head } from './builders.js';

function req(text: string): HttpRequest {
  const r = parseHttpRequests(enc(text));
  expect(r.requests).toHaveLength(1);
  return r.requests[0]!;
}

const COOKIE_REQUEST = head('GET /?a=1 HTTP/1.1', [
  'Host: 127.0.0.1:8000',
  'User-Agent: Mozilla/5.0',
  'Accept: */*',
  'Accept-Language: da',
  'Referer: http://127.0.0.1:8000/',
  'Cookie: yummy_cookie=choco; tasty_cookie=strawberry',
]);

describe('httpRequestFields', () => {
  it('fills the http_request fields (DESIGN.md) and never a cookie value', () => {
    const f = httpRequestFields(req(COOKIE_REQUEST), { ja4plus: true });
    expect(f).toEqual({
      method: 'GET',
      host: '127.0.0.1:8000',
      path: '/?a=1',
      target: '/?a=1',
      http_version: 'HTTP/1.1',
      user_agent: 'Mozilla/5.0',
      header_names: ['Host', 'User-Agent', 'Accept', 'Accept-Language', 'Referer', 'Cookie'],
      header_count: 6,
      // The same request shape as foxio-ja4/pcap/http1-with-cookies.pcapng (see ja4h.test.ts).
      ja4h: 'ge11cr04da00_8ddaef5d77af_280f366eaa04_c2fb0fe53442',
      ja4h_o: `ge11cr04da00_8ddaef5d77af_${hash12('yummy_cookie,tasty_cookie')}_${hash12('yummy_cookie=choco,tasty_cookie=strawberry')}`,
      cookie_names: ['yummy_cookie', 'tasty_cookie'],
      accept_language: 'da',
      content_length: null,
      anomalies: [],
      truncated: false,
    });
    const json = JSON.stringify(f);
    expect(json).not.toContain('choco');
    expect(json).not.toContain('strawberry');
  });

  it('leaves the JA4+ fields out with --no-ja4plus', () => {
    const f = httpRequestFields(req(COOKIE_REQUEST), { ja4plus: false });
    expect(f).not.toHaveProperty('ja4h');
    expect(f).not.toHaveProperty('ja4h_o');
    expect(f.cookie_names).toEqual(['yummy_cookie', 'tasty_cookie']);
  });

  it.each([
    ['origin-form', 'GET /p?q HTTP/1.1', ['Host: h'], 'h', '/p?q'],
    ['absolute-form, no Host', 'GET http://user@proxy.test:8080/x?y HTTP/1.1', [], 'proxy.test:8080', '/x?y'],
    ['absolute-form, empty path', 'GET http://a.test?z HTTP/1.0', [], 'a.test', '/?z'],
    ['absolute-form with Host', 'GET http://a.test/ HTTP/1.1', ['Host: b.test'], 'b.test', '/'],
    ['authority-form', 'CONNECT c.test:443 HTTP/1.1', [], 'c.test:443', 'c.test:443'],
    ['asterisk-form', 'OPTIONS * HTTP/1.1', ['Host: h'], 'h', '*'],
    ['no Host at all', 'GET / HTTP/1.0', [], null, '/'],
  ] as const)('host and path for %s', (_name, line, fields, host, path) => {
    const f = httpRequestFields(req(head(line, fields)), { ja4plus: false });
    expect(f.host).toBe(host);
    expect(f.path).toBe(path);
  });

  it.each([
    [['Content-Length: 12'], 12],
    [['Content-Length: 3, 3'], 3],
    [['Content-Length: 0'], 0],
    [[], null],
  ] as const)('content_length %j → %s', (fields, want) => {
    const body = want === null ? '' : 'x'.repeat(want);
    const f = httpRequestFields(req(head('POST / HTTP/1.1', ['Host: h', ...fields], body)), {
      ja4plus: false,
    });
    expect(f.content_length).toBe(want);
  });

  it('reports an invalid Content-Length as null', () => {
    const r = parseHttpRequests(enc(head('POST / HTTP/1.1', ['Host: h', 'Content-Length: -1'])));
    expect(httpRequestFields(r.requests[0]!, { ja4plus: false }).content_length).toBeNull();
  });

  it('cuts free text at MAX_EVENT_TEXT_CHARS and says so', () => {
    const ua = 'A'.repeat(MAX_EVENT_TEXT_CHARS + 10);
    const f = httpRequestFields(req(head('GET / HTTP/1.1', ['Host: h', 'User-Agent: ' + ua])), {
      ja4plus: true,
    });
    expect(f.user_agent).toBe(ua.slice(0, MAX_EVENT_TEXT_CHARS));
    expect(f.truncated).toBe(true);
  });

  it('carries the request anomalies', () => {
    const f = httpRequestFields(req(head('GET / HTTP/1.1', ['X: y'], '', '\n')), { ja4plus: false });
    expect(f.anomalies).toEqual(['bare_lf', 'missing_host']);
  });
});

describe('httpResponseFields', () => {
  it('gives the status line and the Server field', () => {
    const r = parseHttpResponseStatus(enc(head('HTTP/1.1 403 Forbidden', ['Server: Apache/2.4.57', 'X: y'])));
    expect(httpResponseFields(r.response!)).toEqual({
      http_version: 'HTTP/1.1',
      status_code: 403,
      reason: 'Forbidden',
      server: 'Apache/2.4.57',
      header_names: ['Server', 'X'],
      truncated: false,
    });
  });
});

describe('h2PrefaceFields', () => {
  it('gives settings, the window update and the frame order', () => {
    expect(h2PrefaceFields(parseH2Preface(h2FirstFlight()))).toEqual({
      settings: [
        [1, 65536],
        [2, 0],
        [4, 6291456],
        [6, 262144],
      ],
      settings_sig: '1:65536;2:0;4:6291456;6:262144',
      window_update: 15663105,
      frame_types: [4, 8, 1],
      headers_frame: true,
      anomalies: [],
    });
  });
});
