// Vectors from the Community ID spec's reference implementations (corelight/community-id-spec).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { communityId } from '../../../src/util/community-id.js';
import { parseIp } from '../../../src/util/ip.js';

const ip = (s: string) => parseIp(s)!;

describe('communityId v1', () => {
  it('TCP 128.232.110.120:34855 -> 66.35.250.204:80', () => {
    expect(communityId(ip('128.232.110.120'), 34855, ip('66.35.250.204'), 80, 6)).toBe(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
  });
  it('is the same in both directions', () => {
    expect(communityId(ip('66.35.250.204'), 80, ip('128.232.110.120'), 34855, 6)).toBe(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
  });
  it('UDP 192.168.1.52:54585 -> 8.8.8.8:53', () => {
    expect(communityId(ip('192.168.1.52'), 54585, ip('8.8.8.8'), 53, 17)).toBe(
      '1:d/FP5EW3wiY1vCndhwleRRKHowQ=',
    );
  });
});

describe('communityId v1 against node:crypto', () => {
  // The spec's input (seed, ordered addresses, protocol, a zero byte, ordered ports) hashed by
  // OpenSSL's SHA-1, for IPv4 and IPv6 tuples of every kind of order.
  const spec = (a: Uint8Array, ap: number, b: Uint8Array, bp: number, proto: number, seed: number) => {
    const swap =
      Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0 || (Buffer.compare(a, b) === 0 && ap > bp);
    const [lo, lp, hi, hp] = swap ? [b, bp, a, ap] : [a, ap, b, bp];
    const input = Buffer.concat([
      Buffer.from([seed >> 8, seed & 0xff]),
      lo,
      hi,
      Buffer.from([proto, 0, lp >> 8, lp & 0xff, hp >> 8, hp & 0xff]),
    ]);
    return `1:${createHash('sha1').update(input).digest('base64')}`;
  };
  let x = 12345;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const addr = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);

  it('agrees on 2,000 random IPv4 and IPv6 tuples, seeds and equal addresses', () => {
    for (let i = 0; i < 2000; i++) {
      const n = i % 2 ? 16 : 4;
      const a = addr(n);
      const b = i % 7 === 0 ? a : addr(n);
      const ap = next() & 0xffff;
      const bp = i % 11 === 0 ? ap : next() & 0xffff;
      const proto = i % 3 ? 6 : 17;
      const seed = i % 5 ? 0 : next() & 0xffff;
      expect(communityId(a, ap, b, bp, proto, seed), `${i}`).toBe(spec(a, ap, b, bp, proto, seed));
    }
  });
});
