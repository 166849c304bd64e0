import { describe, expect, it } from 'vitest';
import { MAX_START_LINE_BYTES } from '../../../../src/parsers/http/limits.js';
import { parseHttpResponseStatus } from '../../../../src/parsers/http/response.js';
import { enc, head } from './builders.js';

interface Case {
  name: string;
  wire: string;
  status: 'ok' | 'incomplete' | 'invalid';
  response: { version: string; statusCode: number; reason: string; server: string | null } | null;
  anomalies: string[];
}

const CASES: Case[] = [
  {
    name: 'a status line with a Server field',
    wire: head('HTTP/1.1 200 OK', ['Date: x', 'Server: nginx/1.24.0', 'Content-Length: 2'], 'ok'),
    status: 'ok',
    response: { version: 'HTTP/1.1', statusCode: 200, reason: 'OK', server: 'nginx/1.24.0' },
    anomalies: [],
  },
  {
    name: 'a multi-word reason and no Server',
    wire: head('HTTP/1.0 404 Not Found', ['Content-Type: text/html']),
    status: 'ok',
    response: { version: 'HTTP/1.0', statusCode: 404, reason: 'Not Found', server: null },
    anomalies: [],
  },
  {
    name: 'an empty reason phrase after the SP',
    wire: head('HTTP/1.1 204 ', []),
    status: 'ok',
    response: { version: 'HTTP/1.1', statusCode: 204, reason: '', server: null },
    anomalies: [],
  },
  {
    name: 'no SP and no reason phrase',
    wire: head('HTTP/1.1 204', ['server: x']),
    status: 'ok',
    response: { version: 'HTTP/1.1', statusCode: 204, reason: '', server: 'x' },
    anomalies: ['missing_reason_phrase'],
  },
  {
    name: 'HTAB separators and bare LF',
    wire: head('HTTP/1.1\t301\t Moved', ['Server: a'], '', '\n'),
    status: 'ok',
    response: { version: 'HTTP/1.1', statusCode: 301, reason: 'Moved', server: 'a' },
    anomalies: ['bare_lf', 'status_line_whitespace'],
  },
  {
    name: 'the head is not complete yet: status line and the fields so far',
    wire: 'HTTP/1.1 200 OK\r\nServer: Apache\r\nX-',
    status: 'incomplete',
    response: { version: 'HTTP/1.1', statusCode: 200, reason: 'OK', server: 'Apache' },
    anomalies: [],
  },
  { name: 'a partial status line', wire: 'HTTP/1.1 2', status: 'incomplete', response: null, anomalies: [] },
  { name: 'empty data', wire: '', status: 'incomplete', response: null, anomalies: [] },
  {
    name: 'a request',
    wire: 'GET / HTTP/1.1\r\n',
    status: 'invalid',
    response: null,
    anomalies: ['not_http_response'],
  },
  {
    name: 'a partial non-response',
    wire: 'SSH-2.0',
    status: 'invalid',
    response: null,
    anomalies: ['not_http_response'],
  },
  {
    name: 'a four-digit status',
    wire: 'HTTP/1.1 2000 OK\r\n\r\n',
    status: 'invalid',
    response: null,
    anomalies: ['not_http_response'],
  },
  {
    name: 'a letter in the status',
    wire: 'HTTP/1.1 2x0 OK\r\n\r\n',
    status: 'invalid',
    response: null,
    anomalies: ['not_http_response'],
  },
  {
    name: 'a short line',
    wire: 'HTTP/1.1\r\n\r\n',
    status: 'invalid',
    response: null,
    anomalies: ['not_http_response'],
  },
];

describe('parseHttpResponseStatus', () => {
  it.each(CASES)('$name', (c) => {
    const r = parseHttpResponseStatus(enc(c.wire));
    expect(r.status).toBe(c.status);
    expect(r.anomalies.slice().sort()).toEqual(c.anomalies.slice().sort());
    if (c.response === null) {
      expect(r.response).toBeNull();
    } else {
      const { version, statusCode, reason, server } = r.response!;
      expect({ version, statusCode, reason, server }).toEqual(c.response);
      if (c.status === 'ok') expect(r.response!.end).toBe(c.wire.length - (c.wire.endsWith('ok') ? 2 : 0));
    }
  });

  it('rejects an over-long status line', () => {
    const r = parseHttpResponseStatus(enc('HTTP/1.1 200 ' + 'x'.repeat(MAX_START_LINE_BYTES)));
    expect(r.status).toBe('invalid');
    expect(r.anomalies).toEqual(['status_line_too_long']);
  });
});
