import { describe, expect, it } from 'vitest';
import { type Kexinit, parseKexinit } from '../../../../src/parsers/ssh/kexinit.js';
import { ascii, concat, type KexinitSpec, kexinitPayload, OPENSSH_LISTS, u32 } from './builders.js';

/** The parsed form the RFC 4253 §7.1 layout gives for the default builder lists. */
const DEFAULT_PARSED: Omit<Kexinit, 'cookie' | 'anomalies'> = {
  kexAlgorithms: [...OPENSSH_LISTS.kex],
  serverHostKeyAlgorithms: [...OPENSSH_LISTS.hostKey],
  encryptionAlgorithmsClientToServer: [...OPENSSH_LISTS.encC2s],
  encryptionAlgorithmsServerToClient: [...OPENSSH_LISTS.encS2c],
  macAlgorithmsClientToServer: [...OPENSSH_LISTS.macC2s],
  macAlgorithmsServerToClient: [...OPENSSH_LISTS.macS2c],
  compressionAlgorithmsClientToServer: [...OPENSSH_LISTS.compC2s],
  compressionAlgorithmsServerToClient: [...OPENSSH_LISTS.compS2c],
  languagesClientToServer: [],
  languagesServerToClient: [],
  firstKexPacketFollows: false,
  reserved: 0,
};

