// Community ID flow hashing, version 1 (corelight/community-id-spec): "1:" + base64(SHA-1(seed,
// ordered endpoints, protocol, padding, ports)).
import { createHash, hash as oneShotHash } from 'node:crypto';

// Reused input buffers (seed, two addresses, protocol, pad, two ports); one thread uses them.
const V4 = Buffer.alloc(2 + 4 * 2 + 2 + 4);
const V6 = Buffer.alloc(2 + 16 * 2 + 2 + 4);

/** Computes the v1 Community ID of a TCP/UDP 5-tuple (addresses as 4 or 16 bytes). */
export function communityId(
  srcIp: Uint8Array,
  srcPort: number,
  dstIp: Uint8Array,
  dstPort: number,
  proto: number,
  seed = 0,
): string {
  // Order the endpoints so both directions give the same ID: smaller address first, ports
  // breaking ties.
  let swap = false;
  for (let i = 0; i < srcIp.length; i++) {
    if (srcIp[i] !== dstIp[i]) {
      swap = srcIp[i]! > dstIp[i]!;
      break;
    }
    if (i === srcIp.length - 1) swap = srcPort > dstPort;
  }
  const aIp = swap ? dstIp : srcIp;
  const bIp = swap ? srcIp : dstIp;
  const aPort = swap ? dstPort : srcPort;
  const bPort = swap ? srcPort : dstPort;
  const buf = aIp.length === 4 ? V4 : V6;
  buf.writeUInt16BE(seed, 0);
  buf.set(aIp, 2);
  buf.set(bIp, 2 + aIp.length);
  let o = 2 + aIp.length * 2;
  buf[o++] = proto;
  buf[o++] = 0;
  buf.writeUInt16BE(aPort, o);
  buf.writeUInt16BE(bPort, o + 2);
  // crypto.hash (Node >= 20.12) is a one-shot digest, about twice as fast as createHash.
  const digest =
    typeof oneShotHash === 'function'
      ? oneShotHash('sha1', buf, 'base64')
      : createHash('sha1').update(buf).digest('base64');
  return `1:${digest}`;
}
