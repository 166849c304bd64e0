import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasshAlgorithms } from '../../../../src/fingerprints/hassh.js';
import { looksLikeSsh } from '../../../../src/parsers/ssh/banner.js';
import type { SshRole } from '../../../../src/parsers/ssh/constants.js';
import { kexinitFields, sshBannerFields } from '../../../../src/parsers/ssh/fields.js';
import { parseKexinit } from '../../../../src/parsers/ssh/kexinit.js';
import {
  MAX_IDENTIFICATION_LENGTH,
  MAX_PACKETS_BEFORE_KEXINIT,
  MAX_PRE_BANNER_LINE_LENGTH,
  MAX_PRE_BANNER_LINES,
} from '../../../../src/parsers/ssh/limits.js';
import { parseSshStream, type SshStreamResult } from '../../../../src/parsers/ssh/stream.js';
import { escapeBytes } from '../../../../src/parsers/ssh/text.js';
import { mutate, mutations } from '../../../helpers/mutation.js';
import { ascii, type Bytes, binaryPacket, concat, ignorePayload, kexinitPayload, u32 } from './builders.js';

const RUNS = 2000;

/** Every code parseSshStream may report (its doc comment and those of the functions it calls). */
const KNOWN_ANOMALIES = new Set([
  'not_ssh',
  'too_many_pre_banner_lines',
  'pre_banner_too_long',
  'pre_banner_line_too_long',
  'unterminated_banner',
  'banner_too_long',
  'bare_lf',
  'non_printable_banner',
  'malformed_identification',
  'unknown_protoversion',
  'packet_too_long',
  'bad_padding_length',
  'padding_too_short',
  'packet_too_short',
  'packet_not_block_aligned',
  'disconnect_before_kexinit',
  'unexpected_message_before_kexinit',
  'empty_payload',
  'too_many_packets_before_kexinit',
  'truncated_kexinit',
  'non_ascii_name',
  'non_printable_name',
  'empty_name',
  'name_too_long',
  'non_canonical_boolean',
  'nonzero_reserved',
  'trailing_data',
]);

const PRINTABLE = /^[\x20-\x7e]*$/;
/** An escaped byte takes at most 4 characters (`\xHH`). */
const MAX_ESCAPED = (MAX_IDENTIFICATION_LENGTH - 2) * 4;

/** Invariants every result must satisfy, including that the field builders succeed. */
function checkResult(data: Bytes, r: SshStreamResult, role: SshRole): void {
  expect(['ok', 'incomplete', 'invalid']).toContain(r.status);
  for (const a of r.anomalies) expect(KNOWN_ANOMALIES.has(a), a).toBe(true);
  expect(new Set(r.anomalies).size).toBe(r.anomalies.length);
  const id = r.identification;
  expect(r.isSsh).toBe(id.banner !== null);
  expect(id.preBannerLines.length).toBeLessThanOrEqual(MAX_PRE_BANNER_LINES);
  for (const l of id.preBannerLines) {
    expect(l).toMatch(PRINTABLE);
    expect(l.length).toBeLessThanOrEqual((MAX_PRE_BANNER_LINE_LENGTH - 2) * 4);
  }
  for (const v of [id.banner, id.protoVersion, id.softwareVersion, id.comments]) {
    if (v === null) continue;
    expect(v).toMatch(PRINTABLE);
    expect(v.length).toBeLessThanOrEqual(MAX_ESCAPED);
  }
  if (id.status === 'ok') {
    expect(id.end).toBeGreaterThan(0);
    expect(id.end).toBeLessThanOrEqual(data.length);
    expect(id.banner).not.toBeNull();
  }
  expect(r.packets).toBeLessThanOrEqual(MAX_PACKETS_BEFORE_KEXINIT);
  if (r.isSsh) {
    const f = sshBannerFields(id);
    expect(typeof f.banner).toBe('string');
  }
  if (r.kexinit !== null) {
    expect(r.status).toBe('ok');
    expect(r.kexinitEnd).toBeGreaterThan(id.end);
    expect(r.kexinitEnd).toBeLessThanOrEqual(data.length);
    const f = kexinitFields(r.kexinit, role);
    expect(f[role === 'client' ? 'hassh' : 'hassh_server']).toMatch(/^[0-9a-f]{32}$/);
    expect(String(f.hassh_algorithms)).toMatch(PRINTABLE);
    // Four fields, or more when a name itself holds ';' (RFC 4251 §6 allows it; HASSH does not care).
    expect(String(f.hassh_algorithms).split(';').length).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  } else {
    expect(r.kexinitEnd).toBe(0);
  }
}

