// A tiny MaxMind DB (MMDB v2) writer for tests, written from the public format spec
// (https://maxmind.github.io/MaxMind-DB/): a binary search tree of nodes with two 24/28/32-bit records,
// 16 zero bytes, a data section of typed fields, then "\xAB\xCD\xEFMaxMind.com" and a metadata map.
// Networks may not nest (no inserting a subnet of an existing network); no pointer compression.

import { parseCidr } from '../../src/util/ip.js';

/** Forces a specific MMDB integer type for a number. */
export class Typed {
  constructor(
    readonly type: 'uint16' | 'uint32' | 'uint64' | 'int32' | 'double',
    readonly value: number | bigint,
  ) {}
}

export type MmdbValue =
  | string
  | number
  | bigint
  | boolean
  | Typed
  | MmdbValue[]
  | { [key: string]: MmdbValue };

export interface MmdbSpec {
  databaseType: string;
  ipVersion?: 4 | 6;
  recordSize?: 24 | 28 | 32;
  /** [CIDR, record]; IPv4 networks go under ::/96 in an IPv6 tree. */
  networks: Array<[string, MmdbValue]>;
  buildEpochSec?: number;
  description?: Record<string, string>;
}

const TYPE = {
  utf8: 2,
  double: 3,
  uint16: 5,
  uint32: 6,
  map: 7,
  int32: 8,
  uint64: 9,
  array: 11,
  boolean: 14,
} as const;

function control(type: number, size: number): number[] {
  let sizeBits: number;
  const extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 29 + 256) {
    sizeBits = 29;
    extra.push(size - 29);
  } else if (size < 285 + 65536) {
    sizeBits = 30;
    const v = size - 285;
    extra.push((v >> 8) & 0xff, v & 0xff);
  } else {
    sizeBits = 31;
    const v = size - 65821;
    extra.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  }
  const head = type <= 7 ? [(type << 5) | sizeBits] : [sizeBits, type - 7];
  return [...head, ...extra];
}

function uintBytes(v: bigint): number[] {
  const out: number[] = [];
  while (v > 0n) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** Encodes one data-section field. */
export function encodeValue(v: MmdbValue): number[] {
  if (typeof v === 'string') {
    const b = [...Buffer.from(v, 'utf8')];
    return [...control(TYPE.utf8, b.length), ...b];
  }
  if (typeof v === 'boolean') return control(TYPE.boolean, v ? 1 : 0);
  if (typeof v === 'bigint') return encodeValue(new Typed('uint64', v));
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return encodeValue(new Typed('uint32', v));
    if (Number.isInteger(v) && v < 0 && v >= -0x80000000) return encodeValue(new Typed('int32', v));
    return encodeValue(new Typed('double', v));
  }
  if (v instanceof Typed) {
    if (v.type === 'double') {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(v.value));
      return [...control(TYPE.double, 8), ...b];
    }
    if (v.type === 'int32') {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(v.value));
      return [...control(TYPE.int32, 4), ...b];
    }
    const bytes = uintBytes(BigInt(v.value));
    return [...control(TYPE[v.type], bytes.length), ...bytes];
  }
  if (Array.isArray(v)) return [...control(TYPE.array, v.length), ...v.flatMap(encodeValue)];
  const entries = Object.entries(v);
  return [
    ...control(TYPE.map, entries.length),
    ...entries.flatMap(([k, x]) => [...encodeValue(k), ...encodeValue(x)]),
  ];
}

type Child = { node: number } | { data: number } | null;

/** Builds an MMDB file image. */
export function writeMmdb(spec: MmdbSpec): Buffer {
  const ipVersion = spec.ipVersion ?? 6;
  const recordSize = spec.recordSize ?? 24;
  const nodes: Array<[Child, Child]> = [[null, null]];
  const data: number[] = [];
  const dataOffsets = new Map<string, number>();

  for (const [cidr, value] of spec.networks) {
    const net = parseCidr(cidr);
    if (!net) throw new Error(`bad CIDR ${cidr}`);
    let bits: number[] = [];
    for (const byte of net.addr) for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
    let prefix = net.prefix;
    if (net.version === 4 && ipVersion === 6) {
      bits = [...new Array(96).fill(0), ...bits];
      prefix += 96;
    } else if (net.version === 6 && ipVersion === 4) throw new Error(`IPv6 network ${cidr} in an IPv4 tree`);
    if (prefix === 0) throw new Error('a /0 network is not supported');
    const key = JSON.stringify(value, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
    let offset = dataOffsets.get(key);
    if (offset === undefined) {
      offset = data.length;
      data.push(...encodeValue(value));
      dataOffsets.set(key, offset);
    }
    let n = 0;
    for (let i = 0; i < prefix; i++) {
      const bit = bits[i] as 0 | 1;
      const pair = nodes[n]!;
      if (i === prefix - 1) {
        if (pair[bit] && 'node' in pair[bit]) throw new Error(`${cidr} contains an existing network`);
        pair[bit] = { data: offset };
        break;
      }
      const child = pair[bit];
      if (child && 'data' in child) throw new Error(`${cidr} is inside an existing network`);
      if (child) n = child.node;
      else {
        nodes.push([null, null]);
        pair[bit] = { node: nodes.length - 1 };
        n = nodes.length - 1;
      }
    }
  }

  const nodeCount = nodes.length;
  const recordValue = (c: Child): number => {
    if (c === null) return nodeCount;
    if ('node' in c) return c.node;
    return nodeCount + 16 + c.data;
  };
  const nodeBytes = (recordSize * 2) / 8;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  nodes.forEach(([l, r], i) => {
    const left = recordValue(l);
    const right = recordValue(r);
    const limit = 2 ** recordSize;
    if (left >= limit || right >= limit) throw new Error(`record does not fit in ${recordSize} bits`);
    const o = i * nodeBytes;
    if (recordSize === 24) {
      tree.writeUIntBE(left, o, 3);
      tree.writeUIntBE(right, o + 3, 3);
    } else if (recordSize === 28) {
      tree.writeUIntBE(left & 0xffffff, o, 3);
      tree[o + 3] = (((left >>> 24) & 0x0f) << 4) | ((right >>> 24) & 0x0f);
      tree.writeUIntBE(right & 0xffffff, o + 4, 3);
    } else {
      tree.writeUInt32BE(left, o);
      tree.writeUInt32BE(right, o + 4);
    }
  });

  const metadata = encodeValue({
    node_count: new Typed('uint32', nodeCount),
    record_size: new Typed('uint16', recordSize),
    ip_version: new Typed('uint16', ipVersion),
    database_type: spec.databaseType,
    languages: ['en'],
    binary_format_major_version: new Typed('uint16', 2),
    binary_format_minor_version: new Typed('uint16', 0),
    build_epoch: new Typed('uint64', BigInt(spec.buildEpochSec ?? 1_700_000_000)),
    description: spec.description ?? { en: 'deckscope test database' },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com', 'ascii')]);
  return Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), marker, Buffer.from(metadata)]);
}
