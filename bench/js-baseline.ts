// Pure-JavaScript reference for the capture addon: reads a classic pcap with fs.readSync in 4 MiB
// chunks, decodes link (Ethernet with 802.1Q/802.1ad tags, Linux cooked v1/v2, raw IP, BSD
// loopback) -> IPv4/IPv6 -> TCP/UDP headers per packet, and keeps per-flow packets, payload bytes,
// first and last timestamps in an open-addressing table on typed arrays keyed by the canonical
// (direction-independent) 5-tuple. `npm run bench` compares the addon against it.
//
//   node dist/bench/js-baseline.js FILE      -> one JSON line on stdout

import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface JsBaselineResult {
  packets: number;
  flows: number;
  tcp_flows: number;
  udp_flows: number;
  // Packets that were not IPv4/IPv6 TCP/UDP, or were non-first IP fragments.
  other_packets: number;
  captured_bytes: number;
  payload_bytes: number;
  seconds: number;
  pps: number;
  cpu_user_s: number;
  cpu_system_s: number;
  max_rss_mib: number;
}

const CHUNK = 4 << 20;
const KEY_WORDS = 10; // [a ip x4][b ip x4][a port << 16 | b port][proto << 8 | ip version]
const EMPTY_SLOT = 0; // word 9 is never 0 for a used slot (ip version is 4 or 6)

// Open-addressing flow table (linear probing) on typed arrays; grows at load factor 1/2.
class FlowTable {
  cap: number;
  size = 0;
  keys: Uint32Array;
  packets: Float64Array;
  bytes: Float64Array;
  first: Float64Array;
  last: Float64Array;
  tcp = 0;
  udp = 0;

  constructor(initialCapacity = 1 << 16) {
    this.cap = initialCapacity;
    this.keys = new Uint32Array(initialCapacity * KEY_WORDS);
    this.packets = new Float64Array(initialCapacity);
    this.bytes = new Float64Array(initialCapacity);
    this.first = new Float64Array(initialCapacity);
    this.last = new Float64Array(initialCapacity);
  }

  // Adds one packet to the flow whose canonical key is in k (KEY_WORDS words).
  add(k: Uint32Array, hash: number, payload: number, ts: number): void {
    const keys = this.keys;
    const mask = this.cap - 1;
    let i = hash & mask;
    for (;;) {
      const base = i * KEY_WORDS;
      if (keys[base + 9] === EMPTY_SLOT) {
        for (let w = 0; w < KEY_WORDS; w++) keys[base + w] = k[w]!;
        this.packets[i] = 1;
        this.bytes[i] = payload;
        this.first[i] = ts;
        this.last[i] = ts;
        if (k[9]! >>> 8 === 6) this.tcp++;
        else this.udp++;
        if (++this.size * 2 > this.cap) this.grow();
        return;
      }
      if (
        keys[base] === k[0] &&
        keys[base + 4] === k[4] &&
        keys[base + 8] === k[8] &&
        keys[base + 9] === k[9] &&
        keys[base + 1] === k[1] &&
        keys[base + 2] === k[2] &&
        keys[base + 3] === k[3] &&
        keys[base + 5] === k[5] &&
        keys[base + 6] === k[6] &&
        keys[base + 7] === k[7]
      ) {
        this.packets[i]! += 1;
        this.bytes[i]! += payload;
        if (ts > this.last[i]!) this.last[i] = ts;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = {
      keys: this.keys,
      packets: this.packets,
      bytes: this.bytes,
      first: this.first,
      last: this.last,
    };
    const oldCap = this.cap;
    this.cap *= 2;
    this.keys = new Uint32Array(this.cap * KEY_WORDS);
    this.packets = new Float64Array(this.cap);
    this.bytes = new Float64Array(this.cap);
    this.first = new Float64Array(this.cap);
    this.last = new Float64Array(this.cap);
    const mask = this.cap - 1;
    for (let j = 0; j < oldCap; j++) {
      const ob = j * KEY_WORDS;
      if (old.keys[ob + 9] === EMPTY_SLOT) continue;
      let i = hashKey(old.keys, ob) & mask;
      while (this.keys[i * KEY_WORDS + 9] !== EMPTY_SLOT) i = (i + 1) & mask;
      this.keys.set(old.keys.subarray(ob, ob + KEY_WORDS), i * KEY_WORDS);
      this.packets[i] = old.packets[j]!;
      this.bytes[i] = old.bytes[j]!;
      this.first[i] = old.first[j]!;
      this.last[i] = old.last[j]!;
    }
  }
}

function hashKey(k: Uint32Array, o: number): number {
  let h = 0x811c9dc5;
  for (let w = 0; w < KEY_WORDS; w++) {
    h = Math.imul(h ^ k[o + w]!, 0x01000193);
    h ^= h >>> 15;
  }
  return Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
}

// Orders (ip, port) pairs so both directions of a flow give the same key: returns true when the
// source side is "greater" and must be stored second.
function sourceIsGreater(
  b: Uint8Array,
  sOff: number,
  dOff: number,
  n: number,
  sp: number,
  dp: number,
): boolean {
  for (let i = 0; i < n; i++) {
    const x = b[sOff + i]!;
    const y = b[dOff + i]!;
    if (x !== y) return x > y;
  }
  return sp > dp;
}

function readWord(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

// Reads a classic pcap file and builds the flow table; returns counts and resource usage.
export function runJsBaseline(path: string): JsBaselineResult {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const fd = fs.openSync(path, 'r');
  let buf = Buffer.allocUnsafe(CHUNK);
  let have = 0; // valid bytes in buf
  let pos = 0; // parse position in buf
  let eof = false;
  const fill = (): void => {
    // Moves the unparsed tail to the front and reads more after it.
    if (pos > 0) {
      buf.copy(buf, 0, pos, have);
      have -= pos;
      pos = 0;
    }
    while (have < buf.length && !eof) {
      const n = fs.readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) eof = true;
      have += n;
    }
  };
  fill();
  if (have < 24) throw new Error(`${path}: too short for a pcap header`);
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  let nanos: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nanos = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = buf.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) {
      throw new Error(
        `${path}: not a classic pcap file (magic 0x${magicLE.toString(16)}; pcapng is not read here)`,
      );
    }
    le = false;
    nanos = magicBE === 0xa1b23c4d;
  }
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  pos = 24;

