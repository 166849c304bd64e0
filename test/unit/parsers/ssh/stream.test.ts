import { describe, expect, it } from 'vitest';
import { MAX_PACKETS_BEFORE_KEXINIT, MAX_SSH_PACKET_LENGTH } from '../../../../src/parsers/ssh/limits.js';
import { parseSshStream } from '../../../../src/parsers/ssh/stream.js';
import {
  ascii,
  binaryPacket,
  concat,
  ignorePayload,
  kexinitPayload,
  OPENSSH_LISTS,
  u32,
} from './builders.js';

const BANNER = ascii('SSH-2.0-OpenSSH_9.6\r\n');
const KEXINIT = binaryPacket(kexinitPayload());
const STREAM = concat(BANNER, KEXINIT);

describe('parseSshStream (RFC 4253 §4.2, §6, §7.1)', () => {
  it('identification then KEXINIT', () => {
    const r = parseSshStream(STREAM);
    expect(r.status).toBe('ok');
    expect(r.isSsh).toBe(true);
    expect(r.identification.banner).toBe('SSH-2.0-OpenSSH_9.6');
    expect(r.kexinit?.kexAlgorithms).toEqual(OPENSSH_LISTS.kex);
    expect(r.kexinitEnd).toBe(STREAM.length);
    expect(r.packets).toBe(1);
    expect(r.anomalies).toEqual([]);
  });

  it('stops at the first KEXINIT (what follows is not read)', () => {
    const data = concat(STREAM, binaryPacket(kexinitPayload({ kex: ['second'] })), u32(0xffffffff));
    const r = parseSshStream(data);
    expect(r.kexinit?.kexAlgorithms).toEqual(OPENSSH_LISTS.kex);
    expect(r.kexinitEnd).toBe(STREAM.length);
    expect(r.anomalies).toEqual([]);
  });

  it('skips IGNORE, DEBUG and UNIMPLEMENTED before KEXINIT', () => {
    const data = concat(
      BANNER,
      binaryPacket(ignorePayload('x')),
      binaryPacket([4, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      binaryPacket([3, 0, 0, 0, 1]),
      KEXINIT,
    );
    const r = parseSshStream(data);
    expect(r).toMatchObject({ status: 'ok', packets: 4, kexinitEnd: data.length, anomalies: [] });
  });

  it('flags any other message before KEXINIT, and keeps going', () => {
    const r = parseSshStream(concat(BANNER, binaryPacket([50, 1, 2]), KEXINIT));
    expect(r.status).toBe('ok');
    expect(r.kexinit).not.toBeNull();
    expect(r.anomalies).toEqual(['unexpected_message_before_kexinit']);
  });

  it('DISCONNECT before KEXINIT ends the walk', () => {
    const r = parseSshStream(concat(BANNER, binaryPacket([1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]), KEXINIT));
    expect(r).toMatchObject({
      status: 'ok',
      kexinit: null,
      packets: 1,
      anomalies: ['disconnect_before_kexinit'],
    });
  });

  it('server pre-banner lines, bare LF, SSH-1.99', () => {
    const data = concat(ascii('Authorized use only\r\n\nSSH-1.99-srv\n'), KEXINIT);
    const r = parseSshStream(data, 'server');
    expect(r.identification.preBannerLines).toEqual(['Authorized use only', '']);
    expect(r.identification.sshMajorVersion).toBe(2);
    expect(r).toMatchObject({ status: 'ok', kexinitEnd: data.length, anomalies: ['bare_lf'] });
  });

  it('SSH-1 identification: no SSH-2 packets are read', () => {
    const r = parseSshStream(concat(ascii('SSH-1.5-1.2.26\n'), [0, 0, 1, 4, 0, 0, 0, 0, 0, 2]));
    expect(r).toMatchObject({ status: 'ok', isSsh: true, kexinit: null, packets: 0 });
  });

  it('detects by content: no port is involved (SSH on 2222 parses the same)', () => {
    expect(parseSshStream.length).toBeLessThanOrEqual(2); // (data, role?) — nothing else to go on
    expect(parseSshStream(STREAM, 'client').kexinit).not.toBeNull();
  });

  it('not SSH', () => {
    expect(parseSshStream(ascii('GET / HTTP/1.1\r\n\r\n'), 'client')).toMatchObject({
      status: 'invalid',
      isSsh: false,
      kexinit: null,
      anomalies: ['not_ssh'],
    });
  });

  it('every prefix of a valid stream: incomplete until the KEXINIT is whole, then the same result', () => {
    const data = concat(BANNER, binaryPacket(ignorePayload('abc')), KEXINIT);
    const whole = parseSshStream(data);
    for (let n = 0; n < data.length; n++) {
      const r = parseSshStream(data.subarray(0, n));
      expect(r.status, `length ${n}`).toBe('incomplete');
      expect(r.kexinit).toBeNull();
      expect(r.anomalies).toEqual([]);
    }
    expect(whole.status).toBe('ok');
    expect(whole.kexinitEnd).toBe(data.length);
  });
});

describe('parseSshStream: binary packet limits (RFC 4253 §6)', () => {
  const packet = (length: number, padding: number, body: ArrayLike<number> = []) =>
    concat(BANNER, u32(length), [padding], body);
  const cases: Array<[string, Uint8Array, string, string[]]> = [
    ['packet_length 0xffffffff', packet(0xffffffff, 4), 'invalid', ['packet_too_long']],
    [
      `packet_length ${MAX_SSH_PACKET_LENGTH + 1}`,
      packet(MAX_SSH_PACKET_LENGTH + 1, 4),
      'invalid',
      ['packet_too_long'],
    ],
    [
      `packet_length ${MAX_SSH_PACKET_LENGTH} (35004 in all: not 8-aligned), bytes missing`,
      packet(MAX_SSH_PACKET_LENGTH, 4),
      'incomplete',
      ['packet_not_block_aligned'],
    ],
    ['aligned packet, bytes missing', packet(4092, 4, [20]), 'incomplete', []],
    ['packet_length 0', packet(0, 0), 'invalid', ['bad_padding_length']],
    ['padding_length ≥ packet_length', packet(12, 12), 'invalid', ['bad_padding_length']],
    [
      'padding shorter than 4',
      concat(BANNER, binaryPacket(kexinitPayload(), 3)),
      'ok',
      ['padding_too_short', 'packet_not_block_aligned'],
    ],
    [
      'total not a multiple of 8',
      concat(BANNER, binaryPacket(kexinitPayload(), 5)),
      'ok',
      ['packet_not_block_aligned'],
    ],
    [
      'packet under 16 bytes',
      concat(BANNER, binaryPacket([2], 4), KEXINIT),
      'ok',
      ['packet_too_short', 'packet_not_block_aligned'],
    ],
    [
      'empty payload',
      concat(BANNER, u32(5), [4], new Uint8Array(4), KEXINIT),
      'ok',
      ['packet_too_short', 'packet_not_block_aligned', 'empty_payload'],
    ],
    [
      'KEXINIT truncated inside its packet',
      concat(BANNER, binaryPacket(kexinitPayload().subarray(0, 40))),
      'invalid',
      ['truncated_kexinit'],
    ],
    [
      `more than ${MAX_PACKETS_BEFORE_KEXINIT} packets before KEXINIT`,
      concat(
        BANNER,
        ...Array.from({ length: MAX_PACKETS_BEFORE_KEXINIT }, () => binaryPacket(ignorePayload(''))),
        KEXINIT,
      ),
      'invalid',
      ['too_many_packets_before_kexinit'],
    ],
  ];
  it.each(cases)('%s', (_n, data, status, anomalies) => {
    const r = parseSshStream(data);
    expect(r.status).toBe(status);
    expect(r.anomalies).toEqual(anomalies);
    expect(r.isSsh).toBe(true);
  });
});
