/** Test-only builders for HTTP/1.x heads and HTTP/2 frames. */
import { H2_PREFACE } from '../../../../src/parsers/http/h2.js';

export type Bytes = Uint8Array;

/** Wire bytes of a latin1 string (one octet per char). */
export function enc(s: string): Bytes {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

export function concat(...parts: ArrayLike<number>[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A request or response head: start line, field lines, empty line, then `body`; CRLF unless `eol` says. */
export function head(startLine: string, fields: readonly string[], body = '', eol = '\r\n'): string {
  return startLine + eol + fields.map((f) => f + eol).join('') + eol + body;
}

/** One HTTP/2 frame (RFC 9113 §4.1). */
export function h2Frame(
  type: number,
  flags: number,
  streamId: number,
  payload: ArrayLike<number> = [],
): Bytes {
  const n = payload.length;
  return concat(
    [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, type, flags],
    [(streamId >>> 24) & 0xff, (streamId >>> 16) & 0xff, (streamId >>> 8) & 0xff, streamId & 0xff],
    payload,
  );
}

/** SETTINGS payload of (identifier, value) pairs. */
export function settingsPayload(settings: ReadonlyArray<readonly [number, number]>): Bytes {
  const out = new Uint8Array(settings.length * 6);
  const dv = new DataView(out.buffer);
  settings.forEach(([id, value], i) => {
    dv.setUint16(i * 6, id);
    dv.setUint32(i * 6 + 2, value >>> 0);
  });
  return out;
}

/** A u32 payload (WINDOW_UPDATE). */
export function u32(v: number): Bytes {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0);
  return out;
}

/** Preface + SETTINGS + connection WINDOW_UPDATE + HEADERS on stream 1, the usual browser first flight. */
export function h2FirstFlight(
  settings: ReadonlyArray<readonly [number, number]> = [
    [1, 65536],
    [2, 0],
    [4, 6291456],
    [6, 262144],
  ],
  increment = 15663105,
): Bytes {
  return concat(
    H2_PREFACE,
    h2Frame(0x4, 0, 0, settingsPayload(settings)),
    h2Frame(0x8, 0, 0, u32(increment)),
    h2Frame(0x1, 0x25, 1, new Uint8Array(40)),
  );
}
