/**
 * Test-only builders of DTLS wire bytes (RFC 6347 §4.1 record header, §4.2.2 handshake header,
 * RFC 9147 §4 unified header) and a spec-only JA4 / JA4S reference used to derive expected values from
 * tshark's JA3 strings. Nothing here calls the code under test.
 */
import { createHash } from 'node:crypto';
import { type ClientHelloSpec, clientHelloBody, concat, u8, u16, u24, vec8 } from '../tls/builders.js';

export type Bytes = Uint8Array;

/** DTLSPlaintext: type, version, epoch, 48-bit sequence_number, length, fragment. */
export function dtlsRecord(
  contentType: number,
  fragment: Bytes | number[],
  opts: { version?: number; epoch?: number; seq?: number } = {},
): Bytes {
  const seq = opts.seq ?? 0;
  const hi = Math.floor(seq / 0x100000000);
  const lo = seq >>> 0;
  return concat(
    u8(contentType),
    u16(opts.version ?? 0xfefd),
    u16(opts.epoch ?? 0),
    u16(hi),
    u16(lo >>> 16),
    u16(lo & 0xffff),
    u16(fragment.length),
    fragment,
  );
}

/** One handshake fragment: msg_type, length, message_seq, fragment_offset, fragment_length, bytes. */
export function handshakeFragment(
  msgType: number,
  messageSeq: number,
  body: Bytes,
  offset = 0,
  length = body.length - offset,
): Bytes {
  return concat(
    u8(msgType),
    u24(body.length),
    u16(messageSeq),
    u24(offset),
    u24(length),
    body.subarray(offset, offset + length),
  );
}

/** A whole handshake message in one epoch-0 Handshake record. */
export function handshakeRecord(msgType: number, messageSeq: number, body: Bytes, version = 0xfefd): Bytes {
  return dtlsRecord(22, handshakeFragment(msgType, messageSeq, body), { version });
}

/** DTLS ClientHello body (RFC 6347 §4.2.1): the TLS layout with `cookie<0..2^8-1>` after session_id. */
export function dtlsClientHelloBody(spec: ClientHelloSpec & { cookie?: Bytes }): Bytes {
  const tls = clientHelloBody({ legacyVersion: 0xfefd, ...spec });
  const at = 2 + 32 + 1 + tls[34]!;
  return concat(tls.subarray(0, at), vec8(spec.cookie ?? new Uint8Array(0)), tls.subarray(at));
}

/** RFC 9147 unified header record: flags 0b001CSLEE, optional CID, 8/16-bit seq, optional length. */
export function unifiedRecord(
  opts: { cid?: Bytes; seq16?: boolean; withLength?: boolean; epochBits?: number },
  encrypted: Bytes,
): Bytes {
  const cid = opts.cid ?? new Uint8Array(0);
  const flags =
    0x20 |
    (cid.length > 0 ? 0x10 : 0) |
    (opts.seq16 === true ? 0x08 : 0) |
    (opts.withLength === false ? 0 : 0x04) |
    ((opts.epochBits ?? 3) & 3);
  return concat(
    u8(flags),
    cid,
    opts.seq16 === true ? u16(7) : u8(7),
    opts.withLength === false ? [] : u16(encrypted.length),
    encrypted,
  );
}

// ---- spec-only JA4 / JA4S (docs/fingerprints.md §1, §2), for deriving expected values ----

/** JA4 version map of the spec (docs/fingerprints.md §1 step 2). */
const VERSION_CODES: Record<number, string> = {
  772: '13',
  771: '12',
  770: '11',
  769: '10',
  768: 's3',
  2: 's2',
  65279: 'd1',
  65277: 'd2',
  65276: 'd3',
};

function code(v: number): string {
  return VERSION_CODES[v] ?? '00';
}
function count(n: number): string {
  return String(Math.min(99, n)).padStart(2, '0');
}
function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}
/** First 12 hex digits of SHA-256 (JA4's hash), twelve zeros for an empty list. */
export function hash12(s: string): string {
  return s === '' ? '000000000000' : createHash('sha256').update(s).digest('hex').slice(0, 12);
}
function decimals(field: string): number[] {
  return field === '' ? [] : field.split('-').map(Number);
}

/**
 * JA4 / JA4_r of a DTLS ClientHello described by its JA3 string (GREASE already removed, as both
 * methods do), or undefined when the JA3 string does not carry enough: signature_algorithms (13),
 * ALPN (16) or supported_versions (43) present means JA4 needs their contents.
 */
export function ja4FromJa3Full(ja3Full: string): { ja4: string; ja4_r: string } | undefined {
  const [version, ciphers, extensions] = ja3Full.split(',');
  const cs = decimals(ciphers ?? '');
  const es = decimals(extensions ?? '');
  if (es.includes(13) || es.includes(16) || es.includes(43)) return undefined;
  const a =
    'd' + code(Number(version)) + (es.includes(0) ? 'd' : 'i') + count(cs.length) + count(es.length) + '00';
  const b = [...cs]
    .sort((x, y) => x - y)
    .map(hex4)
    .join(',');
  const c = es
    .filter((e) => e !== 0 && e !== 16)
    .sort((x, y) => x - y)
    .map(hex4)
    .join(',');
  return { ja4: `${a}_${hash12(b)}_${hash12(c)}`, ja4_r: `${a}_${b}_${c}` };
}

/**
 * JA4S / JA4S_r of a DTLS ServerHello described by its JA3S string, or undefined when supported_versions
 * (43) or ALPN (16) is present (their contents would be needed).
 */
export function ja4sFromJa3sFull(ja3sFull: string): { ja4s: string; ja4s_r: string } | undefined {
  const [version, cipher, extensions] = ja3sFull.split(',');
  const es = decimals(extensions ?? '');
  if (es.includes(16) || es.includes(43)) return undefined;
  const ab = 'd' + code(Number(version)) + count(es.length) + '00_' + hex4(Number(cipher));
  const list = es.map(hex4).join(',');
  return { ja4s: `${ab}_${hash12(list)}`, ja4s_r: `${ab}_${list}` };
}
