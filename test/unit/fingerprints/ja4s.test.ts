import { describe, expect, it } from 'vitest';
import { hash12 } from '../../../src/fingerprints/hash.js';
import { ja4s } from '../../../src/fingerprints/ja4plus/ja4s.js';
import { serverHelloFields, type TlsOptions } from '../../../src/parsers/tls/fields.js';
import { parseTlsStream } from '../../../src/parsers/tls/stream.js';
import {
  type Ext,
  ext,
  extAlpn,
  extSupportedVersionsServer,
  handshakeRecord,
  serverHelloMessage,
} from '../parsers/tls/builders.js';

const TLS: TlsOptions = { ja4plus: true, protocol: 't' };

function fieldsOf(legacyVersion: number, cipherSuite: number, extensions: Ext[] | undefined, opts = TLS) {
  const r = parseTlsStream(handshakeRecord(serverHelloMessage({ legacyVersion, cipherSuite, extensions })));
  expect(r.serverHellos).toHaveLength(1);
  return serverHelloFields(r.serverHellos[0]!.hello, opts);
}

describe('JA4S', () => {
  it('pins the FoxIO Rust unit-test vector through real ServerHello bytes', () => {
    // docs/fingerprints.md §2: TLS 1.2, c030, extensions 0005,0017,ff01,0000.
    const f = fieldsOf(0x0303, 0xc030, [ext(0x0005), ext(0x0017), ext(0xff01, [0]), ext(0x0000)]);
    expect(f.ja4s).toBe('t120400_c030_4e8089b08790');
    expect(f.ja4s_r).toBe('t120400_c030_0005,0017,ff01,0000');
  });

  it('pins the FoxIO socks-https-example.pcap ServerHello (TLS 1.0, RC4-SHA, renegotiation_info)', () => {
    // Expected values: foxio-ja4 python/rust/wireshark testdata + tshark oracle (EXPECTED-INDEX.json).
    const f = fieldsOf(0x0301, 0x0005, [ext(0xff01, [0])]);
    expect(f.ja4s).toBe('t100100_0005_bc98f8e001b5');
    expect(f.ja4s_r).toBe('t100100_0005_ff01');
    expect(f.ja3s_full).toBe('769,5,65281');
    expect(f.ja3s).toBe('280ca4511bfaa384b2e931c058e8816e');
  });

  it('pins the same vector from plain lists', () => {
    expect(
      ja4s({
        protocol: 't',
        legacyVersion: 0x0303,
        selectedVersion: null,
        cipherSuite: 0xc030,
        extensionTypes: [0x0005, 0x0017, 0xff01, 0x0000],
        alpn: null,
      }),
    ).toEqual({ ja4s: 't120400_c030_4e8089b08790', ja4s_r: 't120400_c030_0005,0017,ff01,0000' });
  });

  it('takes the version from supported_versions, and ALPN from the chosen protocol', () => {
    const f = fieldsOf(0x0303, 0x1301, [
      extSupportedVersionsServer(0x0304),
      extAlpn(['h2']),
      ext(0x0033, [0, 0x1d, 0, 0]),
    ]);
    expect(f.ja4s).toBe('t1303h2_1301_' + hash12('002b,0010,0033'));
    expect(f.ja4s_r).toBe('t1303h2_1301_002b,0010,0033');
  });

  it('keeps the wire order (not sorted) and counts every extension', () => {
    const f = fieldsOf(0x0303, 0xc02f, [ext(0xff01, [0]), ext(0x000b, [1, 0]), ext(0x0000)]);
    expect(f.ja4s_r).toBe('t120300_c02f_ff01,000b,0000');
  });

  it('uses 12 zeros for no extensions', () => {
    const f = fieldsOf(0x0301, 0x002f, undefined);
    expect(f.ja4s).toBe('t100000_002f_000000000000');
    expect(f.ja4s_r).toBe('t100000_002f_');
  });

  it('applies the JA4 ALPN rule (non-alphanumeric -> hex digits)', () => {
    const f = fieldsOf(0x0303, 0x1301, [extAlpn([[0xba, 0xad]])]);
    expect(String(f.ja4s)).toMatch(/^t1201bd_1301_/);
  });

  it('is omitted when ja4plus is off', () => {
    const f = fieldsOf(0x0303, 0xc030, [ext(0x0005)], { ja4plus: false, protocol: 't' });
    expect(f).not.toHaveProperty('ja4s');
    expect(f).not.toHaveProperty('ja4s_r');
    expect(f.ja3s_full).toBe('771,49200,5');
  });

  it('uses the protocol letter from the options', () => {
    const f = fieldsOf(0x0303, 0x1301, [extSupportedVersionsServer(0x0304)], {
      ja4plus: true,
      protocol: 'q',
    });
    expect(String(f.ja4s)).toMatch(/^q130100_1301_/);
  });
});
