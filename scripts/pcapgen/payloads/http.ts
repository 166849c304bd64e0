// HTTP/1.1 messages (RFC 9112) with the header orders of common clients and scanners.

import type { Prng } from '../prng.js';

export interface HttpRequestSpec {
  method: string;
  target: string;
  version?: string | undefined;
  // Header fields in wire order.
  headers: ReadonlyArray<readonly [string, string]>;
  body?: Uint8Array | string | undefined;
}

// Encodes a request line, header fields in order, the empty line and the body.
export function encodeHttpRequest(spec: HttpRequestSpec): Buffer {
  const head = `${spec.method} ${spec.target} ${spec.version ?? 'HTTP/1.1'}\r\n${spec.headers
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  const body =
    spec.body === undefined
      ? undefined
      : typeof spec.body === 'string'
        ? Buffer.from(spec.body, 'latin1')
        : spec.body;
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

export type HttpClientProfile = 'curl' | 'python-requests' | 'go' | 'zgrab' | 'chrome' | 'wget' | 'mirai';

export const HTTP_CLIENT_PROFILES: readonly HttpClientProfile[] = [
  'curl',
  'python-requests',
  'go',
  'zgrab',
  'chrome',
  'wget',
  'mirai',
];

const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

// Header fields, in that client's order, for a request to host.
export function httpClientHeaders(
  profile: HttpClientProfile,
  host: string,
  hasBody: number | undefined,
): Array<[string, string]> {
  const len: Array<[string, string]> = hasBody === undefined ? [] : [['Content-Length', String(hasBody)]];
  switch (profile) {
    case 'curl':
      return [['Host', host], ['User-Agent', 'curl/7.88.1'], ['Accept', '*/*'], ...len];
    case 'python-requests':
      return [
        ['Host', host],
        ['User-Agent', 'python-requests/2.31.0'],
        ['Accept-Encoding', 'gzip, deflate'],
        ['Accept', '*/*'],
        ['Connection', 'keep-alive'],
        ...len,
      ];
    case 'go':
      return [['Host', host], ['User-Agent', 'Go-http-client/1.1'], ...len, ['Accept-Encoding', 'gzip']];
    case 'zgrab':
      return [
        ['Host', host],
        ['User-Agent', 'Mozilla/5.0 zgrab/0.x'],
        ['Accept', '*/*'],
        ['Accept-Encoding', 'gzip'],
        ...len,
      ];
    case 'chrome':
      return [
        ['Host', host],
        ['Connection', 'keep-alive'],
        ['Upgrade-Insecure-Requests', '1'],
        ['User-Agent', CHROME_UA],
        ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'],
        ['Accept-Encoding', 'gzip, deflate'],
        ['Accept-Language', 'en-US,en;q=0.9'],
        ...len,
      ];
    case 'wget':
      return [
        ['User-Agent', 'Wget/1.21.3'],
        ['Accept', '*/*'],
        ['Accept-Encoding', 'identity'],
        ['Host', host],
        ['Connection', 'Keep-Alive'],
        ...len,
      ];
    case 'mirai':
      return [
        ['Host', host],
        ['Connection', 'keep-alive'],
        ['Accept-Encoding', 'gzip, deflate'],
        ['Accept', '*/*'],
        ['User-Agent', 'Hello, World'],
        ...len,
      ];
  }
}

// Paths scanners and exploit kits ask decoys for.
export const SCANNER_PATHS: readonly string[] = [
  '/',
  '/',
  '/',
  '/favicon.ico',
  '/robots.txt',
  '/.env',
  '/.git/config',
  '/wp-login.php',
  '/xmlrpc.php',
  '/admin',
  '/login',
  '/phpmyadmin/',
  '/actuator/health',
  '/server-status',
  '/boaform/admin/formLogin',
  '/HNAP1/',
  '/cgi-bin/luci/;stok=/locale',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/solr/admin/info/system?wt=json',
  '/owa/auth/logon.aspx',
  '/remote/login',
  '/api/v1/pods',
  '/.DS_Store',
  '/config.json',
];

// A request of a client profile with a random scanner path (or the given one); POSTs carry a form body.
export function buildHttpRequest(
  profile: HttpClientProfile,
  host: string,
  prng: Prng,
  opts: { method?: string | undefined; target?: string | undefined } = {},
): Buffer {
  const method = opts.method ?? (prng.chance(0.85) ? 'GET' : prng.chance(0.7) ? 'POST' : 'HEAD');
  const target = opts.target ?? prng.pick(SCANNER_PATHS);
  const body =
    method === 'POST'
      ? `username=${prng.pick(['admin', 'root', 'user', 'test'])}&password=${prng.pick(['admin', '123456', 'password', 'root', 'changeme'])}`
      : undefined;
  return encodeHttpRequest({
    method,
    target,
    headers: httpClientHeaders(profile, host, body?.length),
    body,
  });
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

const responseCache = new Map<string, Buffer>();

// An HTTP/1.1 response from an nginx-looking decoy; Date taken from tsMicros. Responses with the
// default body are cached per second (treat the returned Buffer as read-only).
export function buildHttpResponse(status: number, tsMicros: number, opts: HttpResponseOptions = {}): Buffer {
  if (opts.body !== undefined) return encodeHttpResponse(status, tsMicros, opts);
  const key = `${status}|${Math.floor(tsMicros / 1e6)}|${opts.close !== false}|${opts.server ?? ''}|${opts.bodyLength}`;
  let r = responseCache.get(key);
  if (r === undefined) {
    r = encodeHttpResponse(status, tsMicros, opts);
    if (responseCache.size >= 4096) responseCache.clear();
    responseCache.set(key, r);
  }
  return r;
}

export interface HttpResponseOptions {
  server?: string | undefined;
  body?: string | undefined;
  // Length of a generated HTML body (used when body is absent).
  bodyLength?: number | undefined;
  close?: boolean | undefined;
}

// An HTML page of exactly n bytes (n >= 64).
function htmlOfLength(n: number): string {
  const head = '<!DOCTYPE html>\n<html>\n<head><title>Welcome</title></head>\n<body>\n';
  const tail = '</body>\n</html>\n';
  const line = '<p>It works! This is the default web page for this server.</p>\n';
  let mid = '';
  while (head.length + mid.length + tail.length + line.length <= n) mid += line;
  return head + mid + ' '.repeat(Math.max(0, n - head.length - mid.length - tail.length)) + tail;
}

function encodeHttpResponse(status: number, tsMicros: number, opts: HttpResponseOptions): Buffer {
  const reason = REASONS[status] ?? 'OK';
  const body =
    opts.body ??
    (opts.bodyLength !== undefined ? htmlOfLength(Math.max(64, opts.bodyLength)) : undefined) ??
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx/1.18.0 (Ubuntu)</center>\r\n</body>\r\n</html>\r\n`;
  const date = new Date(Math.floor(tsMicros / 1000)).toUTCString();
  const head =
    `HTTP/1.1 ${status} ${reason}\r\n` +
    `Server: ${opts.server ?? 'nginx/1.18.0 (Ubuntu)'}\r\n` +
    `Date: ${date}\r\n` +
    'Content-Type: text/html\r\n' +
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` +
    `Connection: ${opts.close === false ? 'keep-alive' : 'close'}\r\n\r\n`;
  return Buffer.from(head + body, 'latin1');
}
