// Matching per p0f 3.09b (docs/README §5): exact specific first, then generic, then fuzzy (df/id+
// may disappear, id-/ecn may appear, TTL may be out of range), never fuzzy for userland tools.
import { describe, expect, it } from 'vitest';
import {
  loadP0fDatabase,
  matchP0f,
  type P0fInput,
  p0fFingerprint,
  p0fPacket,
  parseP0fDatabase,
} from '../../../../src/fingerprints/p0f/index.js';
import { ACK, SYN, syn } from './builders.js';

const DB = parseP0fDatabase(
  [
    'classes = win,unix,other',
    '[tcp:request]',
    'label = g:unix:Linux:generic',
    'sig = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0',
    'label = s:unix:Linux:3.11 and newer',
    'sig = *:64:0:*:mss*44,7:mss,sok,ts,nop,ws:df,id+:0',
    'label = s:unix:Linux:mod',
    'sig = *:64:0:*:%1000,7:mss,sok,ts,nop,ws:df,id+:0',
    'label = s:unix:Linux:mtu',
    'sig = *:64:0:*:mtu*3,7:mss,sok,ts,nop,ws:df,id+:0',
    'label = s:unix:Old:',
    'sig = 4:128:0:1460:8192,0:mss::0',
    'label = s:!:Scanner:SYN',
    'sys = @unix',
    'sig = *:64-:0:1460:1024,0:mss::0',
    'label = s:unix:v6only:',
    'sig = 6:64:0:1460:2048,0:mss::0',
    '[tcp:response]',
    'label = s:unix:Linux:3.x',
    'sig = *:64:0:*:mss*10,0:mss:df:0',
  ].join('\n'),
);

const guess = (over: Partial<P0fInput>) => matchP0f(DB, p0fPacket(syn(over)));

describe('matchP0f', () => {
  it('takes a specific signature over an earlier generic one, with distance = signature TTL − observed', () => {
    expect(DB.diagnostics).toEqual([]);
    expect(guess({ ttl: 57 })).toMatchObject({
      label: 'Linux 3.11 and newer',
      match: { type: 's', osClass: 'unix', name: 'Linux', flavor: '3.11 and newer' },
      distance: 7,
      fuzzy: false,
      generic: false,
      line: 6,
    });
  });

  it('falls back to the generic signature', () => {
    expect(guess({ window: 1234 })).toMatchObject({ label: 'Linux generic', generic: true, fuzzy: false });
  });

  it('compares %N, mss*N and mtu*N windows', () => {
    expect(guess({ window: 5000 }).label).toBe('Linux mod');
    expect(guess({ window: 4500 }).label).toBe('Linux mtu'); // 3 × (1460 + 40)
  });

  it('is fuzzy when df and id+ disappear or id- and ecn appear (first fuzzy match in file order, generic or not)', () => {
    const fuzzyGeneric = { label: 'Linux generic', fuzzy: true, generic: true };
    expect(guess({ ipFlags: 0, ipId: 0 })).toMatchObject(fuzzyGeneric);
    expect(guess({ tos: 1 })).toMatchObject(fuzzyGeneric);
    expect(guess({ seq: 0 })).toMatchObject({ label: null });
  });

  it('is fuzzy when the TTL is above the signature or more than 35 hops below it', () => {
    // Out of range: the distance is guessed from the observed TTL.
    expect(guess({ ttl: 70 })).toMatchObject({ label: 'Linux generic', fuzzy: true, distance: 58 });
    expect(guess({ ttl: 28 })).toMatchObject({ label: 'Linux generic', fuzzy: true, distance: 4 });
    expect(guess({ ttl: 29 })).toMatchObject({ label: 'Linux 3.11 and newer', fuzzy: false, distance: 35 });
  });

  it('ignores the other IP version’s quirks for `*` signatures only', () => {
    expect(guess({ ipVersion: 6, ipFlags: 0, ipId: 0 })).toMatchObject({
      label: 'Linux 3.11 and newer',
      fuzzy: false,
    });
    expect(guess({ ipVersion: 6, flowLabel: 5 })).toMatchObject({ label: null });
    const v6 = { options: Uint8Array.from([2, 4, 0x05, 0xb4]), window: 2048, ipFlags: 0, ipId: 7 };
    expect(guess({ ...v6, ipVersion: 6 })).toMatchObject({ label: 'v6only', fuzzy: false });
  });

  it('matches random-TTL tools at or below their TTL, and never fuzzily', () => {
    const scan = { options: Uint8Array.from([2, 4, 0x05, 0xb4]), window: 1024, ipFlags: 0, ipId: 99 };
    expect(guess({ ...scan, ttl: 40 })).toMatchObject({
      label: 'Scanner SYN',
      userland: true,
      randomTtl: true,
      distance: 24,
      fuzzy: false,
    });
    expect(guess({ ...scan, ttl: 65 })).toMatchObject({ label: null, distance: 63 });
    expect(guess({ ...scan, ttl: 40, ipId: 0 })).toMatchObject({ label: null, distance: 0 });
  });

  it('says unknown with the guessed distance when nothing matches', () => {
    expect(guess({ window: 1, options: new Uint8Array(0), ttl: 120 })).toMatchObject({
      label: null,
      match: null,
      distance: 8,
      line: 0,
    });
  });

  it('matches SYN+ACKs against [tcp:response], using the peer MSS as a divisor', () => {
    const synAck = { tcpFlags: SYN | ACK, ack: 1, ipId: 0, options: Uint8Array.from([2, 4, 0x05, 0x78]) };
    expect(guess({ ...synAck, window: 14000 })).toMatchObject({ label: 'Linux 3.x' }); // 10 × 1400
    expect(guess({ ...synAck, window: 13000 })).toMatchObject({ label: null });
    expect(guess({ ...synAck, window: 13000, synMss: 1300 })).toMatchObject({ label: 'Linux 3.x' });
  });
});

describe('p0fFingerprint with the shipped database', () => {
  it('gives signature, guess and params (pinned from the p0f 3.09b oracle)', () => {
    // foxio-ja4/pcap/browsers-x509.pcapng.log: a Windows SYN, os=Windows NT kernel, params=generic
    const win = syn({
      ttl: 128,
      window: 64240,
      options: Uint8Array.from([2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2]),
    });
    const r = p0fFingerprint(win, loadP0fDatabase());
    expect(r.sig).toBe('4:128+0:0:1460:mss*44,8:mss,nop,ws,nop,nop,sok:df,id+:0');
    expect(r.guess).toMatchObject({ label: 'Windows NT kernel', distance: 0, generic: true });
    expect(r.params).toBe('generic');
  });

  it('prints excess_dist and tos in params', () => {
    const r = p0fFingerprint(
      syn({ ttl: 200, tos: 0x20, window: 1, options: new Uint8Array(0) }),
      loadP0fDatabase(),
    );
    expect(r.guess.label).toBeNull();
    expect(r.params).toBe('excess_dist tos:0x08');
  });
});
