import type { ByteReader } from '../../util/reader.js';
import { latin1, pushOnce } from '../../util/text.js';
import { NAME_TYPE_HOST_NAME } from './constants.js';

/** One hello extension in wire order; `data` is a view into the parsed buffer (extension_data). */
export interface TlsExtension {
  type: number;
  data: Uint8Array;
}

/** Marks which extension types were already seen in the current block (scratch, reset after each use). */
const seenScratch = new Uint8Array(65536);

/**
 * Parses the `extensions<..2^16-1>` block that ends a hello, starting at the 2-byte block length.
 * Malformed framing is reported in `anomalies` ('bad_extensions_length', 'bad_extension_length',
 * 'duplicate_extension', 'trailing_data'); the extensions that parsed before the fault are kept.
 */
export function parseExtensionBlock(r: ByteReader, anomalies: string[]): TlsExtension[] {
  const out: TlsExtension[] = [];
  if (r.atEnd) return out;
  if (!r.has(2)) {
    pushOnce(anomalies, 'trailing_data');
    r.skip(r.remaining);
    return out;
  }
  let blockLength = r.u16();
  if (blockLength !== r.remaining) {
    if (blockLength > r.remaining) {
      pushOnce(anomalies, 'bad_extensions_length');
      blockLength = r.remaining;
    } else {
      pushOnce(anomalies, 'trailing_data');
    }
  }
  const blockEnd = r.pos + blockLength;
  const data = r.data;
  let p = r.pos;
  let duplicate = false;
  while (p < blockEnd) {
    if (p + 4 > blockEnd) {
      pushOnce(anomalies, 'bad_extension_length');
      break;
    }
    const type = (data[p]! << 8) | data[p + 1]!;
    const len = (data[p + 2]! << 8) | data[p + 3]!;
    if (p + 4 + len > blockEnd) {
      pushOnce(anomalies, 'bad_extension_length');
      break;
    }
    if (seenScratch[type] === 1) duplicate = true;
    seenScratch[type] = 1;
    out.push({ type, data: data.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  for (let i = 0; i < out.length; i++) seenScratch[out[i]!.type] = 0;
  if (duplicate) pushOnce(anomalies, 'duplicate_extension');
  r.pos = r.end;
  return out;
}

export { latin1, pushOnce };

/** Reads a u16 length at `p` and checks that the vector it prefixes ends exactly at `end`. */
function u16VectorSpans(data: Uint8Array, p: number, end: number): boolean {
  return p + 2 <= end && p + 2 + ((data[p]! << 8) | data[p + 1]!) === end;
}

/**
 * server_name (RFC 6066 §3): returns the first host_name as latin1, null if the list holds none, or
 * undefined if the extension is malformed (including an empty list).
 */
export function decodeServerNameList(data: Uint8Array): string | null | undefined {
  const end = data.length;
  if (!u16VectorSpans(data, 0, end) || end === 2) return undefined;
  let name: string | null = null;
  let p = 2;
  while (p < end) {
    if (p + 3 > end) return undefined;
    const nameType = data[p]!;
    const len = (data[p + 1]! << 8) | data[p + 2]!;
    if (p + 3 + len > end) return undefined;
    if (nameType === NAME_TYPE_HOST_NAME && name === null) name = latin1(data.subarray(p + 3, p + 3 + len));
    p += 3 + len;
  }
  return name;
}

/**
 * application_layer_protocol_negotiation (RFC 7301 §3.1): the protocol names in wire order, or undefined
 * if malformed. Empty names are kept (JA4 treats an empty first name as "00").
 */
export function decodeAlpnList(data: Uint8Array): Uint8Array[] | undefined {
  const end = data.length;
  if (!u16VectorSpans(data, 0, end)) return undefined;
  const out: Uint8Array[] = [];
  let p = 2;
  while (p < end) {
    const len = data[p]!;
    if (p + 1 + len > end) return undefined;
    out.push(data.subarray(p + 1, p + 1 + len));
    p += 1 + len;
  }
  return out;
}

/** A vector of u16 with a `prefixBytes`-byte length (1 or 2) spanning the whole extension, or undefined. */
export function decodeU16Vector(data: Uint8Array, prefixBytes: 1 | 2): number[] | undefined {
  if (data.length < prefixBytes) return undefined;
  const len = prefixBytes === 1 ? data[0]! : (data[0]! << 8) | data[1]!;
  if (len !== data.length - prefixBytes || (len & 1) !== 0) return undefined;
  const out: number[] = [];
  for (let p = prefixBytes; p < data.length; p += 2) out.push((data[p]! << 8) | data[p + 1]!);
  return out;
}

/** A vector of u8 with a 1-byte length spanning the whole extension (ec_point_formats, psk modes). */
export function decodeU8Vector(data: Uint8Array): number[] | undefined {
  if (data.length < 1 || data[0]! !== data.length - 1) return undefined;
  return byteList(data, 1, data.length);
}

/** data[start, end) as a number array. */
export function byteList(data: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  for (let p = start; p < end; p++) out.push(data[p]!);
  return out;
}

/** Client key_share (RFC 8446 §4.2.8): the group of every KeyShareEntry, wire order, or undefined. */
export function decodeClientKeyShareGroups(data: Uint8Array): number[] | undefined {
  const end = data.length;
  if (!u16VectorSpans(data, 0, end)) return undefined;
  const out: number[] = [];
  let p = 2;
  while (p < end) {
    if (p + 4 > end) return undefined;
    const len = (data[p + 2]! << 8) | data[p + 3]!;
    if (p + 4 + len > end) return undefined;
    out.push((data[p]! << 8) | data[p + 1]!);
    p += 4 + len;
  }
  return out;
}
