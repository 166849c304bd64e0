// p0f v3 raw signatures and quirks, one case per rule of p0f 3.09b docs/README §5 ("TCP signatures")
// and its parser's documented behaviour; expected strings are written from those rules.
import { describe, expect, it } from 'vitest';
import {
  guessDistance,
  type P0fInput,
  p0fPacket,
  p0fSignature,
  quirkNames,
} from '../../../../src/fingerprints/p0f/index.js';
import { ACK, SYN, syn } from './builders.js';

const quirksOf = (over: Partial<P0fInput>) => quirkNames(p0fPacket(syn(over)).quirks);

describe('p0fSignature', () => {
  it('prints a Linux SYN as p0f does', () => {
    expect(p0fSignature(syn())).toBe('4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0');
  });

  it.each([
    [64, '64+0'],
    [35, '35+29'],
    [1, '1+31'],
    [128, '128+0'],
    [100, '100+28'],
    [129, '129+?'],
    [220, '220+35'],
    [219, '219+?'],
    [255, '255+0'],
  ])('writes TTL %i as %s (observed + guessed distance, ? beyond 35 hops)', (ttl, text) => {
    expect(p0fSignature(syn({ ttl })).split(':')[1]).toBe(text);
  });

  it('guesses the distance to the next initial TTL of 32, 64, 128, 255', () => {
    expect([0, 32, 33, 64, 65, 128, 129, 255].map(guessDistance)).toEqual([32, 0, 31, 0, 63, 0, 126, 0]);
  });

  it('prints IP options length and the IP version', () => {
    expect(
      p0fSignature(syn({ ipOptsLen: 8 }))
        .split(':')
        .slice(0, 3),
    ).toEqual(['4', '64+0', '8']);
    expect(
      p0fSignature(syn({ ipVersion: 6, ipOptsLen: 8 }))
        .split(':')
        .slice(0, 3),
    ).toEqual(['6', '64+0', '0']);
  });

  it.each([
    [64240, 'mss*44'], // 44 × 1460
    [0, '0'], // a zero window is never a multiple
    [14480, 'mss*10'], // 10 × 1448 (MSS − 12: timestamps present)
    [29201, '29201'],
    [4500, 'mtu*3'], // 3 × (1460 + 40)
  ])('window %i → %s', (window, text) => {
    expect(p0fSignature(syn({ window })).split(':')[4]).toBe(`${text},7`);
  });

  it('tries MSS − 12 only when the own timestamp is non-zero', () => {
    // mss 1000, window 2964 = 3 × 988; nothing else divides it.
    const mss1000 = (tsval: number) => Uint8Array.from([2, 4, 0x03, 0xe8, 8, 10, 0, 0, 0, tsval, 0, 0, 0, 0]);
    expect(p0fSignature(syn({ window: 2964, options: mss1000(1) })).split(':')[4]).toBe('mss*3,0');
    expect(p0fSignature(syn({ window: 2964, options: mss1000(0) })).split(':')[4]).toBe('2964,0');
  });

  it('uses the MTU-1500 MSS divisors, IPv6 ones only for IPv6', () => {
    const mss536 = [2, 4, 0x02, 0x18];
    expect(p0fSignature(syn({ window: 1460 * 2, options: Uint8Array.from(mss536) })).split(':')[4]).toBe(
      'mss*2,0',
    );
    expect(p0fSignature(syn({ window: 1440 * 3, options: Uint8Array.from(mss536) })).split(':')[4]).toBe(
      '4320,0',
    );
    expect(
      p0fSignature(syn({ ipVersion: 6, window: 1440 * 3, options: Uint8Array.from(mss536) })).split(':')[4],
    ).toBe('mss*3,0');
  });

  it('uses the actual header size as an MTU divisor', () => {
    // mss 1000, IPv4 20 + TCP 20 + 4 option bytes: 1044 × 5 (1040 does not divide 5220).
    const mss1000 = [2, 4, 0x03, 0xe8];
    expect(p0fSignature(syn({ window: 5220, options: Uint8Array.from(mss1000) })).split(':')[4]).toBe(
      'mtu*5,0',
    );
  });

  it('ignores window multiples when the MSS is below 100', () => {
    const mss99 = [2, 4, 0, 99];
    expect(p0fSignature(syn({ window: 99 * 4, options: Uint8Array.from(mss99) })).split(':')[4]).toBe(
      '396,0',
    );
  });

  it("tries the peer's SYN MSS (and MSS − 12) on a SYN+ACK only", () => {
    // own mss 1400; window 9100 = 7 × 1300 and 3864 = 3 × 1288, multiples of nothing else.
    const mss1400 = [2, 4, 0x05, 0x78];
    const synAck = syn({ tcpFlags: SYN | ACK, ack: 1, window: 9100, options: Uint8Array.from(mss1400) });
    expect(p0fSignature(synAck).split(':')[4]).toBe('9100,0');
    expect(p0fSignature({ ...synAck, synMss: 1300 }).split(':')[4]).toBe('mss*7,0');
    expect(p0fSignature({ ...synAck, window: 3864, synMss: 1300 }).split(':')[4]).toBe('mss*3,0');
    expect(p0fSignature({ ...synAck, tcpFlags: SYN, ack: 0, synMss: 1300 }).split(':')[4]).toBe('9100,0');
  });

  it('prints MSS 0 without an MSS option, and * for a SYN+ACK echoing p0f-sendsyn (1331)', () => {
    expect(p0fSignature(syn({ options: new Uint8Array(0), window: 1024 }))).toBe(
      '4:64+0:0:0:1024,0::df,id+:0',
    );
    const echo = Uint8Array.from([2, 4, 0x05, 0x33]);
    expect(p0fSignature(syn({ options: echo, window: 1024 })).split(':')[3]).toBe('1331');
    expect(
      p0fSignature(syn({ options: echo, window: 1024, tcpFlags: SYN | ACK, ack: 1 })).split(':')[3],
    ).toBe('*');
  });

  it('names options, prints EOL once with its padding and unknown kinds as ?N', () => {
    const opts = [2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 4, 2, 0, 0];
    expect(p0fSignature(syn({ window: 65535, options: Uint8Array.from(opts) }))).toBe(
      '4:64+0:0:1460:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0',
    );
    const odd = [30, 4, 0, 0, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0, 254, 2];
    expect(p0fSignature(syn({ window: 100, options: Uint8Array.from(odd) })).split(':')[5]).toBe(
      '?30,sack,?254',
    );
  });

  it('prints the payload class', () => {
    expect(p0fSignature(syn({ payloadLen: 1 })).endsWith(':+')).toBe(true);
    expect(p0fSignature(syn({ payloadLen: 0 })).endsWith(':0')).toBe(true);
  });
});

