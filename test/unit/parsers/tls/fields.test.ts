import { describe, expect, it } from 'vitest';
import { versionName } from '../../../../src/parsers/tls/constants.js';
import { clientHelloFields, serverHelloFields, type TlsOptions } from '../../../../src/parsers/tls/fields.js';
import { parseTlsStream } from '../../../../src/parsers/tls/stream.js';
import {
  type Bytes,
  type ClientHelloSpec,
  clientHelloMessage,
  ext,
  extAlpn,
  extSupportedVersionsClient,
  extSupportedVersionsServer,
  HRR_RANDOM,
  handshakeRecord,
  type ServerHelloSpec,
  serverHelloMessage,
  WORKED,
  workedClientHello,
  workedExtensions,
} from './builders.js';

const OPTS: TlsOptions = { ja4plus: true, protocol: 't' };

function client(message: Bytes): Record<string, unknown> {
  const r = parseTlsStream(handshakeRecord(message));
  expect(r.clientHellos).toHaveLength(1);
  return clientHelloFields(r.clientHellos[0]!.hello, OPTS);
}
const clientOf = (spec: ClientHelloSpec) => client(clientHelloMessage(spec));
function serverOf(spec: ServerHelloSpec, opts = OPTS): Record<string, unknown> {
  const r = parseTlsStream(handshakeRecord(serverHelloMessage(spec)));
  expect(r.serverHellos).toHaveLength(1);
  return serverHelloFields(r.serverHellos[0]!.hello, opts);
}

const hex = (v: number) => v.toString(16).padStart(4, '0');

describe('clientHelloFields', () => {
  it('fills every contract field from a GREASEd browser-like hello', () => {
    const f = client(workedClientHello({ grease: true }));
    expect(Object.keys(f)).toEqual(
      expect.arrayContaining([
        'ja3',
        'ja3_full',
        'ja4',
        'ja4_r',
        'ja4_o',
        'ja4_ro',
        'tls_version',
        'legacy_version',
        'sni',
        'alpn',
        'ciphers',
        'extensions',
        'supported_versions',
        'supported_groups',
        'signature_algorithms',
        'key_share_groups',
        'ec_point_formats',
        'resumption',
        'ech',
      ]),
    );
    expect(f.tls_version).toBe('TLS 1.3');
    expect(f.legacy_version).toBe(0x0303);
    expect(f.sni).toBe('example.com');
    expect(f.alpn).toEqual(['h2', 'http/1.1']);
    expect(f.ciphers).toEqual(WORKED.ciphers.map(hex));
    expect(f.extensions).toEqual(WORKED.extensionOrder.map(hex));
    expect(f.supported_versions).toEqual(['0304', '0303']);
    expect(f.supported_groups).toEqual(['001d', '0017', '0018']);
    expect(f.signature_algorithms).toEqual(WORKED.sigalgs.map(hex));
    expect(f.key_share_groups).toEqual(['001d']);
    expect(f.ec_point_formats).toEqual([0]);
    expect(f.resumption).toEqual(['session_id']); // 32-byte legacy session id; ticket extension is empty
    expect(f.ech).toBe(false);
    expect(f.grease).toBe(true);
  });

  it('lists resumption mechanisms in the fixed order; an empty ticket does not count', () => {
    const all = clientOf({
      sessionId: Uint8Array.of(1),
      cipherSuites: [0x1301],
      extensions: [ext(0x002a), ext(0x0029, [0, 0]), ext(0x0023, [9, 9])],
    });
    expect(all.resumption).toEqual(['session_id', 'session_ticket', 'psk', 'early_data_0rtt']);
    const none = clientOf({ cipherSuites: [0x1301], extensions: [ext(0x0023)] });
    expect(none.resumption).toEqual([]);
  });

  it('reports ECH and null SNI when absent', () => {
    const f = clientOf({ cipherSuites: [0x1301], extensions: [ext(0xfe0d, [0, 0, 1])] });
    expect(f.ech).toBe(true);
    expect(f.sni).toBeNull();
    expect(f.grease).toBe(false);
  });

  it('decodes ALPN as latin1 so no byte is lost', () => {
    const f = clientOf({
      cipherSuites: [0x1301],
      extensions: [
        extAlpn([
          [0xba, 0xad],
          [0x00, 0xff],
        ]),
      ],
    });
    expect(f.alpn).toEqual(['\u00ba\u00ad', '\u0000\u00ff']);
  });

  it('tls_version: highest non-GREASE supported version, else legacy; unknown as 0xNNNN', () => {
    expect(clientOf({ legacyVersion: 0x0300, cipherSuites: [5] }).tls_version).toBe('SSL 3.0');
    expect(clientOf({ legacyVersion: 0x0301, cipherSuites: [5] }).tls_version).toBe('TLS 1.0');
    const draft = clientOf({
      cipherSuites: [5],
      extensions: [extSupportedVersionsClient([0x7a7a, 0x7f12, 0x0303])],
    });
    expect(draft.tls_version).toBe('0x7f12');
    expect(draft.supported_versions).toEqual(['7f12', '0303']);
  });
});

