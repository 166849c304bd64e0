// Writes a pcap of N TCP SYNs from N distinct source endpoints (a SYN flood / wide scan): the
// input for the flow-table memory benchmark and the hostile-input tests. Deterministic.
import { closeSync, openSync, writeSync } from 'node:fs';

const FRAME = 14 + 20 + 20 + 4; // Ethernet + IPv4 + TCP with an MSS option

/** Writes `count` SYNs to `path` (classic pcap, Ethernet) at 1 µs intervals; sources cycle over
 *  10.0.0.0/8 addresses and ports 1024..65535 so every SYN is a new flow. */
export function writeSynFlood(path: string, count: number, dst = [198, 18, 0, 10], dport = 445): void {
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  const rec = 16 + FRAME;
  const chunkPackets = 8192;
  const buf = Buffer.alloc(rec * chunkPackets);
  // Template frame.
  const t = Buffer.alloc(FRAME);
  t.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00], 0);
  t.set([0x45, 0, 0, 44, 0, 0, 0x40, 0, 64, 6, 0, 0], 14);
  t.set(dst, 30);
  t.writeUInt16BE(dport, 36);
  t[46] = 0x60; // data offset 6 words
  t[47] = 0x02; // SYN
  t.writeUInt16BE(64240, 48);
  t.set([2, 4, 0x05, 0xb4], 54); // MSS 1460
  const base = 1_700_000_000;
  for (let start = 0; start < count; start += chunkPackets) {
    const n = Math.min(chunkPackets, count - start);
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const o = j * rec;
      const us = i % 1_000_000;
      buf.writeUInt32LE(base + Math.floor(i / 1_000_000), o);
      buf.writeUInt32LE(us, o + 4);
      buf.writeUInt32LE(FRAME, o + 8);
      buf.writeUInt32LE(FRAME, o + 12);
      t.copy(buf, o + 16);
      const host = Math.floor(i / 64512);
      buf[o + 16 + 26] = 10;
      buf[o + 16 + 27] = (host >> 16) & 0xff;
      buf[o + 16 + 28] = (host >> 8) & 0xff;
      buf[o + 16 + 29] = host & 0xff;
      buf.writeUInt16BE(1024 + (i % 64512), o + 16 + 34);
      buf.writeUInt32BE((i * 2654435761) >>> 0, o + 16 + 38);
      buf.writeUInt16BE(i & 0xffff, o + 16 + 18);
    }
    writeSync(fd, buf, 0, n * rec);
  }
  closeSync(fd);
}
