import { ja4h } from '../../fingerprints/ja4plus/ja4h.js';
import type { H2PrefaceResult } from './h2.js';
import { MAX_EVENT_LIST_ENTRIES, MAX_EVENT_TEXT_CHARS } from './limits.js';
import type { HttpRequest } from './request.js';
import type { HttpResponseHead } from './response.js';
import { headerValue, headerValues } from './syntax.js';

/** Options for the event-field builders. */
export interface HttpOptions {
  /** Compute the FoxIO-licensed JA4+ methods (JA4H); false with `--no-ja4plus`. */
  ja4plus: boolean;
}

/** Cuts free text to {@link MAX_EVENT_TEXT_CHARS}, remembering that something was cut. */
class Clipper {
  truncated = false;
  text(s: string): string {
    if (s.length <= MAX_EVENT_TEXT_CHARS) return s;
    this.truncated = true;
    return s.slice(0, MAX_EVENT_TEXT_CHARS);
  }
  nullable(s: string | null): string | null {
    return s === null ? null : this.text(s);
  }
  list(l: readonly string[]): string[] {
    if (l.length > MAX_EVENT_LIST_ENTRIES) this.truncated = true;
    return l.slice(0, MAX_EVENT_LIST_ENTRIES).map((s) => this.text(s));
  }
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)(.*)$/s;

/** Authority of an absolute-form target without userinfo, or null (RFC 9112 §3.2.2). */
function targetAuthority(target: string): string | null {
  const m = ABSOLUTE_FORM.exec(target);
  if (m === null) return null;
  const authority = m[1]!;
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** The path (and query) a request asks for: the origin-form itself, or the path of an absolute-form. */
function targetPath(target: string): string {
  const m = ABSOLUTE_FORM.exec(target);
  if (m === null) return target; // origin-form, asterisk-form, authority-form, or junk: as sent
  const rest = m[2]!;
  return rest.startsWith('/') ? rest : '/' + rest;
}

/** Cookie names of every Cookie field in wire order (RFC 6265 §4.2.1 cookie-string); never values. */
export function cookieNames(headers: HttpRequest['headers']): string[] {
  const out: string[] = [];
  for (const value of headerValues(headers, 'cookie')) {
    for (const piece of value.split(';')) {
      const eq = piece.indexOf('=');
      const name = (eq < 0 ? piece : piece.slice(0, eq)).replace(/^[ \t]+|[ \t]+$/g, '');
      if (name.length > 0) out.push(name);
    }
  }
  return out;
}

/** Content-Length as a number when it is one valid value (RFC 9110 §8.6), else null. */
function contentLength(headers: HttpRequest['headers']): number | null {
  const values = headerValues(headers, 'content-length')
    .flatMap((v) => v.split(','))
    .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
  const first = values[0];
  if (first === undefined || !/^[0-9]{1,15}$/.test(first) || values.some((v) => v !== first)) return null;
  return Number(first);
}

/**
 * Event fields for an http_request event. Cookie values never appear: only `cookie_names`, and JA4H
 * hashes them; the raw JA4H variants (which print the values) are left out for that reason. Free text
 * is cut at MAX_EVENT_TEXT_CHARS (`truncated` says so).
 */
export function httpRequestFields(req: HttpRequest, opts: HttpOptions): Record<string, unknown> {
  const clip = new Clipper();
  const host =
    headerValue(req.headers, 'host') ??
    targetAuthority(req.target) ??
    (req.method === 'CONNECT' ? req.target : null);
  const fields: Record<string, unknown> = {
    method: clip.text(req.method),
    host: clip.nullable(host),
    path: clip.text(targetPath(req.target)),
    target: clip.text(req.target),
    http_version: req.version,
    user_agent: clip.nullable(headerValue(req.headers, 'user-agent')),
    header_names: clip.list(req.headers.map(([name]) => name)),
    header_count: req.headers.length,
  };
  if (opts.ja4plus) {
    const j = ja4h(req);
    fields.ja4h = j.ja4h;
    fields.ja4h_o = j.ja4h_o;
  }
  fields.cookie_names = clip.list(cookieNames(req.headers));
  fields.accept_language = clip.nullable(headerValue(req.headers, 'accept-language'));
  fields.content_length = contentLength(req.headers);
  fields.anomalies = req.anomalies.slice();
  fields.truncated = clip.truncated;
  return fields;
}

/** Event fields for the server's response head (status line and Server field). */
export function httpResponseFields(res: HttpResponseHead): Record<string, unknown> {
  const clip = new Clipper();
  const fields: Record<string, unknown> = {
    http_version: res.version,
    status_code: res.statusCode,
    reason: clip.text(res.reason),
    server: clip.nullable(res.server),
    header_names: clip.list(res.headers.map(([name]) => name)),
  };
  fields.truncated = clip.truncated;
  return fields;
}

/**
 * Event fields for a cleartext HTTP/2 client preface: SETTINGS in wire order (also as the
 * `id:value;…` string the Akamai HTTP/2 fingerprint starts with), the connection WINDOW_UPDATE
 * increment, the frame types seen and whether a HEADERS frame followed.
 */
export function h2PrefaceFields(p: H2PrefaceResult): Record<string, unknown> {
  const settings = p.settings ?? [];
  return {
    settings: settings.map(([id, value]) => [id, value]),
    settings_sig: settings.map(([id, value]) => `${id}:${value}`).join(';'),
    window_update: p.windowUpdate,
    frame_types: p.frameTypes.slice(),
    headers_frame: p.headers !== null,
    anomalies: p.anomalies.slice(),
  };
}
