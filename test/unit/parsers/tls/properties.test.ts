import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGrease } from '../../../../src/fingerprints/grease.js';
import { clientHelloFields, serverHelloFields, type TlsOptions } from '../../../../src/parsers/tls/fields.js';
import { MAX_HELLOS_PER_STREAM } from '../../../../src/parsers/tls/limits.js';
import { parseTlsStream, type TlsStreamResult } from '../../../../src/parsers/tls/stream.js';
import { mutate, mutations } from '../../../helpers/mutation.js';
import {
  type Bytes,
  CHANGE_CIPHER_SPEC_RECORD,
  clientHelloMessage,
  concat,
  type Ext,
  ext,
  extAlpn,
  extSupportedVersionsServer,
  handshake,
  handshakeRecord,
  serverHelloMessage,
  splitIntoRecords,
  u24,
  workedClientHello,
} from './builders.js';
import { HELLO_ANOMALIES } from './hello-anomalies.js';

const RUNS = 2000;
const OPTS: TlsOptions = { ja4plus: true, protocol: 't' };

/** Every code parseTlsStream may report (its doc comment lists them). */
const KNOWN_ANOMALIES = new Set([
  'not_tls',
  'no_handshake',
  'bad_record_version',
  'record_too_long',
  'unknown_content_type',
  'handshake_too_long',
  'too_many_hellos',
  'empty_handshake_record',
  ...HELLO_ANOMALIES,
]);