const CLIENT_STREAM = concat(
  ascii('SSH-2.0-OpenSSH_9.6 c\r\n'),
  binaryPacket(ignorePayload('pad')),
  binaryPacket(kexinitPayload()),
);
const SERVER_STREAM = concat(
  ascii('Welcome\r\nSSH-1.99-srv\n'),
  binaryPacket(kexinitPayload({ kex: 'a,b', langS2c: ['en'] })),
  binaryPacket([30, 0, 0, 0, 4, 1, 2, 3, 4]),
);

const role = fc.constantFrom<SshRole>('client', 'server');

describe('parseSshStream properties', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), role, (data, ro) => {
        checkResult(data, parseSshStream(data, ro), ro);
        looksLikeSsh(data, ro);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random lines (text-like bytes, LF-heavy)', () => {
    const byte = fc.oneof(
      fc.constant(10),
      fc.constant(13),
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0, max: 255 }),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 3000 }), fc.boolean(), (bytes, sshFirst) => {
        const data = concat(sshFirst ? ascii('SSH-') : [], bytes);
        checkResult(data, parseSshStream(data, 'server'), 'server');
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes behind an identification and a packet header', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        role,
        (body, len, pad, ro) => {
          const data = concat(ascii('SSH-2.0-x\r\n'), u32(len), [pad, 20], body);
          checkResult(data, parseSshStream(data, ro), ro);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes inside a well-framed KEXINIT packet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), role, (body, ro) => {
        const data = concat(ascii('SSH-2.0-x\r\n'), binaryPacket(concat([20], body)));
        checkResult(data, parseSshStream(data, ro), ro);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated valid client streams', () => {
    fc.assert(
      fc.property(mutations, (edits) => {
        const data = mutate(CLIENT_STREAM, edits);
        checkResult(data, parseSshStream(data, 'client'), 'client');
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated valid server streams', () => {
    fc.assert(
      fc.property(mutations, (edits) => {
        const data = mutate(SERVER_STREAM, edits);
        checkResult(data, parseSshStream(data, 'server'), 'server');
      }),
      { numRuns: RUNS },
    );
  });

  it('a prefix yields the KEXINIT iff it reaches kexinitEnd (callers dedupe with it)', () => {
    const whole = parseSshStream(SERVER_STREAM, 'server');
    expect(whole.kexinit).not.toBeNull();
    fc.assert(
      fc.property(fc.nat(), (cut) => {
        const n = cut % (SERVER_STREAM.length + 1);
        const r = parseSshStream(SERVER_STREAM.subarray(0, n), 'server');
        expect(r.kexinit !== null).toBe(n >= whole.kexinitEnd);
        if (r.kexinit !== null) expect(r.kexinitEnd).toBe(whole.kexinitEnd);
        else expect(r.status).toBe('incomplete');
      }),
      { numRuns: 500 },
    );
  });
});

describe('KEXINIT round trip (model-based)', () => {
  const name = fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,64}$/);
  const list = fc.array(name, { maxLength: 12 });
  it('name-lists survive the parser and HASSH re-joins them exactly', () => {
    fc.assert(
      fc.property(list, list, list, list, (kex, enc, mac, comp) => {
        const r = parseKexinit(kexinitPayload({ kex, encC2s: enc, macC2s: mac, compC2s: comp }));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.kexinit.kexAlgorithms).toEqual(kex);
        expect(r.kexinit.encryptionAlgorithmsClientToServer).toEqual(enc);
        expect(r.kexinit.anomalies).toEqual([]);
        expect(hasshAlgorithms(r.kexinit)).toBe([kex, enc, mac, comp].map((l) => l.join(',')).join(';'));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('escaping', () => {
  /** Inverse of text.ts escaping: `\\` → `\`, `\xHH` → byte. */
  function unescapeText(s: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '\\' && s[i + 1] === '\\') {
        out.push(0x5c);
        i++;
      } else if (s[i] === '\\' && s[i + 1] === 'x') {
        out.push(Number.parseInt(s.slice(i + 2, i + 4), 16));
        i += 3;
      } else out.push(s.charCodeAt(i));
    }
    return out;
  }
  it('output is printable ASCII and reversible', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const e = escapeBytes(bytes);
        expect(e).toMatch(PRINTABLE);
        expect(unescapeText(e)).toEqual(Array.from(bytes));
      }),
      { numRuns: RUNS },
    );
  });
});
