import { describe, expect, it } from 'vitest';
import {
  MAX_HEADER_FIELDS,
  MAX_HEADER_SECTION_BYTES,
  MAX_REQUESTS_PER_STREAM,
  MAX_START_LINE_BYTES,
} from '../../../../src/parsers/http/limits.js';
import { looksLikeHttpRequest, parseHttpRequests } from '../../../../src/parsers/http/request.js';
import { enc, h2FirstFlight, head } from './builders.js';

const GET = head('GET / HTTP/1.1', ['Host: a']);

interface Case {
  name: string;
  wire: string;
  status: 'ok' | 'incomplete' | 'invalid';
  /** Per request: method, target, version, and optionally the headers. */
  requests: Array<{ method: string; target: string; version: string; headers?: Array<[string, string]> }>;
  /** Codes that must be in the stream's anomalies (exactly these when `exact`). */
  anomalies?: string[];
  exact?: boolean;
}

const g = (target = '/', version = 'HTTP/1.1') => ({ method: 'GET', target, version });

const CASES: Case[] = [
  {
    name: 'a plain GET',
    wire: head('GET /index.html?q=1 HTTP/1.1', [
      'Host: example.com',
      'User-Agent: curl/8.5.0',
      'Accept: */*',
    ]),
    status: 'ok',
    requests: [
      {
        ...g('/index.html?q=1'),
        headers: [
          ['Host', 'example.com'],
          ['User-Agent', 'curl/8.5.0'],
          ['Accept', '*/*'],
        ],
      },
    ],
    anomalies: [],
    exact: true,
  },
  {
    name: 'pipelined requests across a Content-Length body',
    wire:
      GET +
      head('POST /login HTTP/1.1', ['Host: a', 'Content-Length: 7'], 'u=x&p=y') +
      head('HEAD /x HTTP/1.1', ['Host: a']),
    status: 'ok',
    requests: [
      g(),
      { method: 'POST', target: '/login', version: 'HTTP/1.1' },
      { method: 'HEAD', target: '/x', version: 'HTTP/1.1' },
    ],
    anomalies: [],
    exact: true,
  },
  {
    name: 'pipelined requests across a chunked body with trailers',
    wire:
      head(
        'POST /up HTTP/1.1',
        ['Host: a', 'Transfer-Encoding: gzip, chunked'],
        '5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n',
      ) + GET,
    status: 'ok',
    requests: [{ method: 'POST', target: '/up', version: 'HTTP/1.1' }, g()],
    anomalies: [],
    exact: true,
  },
  {
    name: 'bare LF line endings',
    wire: head('GET / HTTP/1.0', ['Host: a', 'X: y'], '', '\n'),
    status: 'ok',
    requests: [
      {
        ...g('/', 'HTTP/1.0'),
        headers: [
          ['Host', 'a'],
          ['X', 'y'],
        ],
      },
    ],
    anomalies: ['bare_lf'],
    exact: true,
  },
  {
    name: 'obs-fold is unfolded into one SP',
    wire: head('GET / HTTP/1.1', ['Host: a', 'X-Long: first', ' \t second ', '\tthird']),
    status: 'ok',
    requests: [
      {
        ...g(),
        headers: [
          ['Host', 'a'],
          ['X-Long', 'first second third'],
        ],
      },
    ],
    anomalies: ['obs_fold'],
    exact: true,
  },
  {
    name: 'whitespace-preceded line before the first field is skipped',
    wire: head('GET / HTTP/1.1', [' Evil: 1', 'Host: a']),
    status: 'ok',
    requests: [{ ...g(), headers: [['Host', 'a']] }],
    anomalies: ['whitespace_before_first_field'],
    exact: true,
  },
  {
    name: 'field lines without a colon or with an empty name are flagged and skipped',
    wire: head('GET / HTTP/1.1', ['Host: a', 'NoColonHere', ': empty-name', 'X: 1']),
    status: 'ok',
    requests: [
      {
        ...g(),
        headers: [
          ['Host', 'a'],
          ['X', '1'],
        ],
      },
    ],
    anomalies: ['field_line_without_colon', 'empty_field_name'],
    exact: true,
  },
  {
    name: 'whitespace before the colon stays in the name; non-token names are flagged',
    wire: head('GET / HTTP/1.1', ['Host : a', 'Bad@Name: 1']),
    status: 'ok',
    requests: [
      {
        ...g(),
        headers: [
          ['Host ', 'a'],
          ['Bad@Name', '1'],
        ],
      },
    ],
    anomalies: ['whitespace_before_colon', 'bad_field_name', 'missing_host'],
    exact: true,
  },
  {
    name: 'missing Host in HTTP/1.1',
    wire: head('GET / HTTP/1.1', ['Accept: */*']),
    status: 'ok',
    requests: [g()],
    anomalies: ['missing_host'],
    exact: true,
  },
  {
    name: 'missing Host is fine in HTTP/1.0',
    wire: head('GET / HTTP/1.0', []),
    status: 'ok',
    requests: [g('/', 'HTTP/1.0')],
    anomalies: [],
    exact: true,
  },
  {
    name: 'duplicate Host',
    wire: head('GET / HTTP/1.1', ['Host: a', 'host: b']),
    status: 'ok',
    requests: [g()],
    anomalies: ['duplicate_host'],
    exact: true,
  },
  {
    name: 'bare CR and NUL in a value become SP; other CTLs are flagged',
    wire: head('GET / HTTP/1.1', ['Host: a\rb', 'X: c\u0000d\u0001']),
    status: 'ok',
    requests: [
      {
        ...g(),
        headers: [
          ['Host', 'a b'],
          ['X', 'c d\u0001'],
        ],
      },
    ],
    anomalies: ['bare_cr', 'bad_field_value'],
    exact: true,
  },
  {
    name: 'values are latin1, raw case of names is kept',
    wire: head('GET / HTTP/1.1', ['HOST: caf\u00e9', 'x-MiXeD:   v  ']),
    status: 'ok',
    requests: [
      {
        ...g(),
        headers: [
          ['HOST', 'caf\u00e9'],
          ['x-MiXeD', 'v'],
        ],
      },
    ],
    anomalies: [],
    exact: true,
  },
  {
    name: 'leading empty lines before the request line',
    wire: '\r\n\n' + GET,
    status: 'ok',
    requests: [g()],
    anomalies: ['leading_empty_lines'],
    exact: true,
  },
  {
    name: 'whitespace runs in the request line',
    wire: head('GET \t/a  HTTP/1.1 ', ['Host: a']),
    status: 'ok',
    requests: [g('/a')],
    anomalies: ['request_line_whitespace'],
    exact: true,
  },
  {
    name: 'a target containing spaces is kept whole (gre-erspan-vxlan.pcap sends one)',
    wire: 'GET /Hello Arkime HTTP/1.0\r\n\r\n',
    status: 'ok',
    requests: [g('/Hello Arkime', 'HTTP/1.0')],
    anomalies: ['whitespace_in_target'],
    exact: true,
  },
  {
    name: 'non-ASCII bytes in the target',
    wire: head('GET /\u00ff HTTP/1.1', ['Host: a']),
    status: 'ok',
    requests: [g('/\u00ff')],
    anomalies: ['bad_request_target'],
    exact: true,
  },
  {
    name: 'other HTTP majors are parsed and flagged',
    wire: head('GET / HTTP/2.0', ['Host: a']),
    status: 'ok',
    requests: [g('/', 'HTTP/2.0')],
    anomalies: ['unsupported_http_version'],
    exact: true,
  },
  {
    name: 'CONNECT hands the stream to a tunnel',
    wire:
      head('CONNECT example.com:443 HTTP/1.1', ['Host: example.com:443']) + '\u0016\u0003\u0001\u0002\u0000',
    status: 'ok',
    requests: [{ method: 'CONNECT', target: 'example.com:443', version: 'HTTP/1.1' }],
  },
  {
    name: 'Upgrade hands the stream to another protocol',
    wire:
      head('GET /ws HTTP/1.1', ['Host: a', 'Connection: Upgrade', 'Upgrade: websocket']) +
      '\u0081\u0085binary',
    status: 'ok',
    requests: [g('/ws')],
  },
  { name: 'empty data', wire: '', status: 'incomplete', requests: [] },
  { name: 'only empty lines', wire: '\r\n\r\n', status: 'incomplete', requests: [] },
  { name: 'a partial request line', wire: 'GET /very/long', status: 'incomplete', requests: [] },
  { name: 'a partial method', wire: 'OPTI', status: 'incomplete', requests: [] },
  { name: 'a partial head', wire: 'GET / HTTP/1.1\r\nHost: a\r\n', status: 'incomplete', requests: [] },
  {
    name: 'a complete head then a partial one',
    wire: GET + 'GET /next HTTP/1.1\r\nHo',
    status: 'incomplete',
    requests: [g()],
  },
  {
    name: 'a body that runs past the data',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Content-Length: 100'], 'abc'),
    status: 'incomplete',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }],
  },
  {
    name: 'a chunked body that runs past the data',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Transfer-Encoding: chunked'], '10\r\nabc'),
    status: 'incomplete',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }],
  },
  {
    name: 'a non-token method',
    wire: 'G(T / HTTP/1.1\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['bad_method'],
  },
  {
    name: 'TLS bytes',
    wire: '\u0016\u0003\u0001\u0002\u0000\u0001',
    status: 'invalid',
    requests: [],
    anomalies: ['bad_method'],
  },
  {
    name: 'a server response',
    wire: 'HTTP/1.1 200 OK\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['bad_method'],
  },
  {
    name: 'HTTP/0.9',
    wire: 'GET /\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['missing_http_version'],
  },
  {
    name: 'a one-word line',
    wire: 'GET\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['bad_request_line'],
  },
  {
    name: 'a lower-case HTTP name',
    wire: 'GET / http/1.1\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['bad_http_version'],
  },
  {
    name: 'a malformed version',
    wire: 'GET / HTTP/1.10\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['bad_http_version'],
  },
  {
    name: 'the HTTP/2 preface',
    wire: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    status: 'invalid',
    requests: [],
    anomalies: ['http2_preface'],
  },
  {
    name: 'an invalid Content-Length keeps the head and stops',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Content-Length: 1x']) + GET,
    status: 'invalid',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }],
    anomalies: ['bad_content_length'],
  },
  {
    name: 'differing Content-Length values',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Content-Length: 5, 6']),
    status: 'invalid',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }],
    anomalies: ['bad_content_length'],
  },
  {
    name: 'repeated equal Content-Length values are one length',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Content-Length: 2, 2', 'Content-Length: 2'], 'ok') + GET,
    status: 'ok',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }, g()],
    anomalies: [],
    exact: true,
  },
  {
    name: 'Transfer-Encoding with Content-Length (request smuggling shape)',
    wire:
      head('POST / HTTP/1.1', ['Host: a', 'Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n') +
      GET,
    status: 'ok',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }, g()],
    anomalies: ['content_length_with_transfer_encoding'],
    exact: true,
  },
  {
    name: 'a final coding other than chunked',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Transfer-Encoding: chunked, gzip']),
    status: 'invalid',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }],
    anomalies: ['bad_transfer_encoding'],
  },
  {
    name: 'Transfer-Encoding in HTTP/1.0 ends the stream after the head',
    wire: head('POST / HTTP/1.0', ['Transfer-Encoding: chunked'], '0\r\n\r\n') + GET,
    status: 'ok',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.0' }],
    anomalies: ['transfer_encoding_in_http10'],
  },
  {
    name: 'a malformed chunk size',
    wire: head('POST / HTTP/1.1', ['Host: a', 'Transfer-Encoding: chunked'], 'zz\r\n'),
    status: 'invalid',
    requests: [{ method: 'POST', target: '/', version: 'HTTP/1.1' }],
    anomalies: ['bad_chunked_body'],
  },
  {
    name: 'garbage after a request with no declared body',
    wire: GET + '\u0000\u0001binary',
    status: 'invalid',
    requests: [g()],
    anomalies: ['bad_method'],
  },
];

