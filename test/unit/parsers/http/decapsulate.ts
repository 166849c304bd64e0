/**
 * Test-only: unwraps GRE (with ERSPAN type II/III or transparent Ethernet bridging), VXLAN and
 * VXLAN-GPE tunnels in a classic Ethernet pcap and writes the innermost frames to a new pcap, so that
 * readTcpStreams (which decodes no tunnels) can read the TCP flows inside. Enough for
 * foxio-ja4/pcap/gre-erspan-vxlan.pcap; not production code.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_GRE = 47;
const IPPROTO_UDP = 17;
const GRE_ERSPAN_II = 0x88be;
const GRE_ERSPAN_III = 0x22eb;
const GRE_TEB = 0x6558;
const VXLAN_PORT = 4789;
/** VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe): same 8-octet header, next protocol 3 = Ethernet. */
const VXLAN_GPE_PORT = 4790;

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

/** The innermost Ethernet frame of `frame` (itself when it carries no supported tunnel). */
function innermost(frame: Uint8Array): Uint8Array {
  let f = frame;
  for (let depth = 0; depth < 8; depth++) {
    let p = 12;
    let type = u16(f, p);
    while (type === 0x8100 || type === 0x88a8) {
      p += 4;
      type = u16(f, p);
    }
    p += 2;
    if (type !== ETHERTYPE_IPV4 || p + 20 > f.length) return f;
    const ihl = (f[p]! & 15) * 4;
    const proto = f[p + 9]!;
    const l4 = p + ihl;
    if (proto === IPPROTO_GRE) {
      const flags = u16(f, l4);
      const inner = u16(f, l4 + 2);
      let q = l4 + 4;
      if (flags & 0x8000) q += 4;
      if (flags & 0x2000) q += 4;
      if (flags & 0x1000) q += 4;
      if (inner === GRE_ERSPAN_II) q += 8;
      else if (inner === GRE_ERSPAN_III) q += 12;
      else if (inner !== GRE_TEB) return f;
      f = f.subarray(q);
    } else if (proto === IPPROTO_UDP && u16(f, l4 + 2) === VXLAN_PORT) {
      f = f.subarray(l4 + 8 + 8);
    } else if (proto === IPPROTO_UDP && u16(f, l4 + 2) === VXLAN_GPE_PORT && f[l4 + 8 + 3] === 3) {
      f = f.subarray(l4 + 8 + 8);
    } else {
      return f;
    }
  }
  return f;
}

/** Writes the innermost frames of a classic little- or big-endian Ethernet pcap to a temporary pcap. */
export function decapsulatePcap(path: string): string {
  const file = new Uint8Array(readFileSync(path));
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = dv.getUint32(0, false);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a classic pcap: ${path}`);
  if ((dv.getUint32(20, le) & 0xffff) !== 1) throw new Error(`not Ethernet: ${path}`);
  const out: Uint8Array[] = [file.subarray(0, 24)];
  for (let p = 24; p + 16 <= file.length; ) {
    const incl = dv.getUint32(p + 8, le);
    if (p + 16 + incl > file.length) break;
    const inner = innermost(file.subarray(p + 16, p + 16 + incl));
    const rec = new Uint8Array(16);
    rec.set(file.subarray(p, p + 8));
    const rdv = new DataView(rec.buffer);
    rdv.setUint32(8, inner.length, le);
    rdv.setUint32(12, inner.length, le);
    out.push(rec, inner);
    p += 16 + incl;
  }
  const target = join(mkdtempSync(join(tmpdir(), 'deckscope-decap-')), basename(path));
  writeFileSync(target, Buffer.concat(out));
  return target;
}