const JA4_RE = /^t[0-9a-z]{2}[di]\d{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;
const JA4S_RE = /^t[0-9a-z]{2}\d{2}[0-9A-Za-z]{2}_[0-9a-f]{4}_[0-9a-f]{12}$/;
const MD5_RE = /^[0-9a-f]{32}$/;

/** Checks the invariants every result must satisfy, including that the field builders succeed. */
function checkResult(data: Bytes, r: TlsStreamResult): void {
  expect(r.clientHellos.length + r.serverHellos.length).toBeLessThanOrEqual(MAX_HELLOS_PER_STREAM);
  for (const a of r.anomalies) expect(KNOWN_ANOMALIES.has(a), a).toBe(true);
  expect(new Set(r.anomalies).size).toBe(r.anomalies.length);
  if (r.sslv2ClientHello) expect(r.isTls).toBe(true);
  if (!r.isTls) expect(r.clientHellos.length + r.serverHellos.length).toBe(0);
  for (const { hello, end } of r.clientHellos) {
    expect(end).toBeGreaterThan(0);
    expect(end).toBeLessThanOrEqual(data.length);
    const f = clientHelloFields(hello, OPTS);
    expect(f.ja4).toMatch(JA4_RE);
    expect(f.ja4_o).toMatch(JA4_RE);
    expect(f.ja3).toMatch(MD5_RE);
    expect(String(f.ja3_full).split(',')).toHaveLength(5);
  }
  for (const { hello, end } of r.serverHellos) {
    expect(end).toBeGreaterThan(0);
    expect(end).toBeLessThanOrEqual(data.length);
    const f = serverHelloFields(hello, OPTS);
    expect(f.ja4s).toMatch(JA4S_RE);
    expect(f.ja3s).toMatch(MD5_RE);
  }
}

const CLIENT_STREAM = concat(
  splitIntoRecords(workedClientHello({ grease: true }), [90, 200]),
  CHANGE_CIPHER_SPEC_RECORD,
);
const SERVER_STREAM = concat(
  handshakeRecord(
    concat(
      serverHelloMessage({
        cipherSuite: 0xc02f,
        extensions: [ext(0xff01, [0]), extAlpn(['h2']), ext(0x000b, [1, 0])],
      }),
      handshake(11, concat(u24(6), u24(3), [1, 2, 3])),
    ),
    0x0303,
  ),
  handshakeRecord(handshake(14, new Uint8Array(0)), 0x0303),
);

describe('parseTlsStream properties', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (data) => {
        checkResult(data, parseTlsStream(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes behind a Handshake record header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 0, max: 0xffff }), (body, len) => {
        const data = concat([22, 3, 1, len >> 8, len & 0xff], body);
        checkResult(data, parseTlsStream(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated valid ClientHello streams', () => {
    fc.assert(
      fc.property(mutations, (edits) => {
        const data = mutate(CLIENT_STREAM, edits);
        checkResult(data, parseTlsStream(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated valid ServerHello streams', () => {
    fc.assert(
      fc.property(mutations, (edits) => {
        const data = mutate(SERVER_STREAM, edits);
        checkResult(data, parseTlsStream(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('record boundaries do not change the parsed hello', () => {
    const message = workedClientHello({ grease: true });
    const whole = clientHelloFields(parseTlsStream(handshakeRecord(message)).clientHellos[0]!.hello, OPTS);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 20 }), (sizes) => {
        const data = splitIntoRecords(message, sizes);
        const r = parseTlsStream(data);
        expect(r.anomalies).toEqual([]);
        expect(r.clientHellos).toHaveLength(1);
        expect(r.clientHellos[0]!.end).toBe(data.length);
        expect(clientHelloFields(r.clientHellos[0]!.hello, OPTS)).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });
});

describe('hello end offsets', () => {
  it("a prefix yields a hello iff it reaches that hello's end (callers dedupe with it)", () => {
    const ch2 = clientHelloMessage({ cipherSuites: [0x1301], extensions: [ext(0x0017)] });
    const flight = concat(workedClientHello(), ch2);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 8 }), fc.nat(), (sizes, cut) => {
        const data = splitIntoRecords(flight, sizes);
        const ends = parseTlsStream(data).clientHellos.map((c) => c.end);
        expect(ends).toHaveLength(2);
        expect(ends[1]).toBe(data.length);
        const n = cut % (data.length + 1);
        const got = parseTlsStream(data.subarray(0, n)).clientHellos.map((c) => c.end);
        expect(got).toEqual(ends.filter((e) => e <= n));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('ClientHello round trip (model-based)', () => {
  const u16arb = fc.integer({ min: 0, max: 0xffff });
  const extArb = fc
    .record({ type: u16arb, data: fc.uint8Array({ maxLength: 12 }) })
    // Types with decoded bodies get well-formed or not, as random bytes; both must be fine.
    .map(({ type, data }): Ext => ext(type, data));

  it('wire lists survive the parser and the fingerprint fields follow them', () => {
    fc.assert(
      fc.property(
        fc.array(u16arb, { maxLength: 130 }),
        fc.uniqueArray(extArb, { maxLength: 110, selector: (e) => e.type }),
        (ciphers, exts) => {
          const r = parseTlsStream(
            handshakeRecord(clientHelloMessage({ cipherSuites: ciphers, extensions: exts })),
          );
          expect(r.clientHellos).toHaveLength(1);
          const hello = r.clientHellos[0]!.hello;
          expect(hello.cipherSuites).toEqual(ciphers);
          expect(hello.extensions.map((e) => e.type)).toEqual(exts.map((e) => e.type));
          const f = clientHelloFields(hello, OPTS);
          const nc = ciphers.filter((c) => !isGrease(c));
          const ne = exts.map((e) => e.type).filter((t) => !isGrease(t));
          const a = String(f.ja4).slice(0, 10);
          expect(a.slice(3, 4)).toBe(ne.includes(0) ? 'd' : 'i');
          expect(a.slice(4, 6)).toBe(String(Math.min(99, nc.length)).padStart(2, '0'));
          expect(a.slice(6, 8)).toBe(String(Math.min(99, ne.length)).padStart(2, '0'));
          const [, cipherPart, extPart] = String(f.ja3_full).split(',');
          expect(cipherPart).toBe(nc.join('-'));
          expect(extPart).toBe(ne.join('-'));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('ServerHello extension list and JA4S count follow the wire', () => {
    fc.assert(
      fc.property(
        u16arb,
        fc.uniqueArray(extArb, { maxLength: 110, selector: (e) => e.type }),
        (cipher, exts) => {
          const withVersion = [extSupportedVersionsServer(0x0304), ...exts.filter((e) => e.type !== 0x002b)];
          const r = parseTlsStream(
            handshakeRecord(serverHelloMessage({ cipherSuite: cipher, extensions: withVersion })),
          );
          expect(r.serverHellos).toHaveLength(1);
          const f = serverHelloFields(r.serverHellos[0]!.hello, OPTS);
          expect(f.extensions).toEqual(withVersion.map((e) => e.type.toString(16).padStart(4, '0')));
          expect(String(f.ja4s).slice(0, 3)).toBe('t13');
          expect(String(f.ja4s).slice(3, 5)).toBe(String(Math.min(99, withVersion.length)).padStart(2, '0'));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