  const table = new FlowTable();
  const key = new Uint32Array(KEY_WORDS);
  let packets = 0;
  let other = 0;
  let captured = 0;
  let payloadBytes = 0;

  for (;;) {
    if (have - pos < 16) {
      if (eof) break;
      fill();
      if (have - pos < 16) break;
    }
    const caplen = u32(pos + 8);
    if (have - pos < 16 + caplen) {
      if (eof) break;
      if (16 + caplen > buf.length) {
        const bigger = Buffer.allocUnsafe(16 + caplen + CHUNK);
        buf.copy(bigger, 0, pos, have);
        have -= pos;
        pos = 0;
        buf = bigger;
      }
      fill();
      if (have - pos < 16 + caplen) break;
    }
    const sec = u32(pos);
    const frac = u32(pos + 4);
    const ts = sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac);
    const f = pos + 16; // frame start
    const end = f + caplen;
    pos = end;
    packets++;
    captured += caplen;

    // Link layer: find the network-layer offset and the IP version.
    let l3 = f;
    let ethType = 0;
    switch (linkType) {
      case 1: {
        if (caplen < 14) break;
        l3 = f + 14;
        ethType = (buf[f + 12]! << 8) | buf[f + 13]!;
        while ((ethType === 0x8100 || ethType === 0x88a8 || ethType === 0x9100) && l3 + 4 <= end) {
          ethType = (buf[l3 + 2]! << 8) | buf[l3 + 3]!;
          l3 += 4;
        }
        break;
      }
      case 113:
        if (caplen < 16) break;
        ethType = (buf[f + 14]! << 8) | buf[f + 15]!;
        l3 = f + 16;
        break;
      case 276:
        if (caplen < 20) break;
        ethType = (buf[f]! << 8) | buf[f + 1]!;
        l3 = f + 20;
        break;
      case 101:
      case 12:
      case 14:
        ethType = caplen > 0 ? (buf[f]! >>> 4 === 6 ? 0x86dd : 0x0800) : 0;
        break;
      case 0:
      case 108: {
        if (caplen < 4) break;
        const fam = linkType === 108 ? readWord(buf, f) : le ? buf.readUInt32LE(f) : buf.readUInt32BE(f);
        ethType = fam === 2 ? 0x0800 : fam === 24 || fam === 28 || fam === 30 ? 0x86dd : 0;
        l3 = f + 4;
        break;
      }
      default:
        throw new Error(`${path}: link type ${linkType} is not decoded by the JS baseline`);
    }

