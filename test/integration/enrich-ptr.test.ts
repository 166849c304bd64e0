// PtrResolver against real DNS servers on loopback: dnsmasq for answers, NXDOMAIN and NODATA, and a
// scripted UDP responder for timeouts, rcodes, concurrency and "no packet sent" checks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PtrResolver, type PtrResult } from '../../src/enrich/ptr.js';
import { DeckscopeError } from '../../src/util/errors.js';
import {
  DNSMASQ,
  type Dnsmasq,
  HAVE_DNSMASQ,
  reverseName,
  type ScriptedDns,
  startDnsmasq,
  startScriptedDns,
} from '../helpers/dns-server.js';

/** Polls take() until `n` results arrived (or fails after `withinMs`). */
async function collect(r: PtrResolver, n: number, withinMs = 5000): Promise<PtrResult[]> {
  const out: PtrResult[] = [];
  const deadline = Date.now() + withinMs;
  while (out.length < n) {
    out.push(...r.take());
    if (out.length >= n) break;
    if (Date.now() > deadline) throw new Error(`only ${out.length}/${n} results: ${JSON.stringify(out)}`);
    await new Promise((res) => setTimeout(res, 5));
  }
  return out;
}

const byIp = (rs: PtrResult[]) => Object.fromEntries(rs.map((r) => [r.ip, r]));

const resolvers: PtrResolver[] = [];
const track = (r: PtrResolver) => {
  resolvers.push(r);
  return r;
};
afterEach(() => {
  for (const r of resolvers.splice(0)) r.close();
});

describe.skipIf(!HAVE_DNSMASQ)(
  `PTR against dnsmasq (skipped when ${DNSMASQ} is absent: apt-get install dnsmasq-base)`,
  () => {
    let dns: Dnsmasq;
    beforeAll(async () => {
      dns = await startDnsmasq(
        {
          '8.8.8.8': 'dns.google',
          '1.1.1.1': 'one.one.one.one',
          '2606:4700:4700::1111': 'one.one.one.one',
        },
        ['9.9.9.9'],
      );
    });
    afterAll(async () => {
      await dns?.stop();
    });

    it('resolves PTR names (IPv4 and IPv6), without the trailing dot', async () => {
      const r = track(new PtrResolver({ servers: [dns.server], enabled: true }));
      r.lookup('8.8.8.8');
      r.lookup('1.1.1.1');
      r.lookup('2606:4700:4700::1111');
      const got = byIp(await collect(r, 3));
      expect(got['8.8.8.8']).toMatchObject({ status: 'ok', name: 'dns.google', detail: null });
      expect(got['1.1.1.1']).toMatchObject({ status: 'ok', name: 'one.one.one.one' });
      expect(got['2606:4700:4700::1111']).toMatchObject({ status: 'ok', name: 'one.one.one.one' });
      expect(r.result('8.8.8.8')?.name).toBe('dns.google');
      expect(r.result('2606:4700:4700:0:0:0:0:1111')?.name).toBe('one.one.one.one'); // any spelling
      expect(r.stats()).toMatchObject({ queries: 3, ok: 3 });
    });

    it('gives nxdomain for an address without a record and nodata for a name without PTR', async () => {
      const r = track(new PtrResolver({ servers: [dns.server], enabled: true }));
      r.lookup('9.9.9.10');
      r.lookup('9.9.9.9');
      r.lookup('2a00:1450:4001::1');
      const got = byIp(await collect(r, 3));
      expect(got['9.9.9.10']).toMatchObject({ status: 'nxdomain', name: null, detail: 'ENOTFOUND' });
      expect(got['9.9.9.9']).toMatchObject({ status: 'nodata', name: null });
      expect(got['2a00:1450:4001::1']).toMatchObject({ status: 'nxdomain' });
      // "tried and failed" is a result; "never tried" is undefined.
      expect(r.result('9.9.9.10')?.status).toBe('nxdomain');
      expect(r.result('9.9.9.11')).toBeUndefined();
    });
  },
);