describe('parseHttpRequests', () => {
  it.each(CASES)('$name', (c) => {
    const data = enc(c.wire);
    const r = parseHttpRequests(data);
    expect(r.status).toBe(c.status);
    expect(r.requests.map(({ method, target, version }) => ({ method, target, version }))).toEqual(
      c.requests.map(({ method, target, version }) => ({ method, target, version })),
    );
    c.requests.forEach((want, i) => {
      if (want.headers !== undefined) expect(r.requests[i]!.headers).toEqual(want.headers);
    });
    if (c.anomalies !== undefined) {
      if (c.exact === true) expect(r.anomalies.slice().sort()).toEqual(c.anomalies.slice().sort());
      else for (const a of c.anomalies) expect(r.anomalies).toContain(a);
    }
    let last = 0;
    for (const req of r.requests) {
      expect(req.end).toBeGreaterThan(last);
      expect(req.end).toBeLessThanOrEqual(data.length);
      last = req.end;
      for (const a of req.anomalies) expect(r.anomalies).toContain(a);
    }
    if (c.status === 'ok' && c.exact === true) expect(last).toBeLessThanOrEqual(data.length);
  });

  it('reports where each head ends', () => {
    const second = head('GET /2 HTTP/1.1', ['Host: a']);
    const r = parseHttpRequests(enc(GET + second));
    expect(r.requests.map((q) => q.end)).toEqual([GET.length, GET.length + second.length]);
  });

  it('keeps per-request anomalies apart', () => {
    const r = parseHttpRequests(
      enc(head('GET / HTTP/1.1', ['Host: a'], '', '\n') + head('GET / HTTP/1.1', [])),
    );
    expect(r.requests[0]!.anomalies).toEqual(['bare_lf']);
    expect(r.requests[1]!.anomalies).toEqual(['missing_host']);
    expect(r.anomalies).toEqual(['bare_lf', 'missing_host']);
  });

  it(`stops at ${MAX_REQUESTS_PER_STREAM} requests`, () => {
    const r = parseHttpRequests(enc(GET.repeat(MAX_REQUESTS_PER_STREAM + 3)));
    expect(r.requests).toHaveLength(MAX_REQUESTS_PER_STREAM);
    expect(r.status).toBe('ok');
    expect(r.anomalies).toEqual(['too_many_requests']);
    expect(parseHttpRequests(enc(GET.repeat(MAX_REQUESTS_PER_STREAM))).anomalies).toEqual([]);
  });

  it('rejects a request line longer than MAX_START_LINE_BYTES, and waits below it', () => {
    const long = 'GET /' + 'a'.repeat(MAX_START_LINE_BYTES);
    const r = parseHttpRequests(enc(long));
    expect(r.status).toBe('invalid');
    expect(r.anomalies).toEqual(['request_line_too_long']);
    expect(parseHttpRequests(enc(long.slice(0, MAX_START_LINE_BYTES - 1))).status).toBe('incomplete');
    const fits = 'GET /' + 'a'.repeat(MAX_START_LINE_BYTES - 16) + ' HTTP/1.1\r\nHost: a\r\n\r\n';
    expect(parseHttpRequests(enc(fits)).status).toBe('ok');
  });

  it('rejects a header section longer than MAX_HEADER_SECTION_BYTES (a huge header)', () => {
    const huge = 'GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'x'.repeat(MAX_HEADER_SECTION_BYTES);
    const r = parseHttpRequests(enc(huge));
    expect(r.status).toBe('invalid');
    expect(r.requests).toEqual([]);
    expect(r.anomalies).toContain('header_section_too_long');
    // A big header that fits is fine, and one whose end is not there yet is incomplete.
    const fits =
      'GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'x'.repeat(MAX_HEADER_SECTION_BYTES - 100) + '\r\n\r\n';
    expect(parseHttpRequests(enc(fits)).status).toBe('ok');
    expect(parseHttpRequests(enc(huge.slice(0, 40_000))).status).toBe('incomplete');
  });

  it(`rejects more than ${MAX_HEADER_FIELDS} field lines`, () => {
    const fields = Array.from({ length: MAX_HEADER_FIELDS + 1 }, (_, i) => `X-${i}: v`);
    const r = parseHttpRequests(enc(head('GET / HTTP/1.1', fields)));
    expect(r.status).toBe('invalid');
    expect(r.anomalies).toContain('too_many_header_fields');
    expect(parseHttpRequests(enc(head('GET / HTTP/1.1', fields.slice(1)))).status).toBe('ok');
  });

  it('refers HTTP/2 prior knowledge to parseH2Preface', () => {
    const r = parseHttpRequests(h2FirstFlight());
    expect(r.status).toBe('invalid');
    expect(r.anomalies).toEqual(['http2_preface']);
  });
});

describe('looksLikeHttpRequest', () => {
  it.each([
    ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', true],
    ['POST /login HTTP/1.0\r\n', true],
    ['M-SEARCH * HTTP/1.1\r\n', true],
    ['\r\nGET / HTTP/1.1\r\n', true],
    ['GET /a-very-long-path-whose-line-end-is-not-here-yet', true],
    ['GET / HTTP/1.1 \r\n', true],
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', true],
    ['GET ', true],
    ['GET', false],
    ['', false],
    [' GET / HTTP/1.1\r\n', false],
    ['GET  / HTTP/1.1\r\n', false],
    ['GET /\r\n', false],
    ['SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n', false],
    ['EHLO mail.example.com\r\n', false],
    ['HTTP/1.1 200 OK\r\n', false],
    ['\u0016\u0003\u0001\u0002\u0000', false],
    ['A'.repeat(30) + ' / HTTP/1.1\r\n', false],
  ])('%j → %s', (wire, want) => {
    expect(looksLikeHttpRequest(enc(wire))).toBe(want);
  });
});