    let proto = -1;
    let l4 = 0;
    let l4Len = 0;
    let version = 0;
    if (ethType === 0x0800 && l3 + 20 <= end && buf[l3]! >>> 4 === 4) {
      const ihl = (buf[l3]! & 15) * 4;
      const total = (buf[l3 + 2]! << 8) | buf[l3 + 3]!;
      const fragOffset = ((buf[l3 + 6]! & 0x1f) << 8) | buf[l3 + 7]!;
      if (ihl >= 20 && fragOffset === 0 && total >= ihl) {
        proto = buf[l3 + 9]!;
        l4 = l3 + ihl;
        l4Len = total - ihl;
        version = 4;
      }
    } else if (ethType === 0x86dd && l3 + 40 <= end && buf[l3]! >>> 4 === 6) {
      let nh = buf[l3 + 6]!;
      let p = l3 + 40;
      let left = (buf[l3 + 4]! << 8) | buf[l3 + 5]!;
      let ok = true;
      while (ok && (nh === 0 || nh === 43 || nh === 60 || nh === 44 || nh === 51)) {
        if (p + 8 > end) {
          ok = false;
          break;
        }
        let len: number;
        if (nh === 44) {
          if ((((buf[p + 2]! << 8) | buf[p + 3]!) & 0xfff8) !== 0) ok = false; // not the first fragment
          len = 8;
        } else if (nh === 51) len = (buf[p + 1]! + 2) * 4;
        else len = (buf[p + 1]! + 1) * 8;
        nh = buf[p]!;
        p += len;
        left -= len;
      }
      if (ok && left >= 0) {
        proto = nh;
        l4 = p;
        l4Len = left;
        version = 6;
      }
    }

    if ((proto !== 6 && proto !== 17) || l4 + (proto === 6 ? 20 : 8) > end) {
      other++;
      continue;
    }
    const sp = (buf[l4]! << 8) | buf[l4 + 1]!;
    const dp = (buf[l4 + 2]! << 8) | buf[l4 + 3]!;
    const payload = proto === 6 ? l4Len - (buf[l4 + 12]! >>> 4) * 4 : l4Len - 8;
    if (payload > 0) payloadBytes += payload;

    // Canonical key: the smaller (ip, port) side first.
    const n = version === 4 ? 4 : 16;
    const sOff = version === 4 ? l3 + 12 : l3 + 8;
    const dOff = version === 4 ? l3 + 16 : l3 + 24;
    const swap = sourceIsGreater(buf, sOff, dOff, n, sp, dp);
    const aOff = swap ? dOff : sOff;
    const bOff = swap ? sOff : dOff;
    if (version === 4) {
      key[0] = readWord(buf, aOff);
      key[1] = key[2] = key[3] = 0;
      key[4] = readWord(buf, bOff);
      key[5] = key[6] = key[7] = 0;
    } else {
      for (let w = 0; w < 4; w++) {
        key[w] = readWord(buf, aOff + 4 * w);
        key[4 + w] = readWord(buf, bOff + 4 * w);
      }
    }
    key[8] = swap ? ((dp << 16) | sp) >>> 0 : ((sp << 16) | dp) >>> 0;
    key[9] = (proto << 8) | version;
    table.add(key, hashKey(key, 0), Math.max(payload, 0), ts);
  }
  fs.closeSync(fd);

  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return {
    packets,
    flows: table.size,
    tcp_flows: table.tcp,
    udp_flows: table.udp,
    other_packets: other,
    captured_bytes: captured,
    payload_bytes: payloadBytes,
    seconds,
    pps: Math.round(packets / seconds),
    cpu_user_s: cpu.user / 1e6,
    cpu_system_s: cpu.system / 1e6,
    max_rss_mib: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: js-baseline FILE.pcap\n');
    process.exitCode = 2;
  } else {
    try {
      process.stdout.write(`${JSON.stringify(runJsBaseline(file))}\n`);
    } catch (e) {
      process.stderr.write(`js-baseline: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
