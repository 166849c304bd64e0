import { describe, expect, it } from 'vitest';
import { hash12 } from '../../../src/fingerprints/hash.js';
import { ja4, ja4AlpnCode, ja4Count, ja4VersionCode } from '../../../src/fingerprints/ja4.js';
import { clientHelloFields, type TlsOptions } from '../../../src/parsers/tls/fields.js';
import { parseTlsStream } from '../../../src/parsers/tls/stream.js';
import {
  type Bytes,
  clientHelloMessage,
  type Ext,
  ext,
  extAlpn,
  extSigAlgs,
  extSni,
  extSupportedVersionsClient,
  handshakeRecord,
  WORKED,
  workedClientHello,
} from '../parsers/tls/builders.js';

const TLS: TlsOptions = { ja4plus: true, protocol: 't' };

/** Parses one ClientHello record and returns its event fields. */
function fieldsOf(message: Bytes, opts: TlsOptions = TLS): Record<string, unknown> {
  const result = parseTlsStream(handshakeRecord(message));
  expect(result.clientHellos).toHaveLength(1);
  return clientHelloFields(result.clientHellos[0]!.hello, opts);
}

// Expected values from docs/fingerprints.md §1 (JA4.md worked example), not from this code.
const WORKED_JA4 = 't13d1516h2_8daaf6152771_e5627efa2ab1';
const WORKED_JA4_O = 't13d1516h2_acb858a92679_18f69afefd3d';
const WORKED_JA4_R =
  't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601';
const WORKED_JA4_RO =
  't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601';

describe('JA4 worked example (JA4.md) through real ClientHello bytes', () => {
  it('gives ja4, ja4_r, ja4_o, ja4_ro of the spec', () => {
    const f = fieldsOf(workedClientHello());
    expect(f.ja4).toBe(WORKED_JA4);
    expect(f.ja4_r).toBe(WORKED_JA4_R);
    expect(f.ja4_o).toBe(WORKED_JA4_O);
    expect(f.ja4_ro).toBe(WORKED_JA4_RO);
  });

  it('is unchanged by GREASE in ciphers, extensions, versions, groups, key shares and sigalgs', () => {
    const f = fieldsOf(workedClientHello({ grease: true }));
    expect(f.ja4).toBe(WORKED_JA4);
    expect(f.ja4_r).toBe(WORKED_JA4_R);
    expect(f.ja4_o).toBe(WORKED_JA4_O);
    expect(f.ja4_ro).toBe(WORKED_JA4_RO);
  });

  it('has no trailing underscore when signature_algorithms is empty (c = hash12(E))', () => {
    const f = fieldsOf(workedClientHello({ sigalgsExt: extSigAlgs([]) }));
    expect(f.ja4).toBe('t13d1516h2_8daaf6152771_6d807ffa2a79');
    expect(f.ja4_r).toBe(
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01',
    );
  });

  it('takes sigalgs from 0x000d only, not from delegated_credentials (0x0022)', () => {
    const exts: Ext[] = [extSni('a.example'), ext(0x0022, [0, 4, 0x08, 0x07, 0x08, 0x08])];
    const f = fieldsOf(clientHelloMessage({ cipherSuites: [0x1301], extensions: exts }));
    expect(f.ja4_r).toBe('t12d010200_1301_0022');
  });

  it('follows the current spec for non-ASCII ALPN (BA AD -> "bd")', () => {
    // FoxIO's test data (tls-non-ascii-alpn.pcapng) still encode the older rule and print "99";
    // JA4.md's hex rule, which Arkime follows too, gives "bd" (docs/fingerprints.md §13).
    const f = fieldsOf(workedClientHello({ alpn: [[0xba, 0xad], 'http/1.1'] }));
    expect(f.ja4).toBe('t13d1516bd_8daaf6152771_e5627efa2ab1');
  });

  it('keeps uppercase ALPN characters (H2)', () => {
    const f = fieldsOf(workedClientHello({ alpn: ['H2'] }));
    expect(f.ja4).toBe('t13d1516H2_8daaf6152771_e5627efa2ab1');
  });

  it('uses the first ALPN value only', () => {
    expect(fieldsOf(workedClientHello({ alpn: ['http/1.1', 'h2'] })).ja4).toBe(
      't13d1516h1_8daaf6152771_e5627efa2ab1',
    );
  });

  it('uses protocol letter q / d from the options', () => {
    expect(String(fieldsOf(workedClientHello(), { ja4plus: true, protocol: 'q' }).ja4)).toBe(
      'q13d1516h2_8daaf6152771_e5627efa2ab1',
    );
    expect(String(fieldsOf(workedClientHello(), { ja4plus: false, protocol: 'd' }).ja4)).toMatch(
      /^d13d1516h2_/,
    );
  });
});

