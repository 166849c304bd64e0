import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/enrich/addresses.js';
import { PtrResolver, reverseName } from '../../../src/enrich/ptr.js';
import { DeckscopeError } from '../../../src/util/errors.js';

describe('reverseName', () => {
  it('uses in-addr.arpa for IPv4 (RFC 1035 §3.5)', () => {
    expect(reverseName(parseAddress('10.2.0.52')!)).toBe('52.0.2.10.in-addr.arpa');
    expect(reverseName(parseAddress('::ffff:8.8.4.4')!)).toBe('4.4.8.8.in-addr.arpa');
  });
  it('uses nibbles under ip6.arpa for IPv6 (RFC 3596 §2.5 example)', () => {
    expect(reverseName(parseAddress('4321:0:1:2:3:4:567:89ab')!)).toBe(
      'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa',
    );
  });
});

describe('PtrResolver options', () => {
  it.each([
    { timeoutMs: 0 },
    { concurrency: -1 },
    { concurrency: 1.5 },
    { maxPending: 0 },
    { servers: ['not a server'] },
  ])('rejects %j as a usage error', (opts) => {
    let err: unknown;
    try {
      new PtrResolver(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeckscopeError);
    expect((err as DeckscopeError).code).toBe('E_BAD_OPTION');
  });

  it('has the documented defaults', () => {
    const r = new PtrResolver({ enabled: true });
    expect([r.timeoutMs, r.concurrency, r.enabled]).toEqual([2000, 10, true]);
    r.close();
  });

  it('forgets the oldest finished entries beyond maxTracked', () => {
    const r = new PtrResolver({ enabled: false, maxTracked: 3 });
    for (const ip of ['8.8.8.1', '8.8.8.2', '8.8.8.3', '8.8.8.4']) r.lookup(ip);
    expect(r.result('8.8.8.1')).toBeUndefined();
    expect(r.result('8.8.8.4')?.status).toBe('disabled');
    expect(r.stats().evicted).toBe(1);
    r.close();
  });
});
