import { latin1, pushOnce } from '../../util/text.js';
import { contents, Der, DerReader, type Tlv, toHex } from './der.js';
import { MAX_NAME_ATTRIBUTES, MAX_TEXT_CHARS } from './limits.js';
import { ATTRIBUTE_SHORT_NAMES, oidToString } from './oid.js';

/** One AttributeTypeAndValue of a Name (RFC 5280 §4.1.2.4). */
export interface X509Attribute {
  /** Dotted OID, or null when the OID is malformed. */
  oid: string | null;
  /** Lower-case hex of the OID's DER content octets (no tag, no length), as JA4X hashes it. */
  oidHex: string;
  /** RFC 4514 short name ('CN', 'O', …) or another well-known name ('emailAddress'), else null. */
  shortName: string | null;
  /**
   * The value as text: string types decoded (UTF8String as UTF-8, BMPString as UTF-16, UniversalString
   * as UTF-32, the 8-bit types as Latin-1; invalid sequences become U+FFFD); any other type is '#'
   * followed by the hex of its whole DER encoding (RFC 4514 §2.4). Cut at MAX_TEXT_CHARS.
   */
  value: string;
  /** The value's DER identifier octet (0x0c UTF8String, 0x13 PrintableString, …). */
  valueTag: number;
}

/** A Name: issuer or subject. */
export interface X509Name {
  /** RelativeDistinguishedNames in wire order, each with its attributes in wire order. */
  rdns: X509Attribute[][];
  /**
   * RFC 4514 string: the RDNs in *reverse* wire order (RFC 4514 §2.1, so a name encoded C, O, CN reads
   * "CN=example.com,O=Example Inc,C=US"), a multi-valued RDN's attributes joined by '+' in wire order,
   * types by short name or dotted OID ('#' + OID hex when the OID is malformed), values escaped per
   * RFC 4514 §2.4 with control characters as \XX. Empty for an empty Name.
   */
  text: string;
  /** The Name's whole DER encoding (a view into the certificate). */
  der: Uint8Array;
}

/** Why a Name did not parse. */
export type NameError = 'bad_name' | 'too_many_attributes';

/**
 * Parses a Name (SEQUENCE OF SET OF AttributeTypeAndValue) whose TLV is `tlv`. Framing faults fail;
 * content faults are added to `anomalies` ('empty_rdn', 'bad_oid', 'bad_string', 'long_value').
 */
export function parseName(data: Uint8Array, tlv: Tlv, anomalies: string[]): X509Name | NameError {
  const rdns: X509Attribute[][] = [];
  let count = 0;
  const outer = DerReader.inside(data, tlv);
  while (!outer.atEnd) {
    const set = outer.expect(Der.SET);
    if (set === null) return 'bad_name';
    const rdn: X509Attribute[] = [];
    const inner = DerReader.inside(data, set);
    while (!inner.atEnd) {
      const atv = inner.expect(Der.SEQUENCE);
      if (atv === null) return 'bad_name';
      if (++count > MAX_NAME_ATTRIBUTES) return 'too_many_attributes';
      const r = DerReader.inside(data, atv);
      const type = r.expect(Der.OBJECT_IDENTIFIER);
      const value = type === null ? null : r.next();
      if (type === null || value === null || !r.atEnd) return 'bad_name';
      const oidBytes = contents(data, type);
      const oid = oidToString(oidBytes);
      if (oid === null) pushOnce(anomalies, 'bad_oid');
      rdn.push({
        oid,
        oidHex: toHex(oidBytes),
        shortName: oid === null ? null : (ATTRIBUTE_SHORT_NAMES[oid] ?? null),
        value: attributeValue(data, value, anomalies),
        valueTag: value.id,
      });
    }
    if (rdn.length === 0) pushOnce(anomalies, 'empty_rdn');
    rdns.push(rdn);
  }
  return { rdns, text: rfc4514(rdns), der: data.subarray(tlv.start, tlv.end) };
}

/** The text of an attribute value (see {@link X509Attribute.value}). */
function attributeValue(data: Uint8Array, v: Tlv, anomalies: string[]): string {
  const text = decodeString(data, v, anomalies);
  if (text !== null) return text;
  return cut('#' + toHex(data.subarray(v.start, Math.min(v.end, v.start + MAX_TEXT_CHARS))), anomalies);
}

