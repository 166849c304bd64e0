import { describe, expect, it } from 'vitest';
import { formatIp, parseCidr, parseIp } from '../../../src/util/ip.js';

describe('formatIp (RFC 5952 canonical text)', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs (§4.2.3)
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero word is not shortened (§4.2.2)
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['2001:DB8::A', '2001:db8::a'],
  ])('%s -> %s', (input, want) => {
    expect(formatIp(parseIp(input)!)).toBe(want);
  });

  it('formats IPv4', () => {
    expect(formatIp(Uint8Array.from([198, 18, 0, 1]))).toBe('198.18.0.1');
  });

  it.each(['1.2.3', '256.1.1.1', '1::2::3', '12345::', 'x::1', ''])('rejects %j', (s) => {
    expect(parseIp(s)).toBeNull();
  });
});

describe('parseCidr', () => {
  it('clears host bits', () => {
    expect(parseCidr('198.19.7.9/15')).toEqual({
      version: 4,
      addr: Uint8Array.from([198, 18, 0, 0]),
      prefix: 15,
    });
  });
  it('takes a bare address as a host route', () => {
    expect(parseCidr('2001:db8::1')?.prefix).toBe(128);
  });
  it.each(['10.0.0.0/33', '10.0.0.0/x', '10.0.0.0/8/8', 'fe80::/129'])('rejects %j', (s) => {
    expect(parseCidr(s)).toBeNull();
  });
});