describe('parseKexinit (RFC 4253 §7.1)', () => {
  it('reads the cookie and the ten name-lists in wire order', () => {
    const r = parseKexinit(kexinitPayload());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kexinit).toMatchObject(DEFAULT_PARSED);
    expect(Array.from(r.kexinit.cookie)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(r.kexinit.anomalies).toEqual([]);
  });

  const cases: Array<[string, KexinitSpec, Partial<Kexinit>]> = [
    [
      'first_kex_packet_follows = 1',
      { firstKexPacketFollows: 1 },
      { firstKexPacketFollows: true, anomalies: [] },
    ],
    [
      'boolean other than 0/1 (RFC 4251 §5: MUST be 0 or 1 when sent)',
      { firstKexPacketFollows: 7 },
      { firstKexPacketFollows: true, anomalies: ['non_canonical_boolean'] },
    ],
    ['reserved ≠ 0', { reserved: 9 }, { reserved: 9, anomalies: ['nonzero_reserved'] }],
    ['bytes after reserved', { trailing: [0, 0] }, { anomalies: ['trailing_data'] }],
    [
      'empty name-lists are []',
      { kex: [], encC2s: [], langC2s: [] },
      {
        kexAlgorithms: [],
        encryptionAlgorithmsClientToServer: [],
        languagesClientToServer: [],
        anomalies: [],
      },
    ],
    [
      'languages kept',
      { langC2s: ['en-US', 'fr'] },
      { languagesClientToServer: ['en-US', 'fr'], anomalies: [] },
    ],
    [
      'empty names are kept so the list re-joins exactly (RFC 4251 §5: names MUST be non-empty)',
      { kex: 'a,,b' },
      { kexAlgorithms: ['a', '', 'b'], anomalies: ['empty_name'] },
    ],
    ['a lone comma', { macC2s: ',' }, { macAlgorithmsClientToServer: ['', ''], anomalies: ['empty_name'] }],
    ['64-character name is fine', { kex: ['k'.repeat(64)] }, { anomalies: [] }],
    ['65-character name (RFC 4251 §6: ≤ 64)', { kex: ['k'.repeat(65)] }, { anomalies: ['name_too_long'] }],
    [
      'non-ASCII byte (names are US-ASCII)',
      { encC2s: ['aes\xff'] },
      { encryptionAlgorithmsClientToServer: ['aes\xff'], anomalies: ['non_ascii_name'] },
    ],
    ['space in a name (RFC 4251 §6)', { kex: ['a b'] }, { anomalies: ['non_printable_name'] }],
    ['DEL in a name', { kex: ['a\x7f'] }, { anomalies: ['non_printable_name'] }],
    ['control character in a name', { compS2c: ['no\nne'] }, { anomalies: ['non_printable_name'] }],
  ];
  it.each(cases)('%s', (_n, spec, expected) => {
    const r = parseKexinit(kexinitPayload(spec));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.kexinit).toMatchObject(expected);
  });

  it('rejects a payload that is not SSH_MSG_KEXINIT', () => {
    expect(parseKexinit(new Uint8Array(0))).toEqual({ ok: false, error: 'not_kexinit' });
    expect(parseKexinit(concat([21], kexinitPayload().subarray(1)))).toEqual({
      ok: false,
      error: 'not_kexinit',
    });
  });

  it('every truncation is truncated_kexinit', () => {
    const full = kexinitPayload();
    for (let n = 1; n < full.length; n++) {
      expect(parseKexinit(full.subarray(0, n)), `length ${n}`).toEqual({
        ok: false,
        error: 'truncated_kexinit',
      });
    }
  });

  it('hostile name-list lengths are truncated_kexinit', () => {
    for (const len of [0xffffffff, 0x80000000, 1000]) {
      const payload = concat([20], new Uint8Array(16), u32(len), ascii('aes128-ctr'));
      expect(parseKexinit(payload)).toEqual({ ok: false, error: 'truncated_kexinit' });
    }
  });

  // parseKexinit memoises by the bytes after the cookie: what differs only in the cookie must still
  // come back with its own cookie, and anything else that differs must not share a result.
  describe('memo', () => {
    const cookieA = Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const cookieB = Array.from({ length: 16 }, (_, i) => 0xb0 + i);

    it('KEXINITs differing only in the cookie share lists, each with its own cookie', () => {
      const a = parseKexinit(kexinitPayload({ cookie: cookieA }));
      const b = parseKexinit(kexinitPayload({ cookie: cookieB }));
      if (!a.ok || !b.ok) throw new Error('both parse');
      expect(Array.from(a.kexinit.cookie)).toEqual(cookieA);
      expect(Array.from(b.kexinit.cookie)).toEqual(cookieB);
      expect(b.kexinit).toMatchObject(DEFAULT_PARSED);
      expect(b.kexinit.kexAlgorithms).toBe(a.kexinit.kexAlgorithms);
    });

    it('a cookie is a view of its own payload, not of the first one parsed', () => {
      const payload = kexinitPayload({ cookie: cookieA });
      parseKexinit(kexinitPayload({ cookie: cookieB }));
      const r = parseKexinit(payload);
      if (!r.ok) throw new Error('parses');
      payload[1] = 0x42;
      expect(r.kexinit.cookie[0]).toBe(0x42);
    });

    it('one byte changed after the cookie is a different KEXINIT', () => {
      const a = parseKexinit(kexinitPayload({ cookie: cookieA }));
      const b = parseKexinit(kexinitPayload({ cookie: cookieA, kex: ['curve25519-sha256', 'ext-info-c'] }));
      const c = parseKexinit(kexinitPayload({ cookie: cookieA, firstKexPacketFollows: 1 }));
      const d = parseKexinit(kexinitPayload({ cookie: cookieA, reserved: 9 }));
      if (!a.ok || !b.ok || !c.ok || !d.ok) throw new Error('all parse');
      expect(b.kexinit.kexAlgorithms).toEqual(['curve25519-sha256', 'ext-info-c']);
      expect(b.kexinit.kexAlgorithms).not.toBe(a.kexinit.kexAlgorithms);
      expect(c.kexinit.firstKexPacketFollows).toBe(true);
      expect(c.kexinit.kexAlgorithms).not.toBe(a.kexinit.kexAlgorithms);
      expect(d.kexinit.anomalies).toEqual(['nonzero_reserved']);
      expect(a.kexinit.anomalies).toEqual([]);
    });

    it('errors are the same on a second parse, and a valid prefix of a memoised one is truncated', () => {
      const full = kexinitPayload({ cookie: cookieA });
      expect(parseKexinit(full).ok).toBe(true);
      for (let i = 0; i < 2; i++)
        expect(parseKexinit(full.subarray(0, full.length - 1))).toEqual({
          ok: false,
          error: 'truncated_kexinit',
        });
    });
  });
});