describe('clientHelloFields memo (lists → fingerprints)', () => {
  // JA4.md worked example: ja4 = t13d1516h2_8daaf6152771_e5627efa2ab1. JA4_ro lists the ciphers and
  // extensions in wire order (GREASE removed), then the signature algorithms.
  const roOf = (exts: number[]) =>
    `t13d1516h2_${WORKED.ciphers.map(hex).join(',')}_${exts.map(hex).join(',')}_${WORKED.sigalgs.map(hex).join(',')}`;
  const permuted = () => {
    const exts = workedExtensions().reverse();
    return {
      message: clientHelloMessage({ cipherSuites: WORKED.ciphers, extensions: exts }),
      order: exts.map((e) => e.type),
    };
  };

  it('GREASE values do not change any fingerprint, whatever they are', () => {
    const plain = clientOf({ cipherSuites: WORKED.ciphers, extensions: workedExtensions() });
    const greased = client(workedClientHello({ grease: true }));
    for (const k of ['ja3', 'ja3_full', 'ja4', 'ja4_r', 'ja4_o', 'ja4_ro', 'ciphers', 'extensions']) {
      expect(greased[k], k).toEqual(plain[k]);
    }
    expect(greased.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(greased.grease).toBe(true);
    expect(plain.grease).toBe(false);
  });

  it('a hello with the same values in another order is fingerprinted anew, not served from the memo', () => {
    const first = clientOf({ cipherSuites: WORKED.ciphers, extensions: workedExtensions() });
    const p = permuted();
    const second = client(p.message);
    expect(second.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1'); // sorted: order-free
    expect(second.ja4_ro).toBe(roOf(p.order));
    expect(first.ja4_ro).toBe(roOf(WORKED.extensionOrder));
    expect(second.ja4_o).not.toBe(first.ja4_o);
    expect(second.ja3).not.toBe(first.ja3);
    // and back again: the memo still answers for the first order
    expect(clientOf({ cipherSuites: WORKED.ciphers, extensions: workedExtensions() }).ja4_ro).toBe(
      roOf(WORKED.extensionOrder),
    );
  });

  it('the first ALPN name and the transport letter are part of the key', () => {
    const h1 = client(workedClientHello({ alpn: ['http/1.1'] }));
    expect(h1.ja4).toMatch(/^t13d1516h1_/);
    expect(client(workedClientHello()).ja4).toMatch(/^t13d1516h2_/);
    const r = parseTlsStream(handshakeRecord(workedClientHello()));
    const q = clientHelloFields(r.clientHellos[0]!.hello, { ja4plus: true, protocol: 'q' });
    expect(q.ja4).toBe('q13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('shared list fields are frozen, so one event cannot change another', () => {
    const f = client(workedClientHello());
    expect(Object.isFrozen(f.ciphers)).toBe(true);
    expect(() => (f.ciphers as string[]).push('x')).toThrow();
  });
});

describe('serverHelloFields', () => {
  it('gives negotiated version, cipher, ALPN, extensions and JA3S/JA4S', () => {
    const f = serverOf({
      cipherSuite: 0x1301,
      extensions: [extSupportedVersionsServer(0x0304), extAlpn(['h2']), ext(0x0033, [0, 0x1d, 0, 1, 7])],
    });
    expect(f.tls_version).toBe('TLS 1.3');
    expect(f.legacy_version).toBe(0x0303);
    expect(f.cipher).toBe('1301');
    expect(f.alpn).toBe('h2');
    expect(f.hello_retry_request).toBe(false);
    expect(f.extensions).toEqual(['002b', '0010', '0033']);
    expect(f.ja3s_full).toBe('771,4865,43-16-51');
    expect(f.ja3s).toMatch(/^[0-9a-f]{32}$/);
    expect(String(f.ja4s)).toMatch(/^t1303h2_1301_[0-9a-f]{12}$/);
  });

  it('legacy version when no supported_versions; null ALPN; HRR flag', () => {
    const f = serverOf({ legacyVersion: 0x0302, cipherSuite: 0x002f });
    expect(f.tls_version).toBe('TLS 1.1');
    expect(f.alpn).toBeNull();
    expect(f.extensions).toEqual([]);
    const hrr = serverOf({
      random: HRR_RANDOM,
      cipherSuite: 0x1301,
      extensions: [extSupportedVersionsServer(0x0304)],
    });
    expect(hrr.hello_retry_request).toBe(true);
  });
});

describe('versionName', () => {
  it.each([
    [0x0002, 'SSL 2.0'],
    [0x0300, 'SSL 3.0'],
    [0x0301, 'TLS 1.0'],
    [0x0302, 'TLS 1.1'],
    [0x0303, 'TLS 1.2'],
    [0x0304, 'TLS 1.3'],
    [0xfeff, 'DTLS 1.0'],
    [0xfefd, 'DTLS 1.2'],
    [0xfefc, 'DTLS 1.3'],
    [0x7f12, '0x7f12'],
    [0x0100, '0x0100'],
  ])('0x%s -> %s', (v, name) => {
    expect(versionName(v)).toBe(name);
  });
});