describe('JA4 section a through real bytes', () => {
  const base = (extensions: Ext[], legacyVersion = 0x0303, cipherSuites = [0x1301, 0x002f]) =>
    fieldsOf(clientHelloMessage({ legacyVersion, cipherSuites, extensions }));

  it('takes the highest non-GREASE supported_versions value, ignoring the record version', () => {
    expect(String(base([extSupportedVersionsClient([0x0a0a, 0x0303, 0x0304])], 0x0301).ja4)).toMatch(/^t13i/);
  });

  it('maps a TLS 1.3 draft version (0x7f12) to 00 (numeric max of the list)', () => {
    const f = base([extSupportedVersionsClient([0xcaca, 0x7f12, 0x0303, 0x0302, 0x0301])]);
    expect(String(f.ja4)).toMatch(/^t00i/);
  });

  it('falls back to legacy_version without supported_versions', () => {
    expect(String(base([], 0x0300).ja4)).toMatch(/^ts3i/);
    expect(String(base([], 0x0301).ja4)).toMatch(/^t10i/);
    expect(String(base([], 0x0302).ja4)).toMatch(/^t11i/);
    expect(String(base([], 0x0303).ja4)).toMatch(/^t12i/);
    expect(String(base([], 0x0100).ja4)).toMatch(/^t00i/);
  });

  it("marks 'd' for an SNI extension even when it is empty", () => {
    expect(String(base([ext(0x0000)]).ja4)).toMatch(/^t12d0201/);
    expect(String(base([extSni('x')]).ja4)).toMatch(/^t12d0201/);
    expect(String(base([ext(0x0017)]).ja4)).toMatch(/^t12i0201/);
  });

  it('counts SCSVs and reserved values but not GREASE', () => {
    const f = base([ext(0x1a1a), ext(0xff01, [0])], 0x0303, [0x2a2a, 0x00ff, 0x5600, 0xfe00, 0x1301]);
    expect(String(f.ja4)).toMatch(/^t12i040100_/);
    expect(String(f.ja4_r)).toBe('t12i040100_00ff,1301,5600,fe00_ff01');
  });

  it('saturates counts at 99 but hashes every value', () => {
    const ciphers = Array.from({ length: 120 }, (_, i) => 0x0100 + i);
    const exts = Array.from({ length: 105 }, (_, i) => ext(0x0100 + i));
    const f = fieldsOf(clientHelloMessage({ cipherSuites: ciphers, extensions: exts }));
    expect(String(f.ja4)).toMatch(/^t12i999900_/);
    const rawCiphers = String(f.ja4_r).split('_')[1]!;
    expect(rawCiphers.split(',')).toHaveLength(120);
    expect(String(f.ja4).split('_')[1]).toBe(hash12(rawCiphers));
  });

  it("gives '00' for no ALPN, an empty list, or an empty first name", () => {
    expect(String(base([]).ja4).slice(8, 10)).toBe('00');
    expect(String(base([ext(0x0010, [0, 0])]).ja4).slice(8, 10)).toBe('00');
    expect(String(base([extAlpn([[], 'h2'])]).ja4).slice(8, 10)).toBe('00');
  });
});