/**
 * Decodes a string-typed TLV (ASN.1 character string types, X.680 §41) to text cut at MAX_TEXT_CHARS;
 * null when the TLV is not a string type.
 */
export function decodeString(data: Uint8Array, v: Tlv, anomalies: string[]): string | null {
  // Never decode more bytes than can yield MAX_TEXT_CHARS characters (4 bytes per character at most).
  const end = Math.min(v.end, v.contentStart + 4 * (MAX_TEXT_CHARS + 1));
  const c = data.subarray(v.contentStart, end);
  let s: string;
  switch (v.id) {
    case Der.UTF8_STRING:
      s = UTF8.decode(c);
      break;
    case Der.NUMERIC_STRING:
    case Der.PRINTABLE_STRING:
    case Der.IA5_STRING:
    case Der.VISIBLE_STRING:
    case Der.TELETEX_STRING:
    case Der.VIDEOTEX_STRING:
    case Der.GRAPHIC_STRING:
    case Der.GENERAL_STRING:
      s = latin1(c);
      break;
    case Der.BMP_STRING:
      if ((v.end - v.contentStart) % 2 !== 0) pushOnce(anomalies, 'bad_string');
      s = utf16be(c);
      break;
    case Der.UNIVERSAL_STRING:
      if ((v.end - v.contentStart) % 4 !== 0) pushOnce(anomalies, 'bad_string');
      s = utf32be(c);
      break;
    default:
      return null;
  }
  return cut(s, anomalies);
}

/** Identifier octets {@link decodeString} decodes. */
const STRING_TAGS: ReadonlySet<number> = new Set([
  Der.UTF8_STRING,
  Der.NUMERIC_STRING,
  Der.PRINTABLE_STRING,
  Der.IA5_STRING,
  Der.VISIBLE_STRING,
  Der.TELETEX_STRING,
  Der.VIDEOTEX_STRING,
  Der.GRAPHIC_STRING,
  Der.GENERAL_STRING,
  Der.BMP_STRING,
  Der.UNIVERSAL_STRING,
]);

const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export { latin1 };

function utf16be(c: Uint8Array): string {
  let s = '';
  const n = c.length - (c.length % 2);
  for (let i = 0; i < n; i += 2) {
    const u = (c[i]! << 8) | c[i + 1]!;
    if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
      const lo = (c[i + 2]! << 8) | c[i + 3]!;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        s += String.fromCharCode(u, lo);
        i += 2;
        continue;
      }
    }
    s += u >= 0xd800 && u <= 0xdfff ? '\ufffd' : String.fromCharCode(u);
  }
  return s;
}

function utf32be(c: Uint8Array): string {
  let s = '';
  const n = c.length - (c.length % 4);
  for (let i = 0; i < n; i += 4) {
    const u = ((c[i]! << 24) >>> 0) + ((c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!);
    s += u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff) ? '\ufffd' : String.fromCodePoint(u);
  }
  return s;
}

function cut(s: string, anomalies: string[]): string {
  if (s.length <= MAX_TEXT_CHARS) return s;
  pushOnce(anomalies, 'long_value');
  return s.slice(0, MAX_TEXT_CHARS);
}

/** The RFC 4514 string of `rdns` (see {@link X509Name.text}). */
function rfc4514(rdns: X509Attribute[][]): string {
  const parts: string[] = [];
  for (let i = rdns.length - 1; i >= 0; i--) {
    parts.push(
      rdns[i]!.map((a) => {
        const type = a.shortName ?? a.oid ?? '#' + a.oidHex;
        return type + '=' + (STRING_TAGS.has(a.valueTag) ? escapeValue(a.value) : a.value);
      }).join('+'),
    );
  }
  return parts.join(',');
}

/**
 * RFC 4514 §2.4 escaping of a string value: '"', '+', ',', ';', '<', '>', '\' always; '#' and ' ' at
 * the start and ' ' at the end; control characters (U+0000–U+001F, U+007F) as \XX.
 */
function escapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(16).padStart(2, '0');
    else if ('"+,;<>\\'.includes(ch)) out += '\\' + ch;
    else if ((i === 0 && (ch === '#' || ch === ' ')) || (i === v.length - 1 && ch === ' ')) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

export { pushOnce };