describe('p0f quirks', () => {
  it('df / id+ / id- (IPv4 only)', () => {
    expect(quirksOf({ ipFlags: 0x2, ipId: 1 })).toEqual(['df', 'id+']);
    expect(quirksOf({ ipFlags: 0x2, ipId: 0 })).toEqual(['df']);
    expect(quirksOf({ ipFlags: 0, ipId: 0 })).toEqual(['id-']);
    expect(quirksOf({ ipFlags: 0, ipId: 7 })).toEqual([]);
    expect(quirksOf({ ipVersion: 6, ipFlags: 0x2, ipId: 0 })).toEqual([]);
  });

  it('ecn: IP ECN bits, or TCP ECE, CWR or NS', () => {
    for (const tos of [1, 2, 3]) expect(quirksOf({ tos, ipId: 0, ipFlags: 2 })).toEqual(['df', 'ecn']);
    for (const f of [0x40, 0x80, 0x100])
      expect(quirksOf({ tcpFlags: SYN | f, ipId: 0, ipFlags: 2 })).toContain('ecn');
    expect(quirksOf({ ipVersion: 6, tos: 0x01 })).toEqual(['ecn']);
    expect(quirksOf({ tos: 0xb8, ipId: 0, ipFlags: 2 })).toEqual(['df']);
  });

  it('0+ (IPv4 reserved flag) and flow (IPv6 flow label)', () => {
    expect(quirksOf({ ipFlags: 0x4 | 0x2, ipId: 0 })).toEqual(['df', '0+']);
    expect(quirksOf({ ipVersion: 6, flowLabel: 0x12345 })).toEqual(['flow']);
    expect(quirksOf({ ipVersion: 4, flowLabel: 0x12345, ipId: 0, ipFlags: 2 })).toEqual(['df']);
  });

  it('seq- (zero sequence number)', () => {
    expect(quirksOf({ seq: 0, ipId: 0 })).toEqual(['df', 'seq-']);
  });

  it("ack+ as p0f 3.09b codes it: only bit 24 of a non-ACK segment's acknowledgment number", () => {
    expect(quirksOf({ ack: 0x01000000, ipId: 0 })).toEqual(['df', 'ack+']);
    expect(quirksOf({ ack: 0xff000000, ipId: 0 })).toEqual(['df', 'ack+']);
    expect(quirksOf({ ack: 0x00000001, ipId: 0 })).toEqual(['df']);
    expect(quirksOf({ ack: 0xfeffffff, ipId: 0 })).toEqual(['df']);
    expect(quirksOf({ ack: 0x01000000, ipId: 0, tcpFlags: SYN | 0x04 })).toEqual(['df']);
  });

  it('ack- (ACK flag with a zero acknowledgment number)', () => {
    expect(quirksOf({ tcpFlags: SYN | ACK, ack: 0, ipId: 0 })).toEqual(['df', 'ack-']);
    expect(quirksOf({ tcpFlags: SYN | ACK, ack: 5, ipId: 0 })).toEqual(['df']);
  });

  it('uptr+ (urgent pointer without URG), urgf+ (URG), pushf+ (PSH)', () => {
    expect(quirksOf({ urgPtr: 1, ipId: 0 })).toEqual(['df', 'uptr+']);
    expect(quirksOf({ urgPtr: 1, tcpFlags: SYN | 0x20, ipId: 0 })).toEqual(['df', 'urgf+']);
    expect(quirksOf({ tcpFlags: SYN | 0x08, ipId: 0 })).toEqual(['df', 'pushf+']);
  });

  it('ts1- (own timestamp zero) and ts2+ (peer timestamp on a SYN, not on a SYN+ACK)', () => {
    const ts = (a: number, b: number) => Uint8Array.from([8, 10, 0, 0, 0, a, 0, 0, 0, b]);
    expect(quirksOf({ options: ts(0, 0), ipId: 0 })).toEqual(['df', 'ts1-']);
    expect(quirksOf({ options: ts(1, 9), ipId: 0 })).toEqual(['df', 'ts2+']);
    expect(quirksOf({ options: ts(1, 9), ipId: 0, tcpFlags: SYN | ACK, ack: 1 })).toEqual(['df']);
  });

  it('opt+ (non-zero bytes after EOL; p0f steps past a non-zero last byte)', () => {
    expect(quirksOf({ options: Uint8Array.from([1, 0, 0, 0]), ipId: 0 })).toEqual(['df']);
    expect(quirksOf({ options: Uint8Array.from([1, 0, 7, 0]), ipId: 0 })).toEqual(['df', 'opt+']);
    expect(quirksOf({ options: Uint8Array.from([1, 0, 0, 7]), ipId: 0 })).toEqual(['df']);
    expect(p0fSignature(syn({ options: Uint8Array.from([1, 0, 7, 0]), window: 9 })).split(':')[5]).toBe(
      'nop,eol+2',
    );
  });

  it('exws (window scale above 14)', () => {
    expect(quirksOf({ options: Uint8Array.from([3, 3, 15]), ipId: 0 })).toEqual(['df', 'exws']);
    expect(quirksOf({ options: Uint8Array.from([3, 3, 14]), ipId: 0 })).toEqual(['df']);
  });

  it('bad: a wrong length on a fixed-size option (its value still read at the fixed size)', () => {
    const p = p0fPacket(syn({ options: Uint8Array.from([2, 5, 0x05, 0xb4]), ipId: 0 }));
    expect(quirkNames(p.quirks)).toEqual(['df', 'bad']);
    expect(p.mss).toBe(1460);
    expect(p.layout).toEqual([2]);
  });

  it('bad: an option running past the options area aborts the walk, its kind still listed', () => {
    const p = p0fPacket(syn({ options: Uint8Array.from([1, 8, 10, 0, 0]), ipId: 0 }));
    expect(quirkNames(p.quirks)).toEqual(['df', 'bad']);
    expect(p.layout).toEqual([1, 8]);
    expect(quirksOf({ options: Uint8Array.from([5, 9, 0, 0, 0, 0, 0, 0, 0]), ipId: 0 })).toEqual([
      'df',
      'bad',
    ]);
    expect(quirksOf({ options: Uint8Array.from([99, 1, 0, 0]), ipId: 0 })).toEqual(['df', 'bad']);
    expect(quirksOf({ options: Uint8Array.from([99]), ipId: 0 })).toEqual(['df', 'bad']);
  });

  it('bad: more than 24 options', () => {
    const p = p0fPacket(syn({ options: new Uint8Array(25).fill(1), ipId: 0 }));
    expect(p.layout.length).toBe(24);
    expect(quirkNames(p.quirks)).toEqual(['df', 'bad']);
    expect(quirksOf({ options: new Uint8Array(24).fill(1), ipId: 0 })).toEqual(['df']);
  });

  it('prints quirks in p0f order', () => {
    const all = syn({
      ipFlags: 0x6,
      ipId: 9,
      tos: 1,
      seq: 0,
      ack: 0x01000000,
      urgPtr: 3,
      tcpFlags: SYN | 0x08,
      options: Uint8Array.from([3, 3, 20, 8, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5, 0]),
    });
    expect(p0fSignature(all).split(':')[6]).toBe('df,id+,ecn,0+,seq-,ack+,uptr+,pushf+,ts1-,ts2+,opt+,exws');
  });
});