describe('JA4 sections b and c', () => {
  it('pins the Arkime arkime_synthetic vector: one cipher, no extensions', () => {
    // arkime/tests/pcap/arkime_synthetic.test: ja4 t12i010000_ba72b8082249_000000000000, ja4_r t12i010000_002f_
    const f = fieldsOf(clientHelloMessage({ legacyVersion: 0x0303, cipherSuites: [0x002f] }));
    expect(f.ja4).toBe('t12i010000_ba72b8082249_000000000000');
    expect(f.ja4_r).toBe('t12i010000_002f_');
  });

  it('uses 12 zeros for an empty cipher list, never hash12("")', () => {
    const f = fieldsOf(clientHelloMessage({ cipherSuites: [], extensions: [ext(0x0017)] }));
    expect(f.ja4).toBe(`t12i000100_000000000000_${hash12('0017')}`);
    expect(String(f.ja4)).not.toContain('e3b0c44298fc');
  });

  it('excludes SNI and ALPN from sorted c; ja4_o keeps them, zeros when the sorted list is empty', () => {
    const only = fieldsOf(
      clientHelloMessage({ cipherSuites: [0x1301], extensions: [extSni('a'), extAlpn(['h2'])] }),
    );
    expect(only.ja4).toBe('t12d0102h2_' + hash12('1301') + '_000000000000');
    expect(only.ja4_r).toBe('t12d0102h2_1301_');
    expect(only.ja4_o).toBe('t12d0102h2_' + hash12('1301') + '_000000000000');
    expect(only.ja4_ro).toBe('t12d0102h2_1301_0000,0010');
    const more = fieldsOf(
      clientHelloMessage({ cipherSuites: [0x1301], extensions: [extSni('a'), extAlpn(['h2']), ext(0x0017)] }),
    );
    expect(more.ja4).toBe('t12d0103h2_' + hash12('1301') + '_' + hash12('0017'));
    expect(more.ja4_o).toBe('t12d0103h2_' + hash12('1301') + '_' + hash12('0000,0010,0017'));
  });

  it('pins the FoxIO/Arkime socks-https-example.pcap hello (TLS 1.0, SNI only)', () => {
    // Expected values: foxio-ja4 python testdata + arkime .test + tshark oracle (EXPECTED-INDEX.json).
    const ciphers = [
      0x0039, 0x0038, 0x0035, 0x0016, 0x0013, 0x000a, 0x0033, 0x0032, 0x002f, 0x009a, 0x0099, 0x0096, 0x0005,
      0x0004, 0x0015, 0x0012, 0x0009, 0x0014, 0x0011, 0x0008, 0x0006, 0x0003, 0x00ff,
    ];
    const f = fieldsOf(
      clientHelloMessage({ legacyVersion: 0x0301, cipherSuites: ciphers, extensions: [extSni('a.example')] }),
    );
    expect(f.ja4).toBe('t10d230100_6a57a6f57151_000000000000');
    expect(f.ja4_r).toBe(
      't10d230100_0003,0004,0005,0006,0008,0009,000a,0011,0012,0013,0014,0015,0016,002f,0032,0033,0035,0038,0039,0096,0099,009a,00ff_',
    );
    expect(f.ja4_o).toBe('t10d230100_ce175d585f73_000000000000');
    expect(f.ja4_ro).toBe(
      't10d230100_0039,0038,0035,0016,0013,000a,0033,0032,002f,009a,0099,0096,0005,0004,0015,0012,0009,0014,0011,0008,0006,0003,00ff_0000',
    );
    expect(f.ja3_full).toBe('769,57-56-53-22-19-10-51-50-47-154-153-150-5-4-21-18-9-20-17-8-6-3-255,0,,');
    expect(f.ja3).toBe('06a92bf69b367389d2feb0d70501ddfe');
  });

  it('drops GREASE from sigalgs and keeps their wire order', () => {
    const f = fieldsOf(
      clientHelloMessage({ cipherSuites: [0x1301], extensions: [extSigAlgs([0x0804, 0x4a4a, 0x0403])] }),
    );
    expect(f.ja4_r).toBe('t12i010100_1301_000d_0804,0403');
    expect(f.ja4).toBe('t12i010100_' + hash12('1301') + '_' + hash12('000d_0804,0403'));
  });
});

describe('JA4 helpers (spec tables)', () => {
  it.each([
    [0x0304, '13'],
    [0x0303, '12'],
    [0x0302, '11'],
    [0x0301, '10'],
    [0x0300, 's3'],
    [0x0002, 's2'],
    [0xfeff, 'd1'],
    [0xfefd, 'd2'],
    [0xfefc, 'd3'],
    [0x7f12, '00'],
    [0x0100, '00'],
    [0x0a0a, '00'],
  ])('version 0x%s -> %s', (v, code) => {
    expect(ja4VersionCode(v)).toBe(code);
  });

  it.each([
    [[0x68, 0x32], 'h2'],
    [[...'http/1.1'].map((c) => c.charCodeAt(0)), 'h1'],
    [[0x48, 0x32], 'H2'],
    [[0x61], 'aa'],
    [[0xab], 'ab'],
    [[0xab, 0xcd], 'ad'],
    [[0x30, 0xab], '3b'],
    [[0x20, 0x61], '21'],
    [[0x61, 0x20], '60'],
    [[0x30, 0xab, 0xcd, 0x31], '01'],
    [[0xba, 0xad], 'bd'],
    [[], '00'],
  ])('ALPN %j -> %s', (bytes, code) => {
    expect(ja4AlpnCode(Uint8Array.from(bytes))).toBe(code);
  });

  it('ALPN absent -> 00', () => {
    expect(ja4AlpnCode(undefined)).toBe('00');
    expect(ja4AlpnCode(null)).toBe('00');
  });

  it.each([
    [0, '00'],
    [7, '07'],
    [15, '15'],
    [99, '99'],
    [100, '99'],
    [70000, '99'],
  ])('count %i -> %s', (n, s) => {
    expect(ja4Count(n)).toBe(s);
  });

  it('computes the worked example from plain lists too', () => {
    const r = ja4({
      protocol: 't',
      legacyVersion: 0x0303,
      supportedVersions: [0x0304, 0x0303],
      cipherSuites: WORKED.ciphers,
      extensionTypes: WORKED.extensionOrder,
      signatureAlgorithms: WORKED.sigalgs,
      firstAlpn: Uint8Array.of(0x68, 0x32),
    });
    expect(r).toEqual({ ja4: WORKED_JA4, ja4_r: WORKED_JA4_R, ja4_o: WORKED_JA4_O, ja4_ro: WORKED_JA4_RO });
  });
});