describe('PTR against a scripted UDP server', () => {
  let server: ScriptedDns | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('times out a server that never answers within timeout + slack, and does not retry', async () => {
    server = await startScriptedDns(() => 'drop');
    const timeoutMs = 300;
    const r = track(new PtrResolver({ servers: [server.server], timeoutMs, enabled: true }));
    const t0 = Date.now();
    r.lookup('8.8.4.4');
    expect(r.isPending('8.8.4.4')).toBe(true);
    expect(r.result('8.8.4.4')).toBeUndefined();
    const [res] = await collect(r, 1);
    const elapsed = Date.now() - t0;
    expect(res).toMatchObject({ ip: '8.8.4.4', status: 'timeout', name: null });
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(elapsed).toBeLessThan(timeoutMs + 400);
    expect(r.pending()).toBe(0);
    r.lookup('8.8.4.4'); // tried and failed: not tried again
    await new Promise((res) => setTimeout(res, 50));
    expect(server.received).toEqual([reverseName('8.8.4.4')]);
  });

  it('the hard deadline holds even when the answer would come later', async () => {
    server = await startScriptedDns(() => ({ rcode: 0, ptr: 'late.example', delayMs: 1500 }));
    const r = track(new PtrResolver({ servers: [server.server], timeoutMs: 200, enabled: true }));
    const t0 = Date.now();
    r.lookup('8.8.4.4');
    const [res] = await collect(r, 1);
    expect(res?.status).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(600);
  });

  it('never has more than `concurrency` queries outstanding at the server', async () => {
    server = await startScriptedDns((name) => ({
      rcode: 0,
      ptr: `h-${name.split('.')[0]}.example`,
      delayMs: 60,
    }));
    const concurrency = 4;
    const r = track(
      new PtrResolver({ servers: [server.server], concurrency, timeoutMs: 2000, enabled: true }),
    );
    const n = 30;
    for (let i = 1; i <= n; i++) r.lookup(`8.8.${i}.1`);
    expect(r.pending()).toBe(n);
    const got = await collect(r, n);
    expect(got.every((x) => x.status === 'ok')).toBe(true);
    expect(byIp(got)['8.8.7.1']?.name).toBe('h-1.example');
    expect(server.received).toHaveLength(n);
    expect(server.maxOutstanding).toBe(concurrency);
    expect(r.stats().maxInFlight).toBe(concurrency);
  });

  it('queries each address once, however often and however spelled it is looked up', async () => {
    server = await startScriptedDns(() => ({ rcode: 0, ptr: 'once.example' }));
    const r = track(new PtrResolver({ servers: [server.server], enabled: true }));
    r.lookup('2001:4860:4860::8888');
    r.lookup('2001:4860:4860::8888');
    r.lookup('2001:4860:4860:0:0:0:0:8888');
    r.lookup('8.8.8.8');
    r.lookup('::ffff:8.8.8.8');
    r.lookup('8.8.8.8');
    const got = await collect(r, 2);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.take()).toEqual([]);
    expect(got.map((x) => x.ip).sort()).toEqual(['2001:4860:4860::8888', '8.8.8.8']);
    expect(server.received.sort()).toEqual(
      [reverseName('2001:4860:4860::8888'), reverseName('8.8.8.8')].sort(),
    );
  });

  it('skips special addresses without sending a packet', async () => {
    server = await startScriptedDns(() => ({ rcode: 0, ptr: 'should-not-happen.example' }));
    const r = track(new PtrResolver({ servers: [server.server], enabled: true }));
    const special = [
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
    ];
    for (const ip of special) r.lookup(ip);
    const got = r.take(); // decided synchronously
    expect(got.map((x) => x.ip)).toEqual(special);
    expect(got.every((x) => x.status === 'skipped' && x.name === null)).toBe(true);
    await new Promise((res) => setTimeout(res, 50));
    expect(server.received).toEqual([]);
    expect(r.stats()).toMatchObject({ queries: 0, skipped: special.length });
  });

  it('DECKSCOPE_PTR=off disables queries: results say disabled and no packet is sent', async () => {
    server = await startScriptedDns(() => ({ rcode: 0, ptr: 'should-not-happen.example' }));
    const saved = process.env.DECKSCOPE_PTR;
    process.env.DECKSCOPE_PTR = 'off';
    let r: PtrResolver;
    try {
      r = track(new PtrResolver({ servers: [server.server] }));
    } finally {
      if (saved === undefined) delete process.env.DECKSCOPE_PTR;
      else process.env.DECKSCOPE_PTR = saved;
    }
    expect(r.enabled).toBe(false);
    r.lookup('8.8.8.8');
    r.lookup('10.0.0.1');
    expect(byIp(r.take())).toMatchObject({
      '8.8.8.8': { status: 'disabled', name: null },
      '10.0.0.1': { status: 'skipped' },
    });
    await new Promise((res) => setTimeout(res, 50));
    expect(server.received).toEqual([]);
  });

  it('maps SERVFAIL, REFUSED and an empty name', async () => {
    server = await startScriptedDns((name) => {
      if (name.startsWith('2.')) return { rcode: 2 };
      if (name.startsWith('5.')) return { rcode: 5 };
      return { rcode: 0, ptr: '' };
    });
    const r = track(new PtrResolver({ servers: [server.server], enabled: true }));
    r.lookup('8.8.8.2');
    r.lookup('8.8.8.5');
    r.lookup('8.8.8.9');
    const got = byIp(await collect(r, 3));
    expect(got['8.8.8.2']).toMatchObject({ status: 'servfail', name: null });
    expect(got['8.8.8.5']).toMatchObject({ status: 'refused', name: null });
    expect(got['8.8.8.9']).toMatchObject({ status: 'nodata', name: null });
  });

  it('bounds the queue: lookups beyond maxPending are dropped, counted and retried later', async () => {
    server = await startScriptedDns(() => 'drop');
    const r = track(
      new PtrResolver({
        servers: [server.server],
        concurrency: 1,
        maxPending: 3,
        timeoutMs: 100,
        enabled: true,
      }),
    );
    for (let i = 1; i <= 10; i++) r.lookup(`8.8.8.${i}`); // 1 in flight, 3 queued, 6 dropped
    expect(r.pending()).toBe(4);
    expect(r.stats().dropped).toBe(6);
    expect(r.isPending('8.8.8.10')).toBe(false);
    r.close();
    expect(r.pending()).toBe(0);
    r.lookup('8.8.8.200'); // after close: ignored, no throw
    expect(r.pending()).toBe(0);
  });

  it('an unreachable server (closed port) is an error, not a hang', async () => {
    const probe = await startScriptedDns(() => 'drop');
    const dead = probe.server;
    await probe.close();
    const r = track(new PtrResolver({ servers: [dead], timeoutMs: 500, enabled: true }));
    r.lookup('8.8.8.8');
    const [res] = await collect(r, 1);
    expect(res).toMatchObject({ status: 'error', detail: 'ECONNREFUSED' });
  });

  it('rejects an unusable --dns-server value at construction', () => {
    expect(() => new PtrResolver({ servers: ['dns.example.com'] })).toThrow(DeckscopeError);
    expect(() => new PtrResolver({ servers: ['127.0.0.1:53', '[::1]:5353'] })).not.toThrow();
  });
});
