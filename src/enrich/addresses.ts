// Address classification for enrichment: which addresses are worth a PTR query or a GeoIP/ASN lookup.
// Validation is node:net isIP, classification is node:net BlockList over the IANA special-purpose
// registries (RFC 6890 and successors); IPv4-mapped IPv6 (::ffff:a.b.c.d) is classified as its IPv4.

import { BlockList, isIP, SocketAddress } from 'node:net';
import { formatIp, parseIp } from '../util/ip.js';

/** What kind of address a string is; only 'global' addresses are queried or looked up. */
export type AddressClass =
  | 'global'
  | 'private'
  | 'shared'
  | 'loopback'
  | 'link-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'documentation'
  | 'benchmark'
  | 'reserved'
  | 'invalid';

/** A validated address: `text` is canonical (dotted IPv4, RFC 5952 IPv6; IPv4-mapped becomes IPv4). */
export interface ParsedAddress {
  version: 4 | 6;
  bytes: Uint8Array;
  text: string;
}

type Rule = [cls: AddressClass, net: string, prefix: number];

// Order matters: the first matching rule wins (a /32 before the /8 or /4 that contains it).
const IPV4_RULES: readonly Rule[] = [
  ['unspecified', '0.0.0.0', 32],
  ['reserved', '0.0.0.0', 8], // "this network"
  ['private', '10.0.0.0', 8],
  ['shared', '100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24], // IETF protocol assignments
  ['documentation', '192.0.2.0', 24], // TEST-NET-1
  ['reserved', '192.88.99.0', 24], // deprecated 6to4 relay anycast (RFC 7526)
  ['private', '192.168.0.0', 16],
  ['benchmark', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24], // TEST-NET-2
  ['documentation', '203.0.113.0', 24], // TEST-NET-3
  ['multicast', '224.0.0.0', 4],
  ['broadcast', '255.255.255.255', 32],
  ['reserved', '240.0.0.0', 4],
];

const IPV6_RULES: readonly Rule[] = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['reserved', '100::', 64], // discard-only
  ['benchmark', '2001:2::', 48],
  ['reserved', '2001:10::', 28], // ORCHID (deprecated)
  ['reserved', '2001:20::', 28], // ORCHIDv2
  ['documentation', '2001:db8::', 32],
  ['documentation', '3fff::', 20], // RFC 9637
  ['private', 'fc00::', 7], // unique local
  ['link-local', 'fe80::', 10],
  ['private', 'fec0::', 10], // site-local (deprecated)
  ['multicast', 'ff00::', 8],
];

function compile(rules: readonly Rule[], family: 'ipv4' | 'ipv6'): Array<[AddressClass, BlockList]> {
  return rules.map(([cls, net, prefix]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, family);
    return [cls, list];
  });
}

const V4 = compile(IPV4_RULES, 'ipv4');
const V6 = compile(IPV6_RULES, 'ipv6');
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6'); // everything else is IETF-reserved space

/** Validates and canonicalises an address; null when it is not an IPv4/IPv6 literal. Zone ids are dropped. */
export function parseAddress(ip: string): ParsedAddress | null {
  if (typeof ip !== 'string' || ip.length === 0 || ip.length > 64) return null;
  const pct = ip.indexOf('%');
  const s = pct >= 0 ? ip.slice(0, pct) : ip;
  const family = isIP(ip);
  if (family === 0) return null;
  let bytes = parseIp(s);
  if (!bytes || (family === 4) !== (bytes.length === 4)) return null;
  if (bytes.length === 16 && isV4Mapped(bytes)) bytes = bytes.slice(12);
  return { version: bytes.length === 4 ? 4 : 6, bytes, text: formatIp(bytes) };
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Classifies a parsed address. */
export function classifyParsed(a: ParsedAddress): AddressClass {
  // One SocketAddress per call: BlockList.check(string) would build one per rule, which dominates cost.
  const family = a.version === 4 ? 'ipv4' : 'ipv6';
  const sa = new SocketAddress({ address: a.text, family });
  for (const [cls, list] of a.version === 4 ? V4 : V6) if (list.check(sa)) return cls;
  return a.version === 4 || GLOBAL_UNICAST_V6.check(sa) ? 'global' : 'reserved';
}

/** Classifies an address string; 'invalid' for anything that is not an IP literal. */
export function addressClass(ip: string): AddressClass {
  const a = parseAddress(ip);
  return a ? classifyParsed(a) : 'invalid';
}

/** True for addresses that get no PTR query: everything except global unicast, including unparseable input. */
export function isSkippedForPtr(ip: string): boolean {
  return addressClass(ip) !== 'global';
}
