import { describe, expect, it } from 'vitest';
import { addressClass, isSkippedForPtr, parseAddress } from '../../../src/enrich/addresses.js';

describe('isSkippedForPtr', () => {
  // DECNET tests/geoip/test_ptr.py vectors.
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '192.168.1.5',
    '172.16.0.1',
    '169.254.1.1',
    '224.0.0.1',
    '::1',
    'fe80::1',
    'not-an-ip',
    '',
  ])('skips %j (DECNET vector)', (ip) => {
    expect(isSkippedForPtr(ip)).toBe(true);
  });
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('resolves %j (DECNET vector)', (ip) => {
    expect(isSkippedForPtr(ip)).toBe(false);
  });

  it.each([
    // range edges of the IPv4 special-purpose blocks
    ['9.255.255.255', false],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['172.15.255.255', false],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['100.63.255.255', false],
    ['100.64.0.0', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['198.17.255.255', false],
    ['198.18.0.0', true],
    ['198.19.255.255', true],
    ['198.20.0.0', false],
    ['223.255.255.255', false],
    ['239.255.255.255', true],
    ['255.255.255.255', true],
    ['0.0.0.0', true],
    // IPv4-mapped IPv6 follows the embedded IPv4
    ['::ffff:10.0.0.1', true],
    ['::ffff:a00:1', true],
    ['::ffff:8.8.8.8', false],
    // IPv6
    ['::', true],
    ['fc00::1', true],
    ['fdff:ffff::1', true],
    ['fe80::1%eth0', true],
    ['febf::1', true],
    ['ff02::1', true],
    ['2001:db8::1', true],
    ['3fff::1', true],
    ['2001:2::1', true],
    ['4000::1', true], // outside 2000::/3: IETF reserved
    ['2a00:1450:4001::1', false],
    // junk
    ['1.2.3', true],
    ['256.1.1.1', true],
    [' 8.8.8.8', true],
    ['8.8.8.8/32', true],
    ['example.com', true],
  ] as const)('%s -> skipped=%s', (ip, want) => {
    expect(isSkippedForPtr(ip)).toBe(want);
  });
});

describe('addressClass', () => {
  it.each([
    ['8.8.8.8', 'global'],
    ['10.1.2.3', 'private'],
    ['192.168.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['100.64.1.1', 'shared'],
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::abcd', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['ff05::2', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.7', 'documentation'],
    ['2001:db8::7', 'documentation'],
    ['198.18.0.1', 'benchmark'],
    ['2001:2::1', 'benchmark'],
    ['240.0.0.1', 'reserved'],
    ['0.1.2.3', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['100::1', 'reserved'],
    ['not-an-ip', 'invalid'],
    ['', 'invalid'],
  ] as const)('%s is %s', (ip, cls) => {
    expect(addressClass(ip)).toBe(cls);
  });

  it('does not throw on non-string input', () => {
    expect(addressClass(undefined as unknown as string)).toBe('invalid');
    expect(addressClass(42 as unknown as string)).toBe('invalid');
  });
});

describe('parseAddress', () => {
  it('canonicalises IPv6 and unwraps IPv4-mapped addresses', () => {
    expect(parseAddress('2606:4700:4700:0:0:0:0:1111')?.text).toBe('2606:4700:4700::1111');
    expect(parseAddress('2001:DB8::A')?.text).toBe('2001:db8::a');
    expect(parseAddress('::ffff:8.8.8.8')).toMatchObject({ version: 4, text: '8.8.8.8' });
    expect(parseAddress('fe80::1%eth0')).toMatchObject({ version: 6, text: 'fe80::1' });
    expect(parseAddress('8.8.8')).toBeNull();
  });
});
