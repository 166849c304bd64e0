import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../../src/fingerprints/hash.js';
import { ja3, ja3String, ja3s, ja3sString } from '../../../src/fingerprints/ja3.js';
import { clientHelloFields, serverHelloFields } from '../../../src/parsers/tls/fields.js';
import { parseTlsStream } from '../../../src/parsers/tls/stream.js';
import {
  clientHelloMessage,
  ext,
  extGroups,
  extPointFormats,
  extSni,
  handshakeRecord,
  serverHelloMessage,
} from '../parsers/tls/builders.js';

const OPTS = { ja4plus: true, protocol: 't' } as const;

// Vectors from docs/fingerprints.md §8 (salesforce/ja3 README, suricata-verify).
const JA3_VECTORS: Array<[string, string]> = [
  [
    '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0',
    'ada70206e40642a3e4461f35503241d5',
  ],
  ['769,4-5-10-9-100-98-3-6-19-18-99,,,', 'de350869b8c85de67a350c8d186f11e6'],
];
const JA3S_VECTORS: Array<[string, string]> = [
  ['771,49199,65281-0-11-16-23', '5d79edf64e03689ff559a54e9d9487bc'],
  ['771,4866,43-51-41', '2253c82f03b621c5144709b393fde2c9'],
];

describe('JA3 / JA3S vector strings', () => {
  it.each(JA3_VECTORS)('md5(%s) = %s', (s, hash) => {
    expect(md5Hex(s)).toBe(hash);
  });
  it.each(JA3S_VECTORS)('md5(%s) = %s', (s, hash) => {
    expect(md5Hex(s)).toBe(hash);
  });
});

function clientFields(message: Uint8Array): Record<string, unknown> {
  const r = parseTlsStream(handshakeRecord(message));
  expect(r.clientHellos).toHaveLength(1);
  return clientHelloFields(r.clientHellos[0]!.hello, OPTS);
}

describe('JA3 through real ClientHello bytes', () => {
  const readmeCiphers = [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4];

  it('README vector 1 (extensions 0, 10, 11)', () => {
    const f = clientFields(
      clientHelloMessage({
        legacyVersion: 769,
        cipherSuites: readmeCiphers,
        extensions: [extSni('example.com'), extGroups([23, 24, 25]), extPointFormats([0])],
      }),
    );
    expect(f.ja3_full).toBe(JA3_VECTORS[0]![0]);
    expect(f.ja3).toBe(JA3_VECTORS[0]![1]);
  });

  it('README vector 2: no extensions block -> empty lists, four commas', () => {
    const f = clientFields(
      clientHelloMessage({ legacyVersion: 769, cipherSuites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99] }),
    );
    expect(f.ja3_full).toBe(JA3_VECTORS[1]![0]);
    expect(f.ja3).toBe(JA3_VECTORS[1]![1]);
  });

  it('removes GREASE from ciphers, extensions and groups but keeps point formats as sent', () => {
    const f = clientFields(
      clientHelloMessage({
        legacyVersion: 769,
        cipherSuites: [0x0a0a, ...readmeCiphers, 0xfafa],
        extensions: [
          ext(0x2a2a),
          extSni('example.com'),
          extGroups([0x3a3a, 23, 24, 25]),
          ext(0x4a4a, [0]),
          extPointFormats([0]),
        ],
      }),
    );
    expect(f.ja3_full).toBe(JA3_VECTORS[0]![0]);
    expect(f.ja3).toBe(JA3_VECTORS[0]![1]);
  });

  it('uses legacy_version, not supported_versions, and keeps SCSV and padding', () => {
    const f = clientFields(
      clientHelloMessage({
        legacyVersion: 0x0303,
        cipherSuites: [0x1301, 0x00ff],
        extensions: [ext(0x002b, [2, 3, 4]), ext(0x0015, [0, 0])],
      }),
    );
    expect(f.ja3_full).toBe('771,4865-255,43-21,,');
  });
});

describe('JA3S through real ServerHello bytes', () => {
  it('suricata-verify tls-ja3s vector', () => {
    const msg = serverHelloMessage({
      legacyVersion: 771,
      cipherSuite: 49199,
      extensions: [ext(65281, [0]), ext(0), ext(11, [1, 0]), ext(16, [0, 3, 2, 0x68, 0x32]), ext(23)],
    });
    const r = parseTlsStream(handshakeRecord(msg));
    expect(r.serverHellos).toHaveLength(1);
    const f = serverHelloFields(r.serverHellos[0]!.hello, OPTS);
    expect(f.ja3s_full).toBe(JA3S_VECTORS[0]![0]);
    expect(f.ja3s).toBe(JA3S_VECTORS[0]![1]);
  });

  it('QUIC ServerHello vector (TLS 1.3 extensions)', () => {
    const msg = serverHelloMessage({
      legacyVersion: 771,
      cipherSuite: 4866,
      extensions: [ext(43, [3, 4]), ext(51, [0, 0x1d, 0, 1, 9]), ext(41, [0, 0])],
    });
    const f = serverHelloFields(parseTlsStream(handshakeRecord(msg)).serverHellos[0]!.hello, OPTS);
    expect(f.ja3s).toBe(JA3S_VECTORS[1]![1]);
  });

  it('no extensions -> empty third field', () => {
    expect(ja3sString({ legacyVersion: 768, cipherSuite: 4, extensionTypes: [] })).toBe('768,4,');
  });
});

describe('JA3 functions on plain lists', () => {
  it('build the string and hash', () => {
    expect(
      ja3({
        legacyVersion: 769,
        cipherSuites: [4, 5],
        extensionTypes: [],
        supportedGroups: [],
        ecPointFormats: [],
      }),
    ).toEqual({ full: '769,4-5,,,', hash: md5Hex('769,4-5,,,') });
    expect(
      ja3String({
        legacyVersion: 771,
        cipherSuites: [],
        extensionTypes: [0x0a0a],
        supportedGroups: [],
        ecPointFormats: [0, 1, 2],
      }),
    ).toBe('771,,,,0-1-2');
    expect(
      ja3s({ legacyVersion: 771, cipherSuite: 49199, extensionTypes: [65281, 0, 11, 16, 23] }).hash,
    ).toBe(JA3S_VECTORS[0]![1]);
  });
});
