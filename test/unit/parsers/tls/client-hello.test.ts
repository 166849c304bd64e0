import { describe, expect, it } from 'vitest';
import { parseClientHello } from '../../../../src/parsers/tls/client-hello.js';
import {
  clientHelloBody,
  concat,
  ext,
  extAlpn,
  extGroups,
  extKeyShareClient,
  extPointFormats,
  extPskModes,
  extSigAlgs,
  extSni,
  extSupportedVersionsClient,
  u16,
  vec8,
  vec16,
  workedClientHello,
} from './builders.js';

function parseOk(body: Uint8Array) {
  const r = parseClientHello(body);
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`);
  return r.hello;
}

describe('parseClientHello', () => {
  it('decodes the fixed fields and every decoded extension', () => {
    const body = clientHelloBody({
      legacyVersion: 0x0303,
      sessionId: new Uint8Array(32).fill(5),
      cipherSuites: [0x0a0a, 0x1301, 0x00ff],
      compressionMethods: [1, 0],
      extensions: [
        extSni('www.example.org'),
        extAlpn(['h2', 'http/1.1']),
        extSupportedVersionsClient([0x3a3a, 0x0304, 0x0303]),
        extGroups([0x001d, 0x0017]),
        extPointFormats([0, 1, 2]),
        extSigAlgs([0x0403, 0x0804]),
        extKeyShareClient([0x001d, 0x11ec]),
        extPskModes([1]),
        ext(0x0023, [1, 2, 3]),
        ext(0x0029, [0, 0]),
        ext(0x002a),
        ext(0xfe0d, [0]),
      ],
    });
    const h = parseOk(body);
    expect(h.legacyVersion).toBe(0x0303);
    expect(h.random).toHaveLength(32);
    expect(h.sessionIdLength).toBe(32);
    expect(h.cookie).toBeNull();
    expect(h.cipherSuites).toEqual([0x0a0a, 0x1301, 0x00ff]);
    expect(h.compressionMethods).toEqual([1, 0]);
    expect(h.extensions.map((e) => e.type)).toEqual([
      0x0000, 0x0010, 0x002b, 0x000a, 0x000b, 0x000d, 0x0033, 0x002d, 0x0023, 0x0029, 0x002a, 0xfe0d,
    ]);
    expect(h.serverName).toBe('www.example.org');
    expect(h.alpn.map((a) => Buffer.from(a).toString('latin1'))).toEqual(['h2', 'http/1.1']);
    expect(h.supportedVersions).toEqual([0x3a3a, 0x0304, 0x0303]);
    expect(h.supportedGroups).toEqual([0x001d, 0x0017]);
    expect(h.ecPointFormats).toEqual([0, 1, 2]);
    expect(h.signatureAlgorithms).toEqual([0x0403, 0x0804]);
    expect(h.keyShareGroups).toEqual([0x001d, 0x11ec]);
    expect(h.pskKeyExchangeModes).toEqual([1]);
    expect(h.hasSessionTicket).toBe(true);
    expect(h.sessionTicketLength).toBe(3);
    expect(h.hasPreSharedKey).toBe(true);
    expect(h.hasEarlyData).toBe(true);
    expect(h.hasEncryptedClientHello).toBe(true);
    expect(h.anomalies).toEqual([]);
  });

  it('accepts an SSL 3.0 hello without an extensions block', () => {
    const h = parseOk(clientHelloBody({ legacyVersion: 0x0300, cipherSuites: [0x000a, 0x0005] }));
    expect(h.legacyVersion).toBe(0x0300);
    expect(h.extensions).toEqual([]);
    expect(h.anomalies).toEqual([]);
  });

  it('accepts an empty extensions block', () => {
    const h = parseOk(clientHelloBody({ cipherSuites: [0x002f], extensions: [] }));
    expect(h.extensions).toEqual([]);
    expect(h.anomalies).toEqual([]);
  });

  it('parses the DTLS cookie when asked', () => {
    const body = concat(
      u16(0xfefd),
      new Uint8Array(32),
      vec8([]),
      vec8([9, 9, 9]),
      vec16(u16(0xc02b)),
      vec8([0]),
    );
    const r = parseClientHello(body, { dtls: true });
    expect(r.ok && r.hello.cookie).toEqual(Uint8Array.of(9, 9, 9));
    expect(r.ok && r.hello.cipherSuites).toEqual([0xc02b]);
  });

  it.each([
    ['empty body', new Uint8Array(0), 'truncated_client_hello'],
    ['random cut short', concat(u16(0x0303), new Uint8Array(20)), 'truncated_client_hello'],
    [
      'session id overruns',
      concat(u16(0x0303), new Uint8Array(32), [40], new Uint8Array(5)),
      'truncated_client_hello',
    ],
    [
      'cipher list overruns',
      concat(u16(0x0303), new Uint8Array(32), [0], u16(10), [0, 1]),
      'truncated_client_hello',
    ],
    [
      'odd cipher list',
      concat(u16(0x0303), new Uint8Array(32), [0], u16(3), [0, 1, 2], [1, 0]),
      'bad_cipher_suites_length',
    ],
    [
      'no compression',
      concat(u16(0x0303), new Uint8Array(32), [0], u16(2), [0, 0x2f]),
      'truncated_client_hello',
    ],
  ])('%s -> %s', (_name, body, error) => {
    expect(parseClientHello(body)).toEqual({ ok: false, error });
  });

  it('keeps the extensions before a bad extension length and reports it', () => {
    const good = concat(u16(0x0017), u16(0));
    const bad = concat(u16(0x0000), u16(50), [1, 2, 3]);
    const block = concat(good, bad);
    const body = concat(
      u16(0x0303),
      new Uint8Array(32),
      [0],
      u16(2),
      [0x13, 0x01],
      [1, 0],
      u16(block.length),
      block,
    );
    const h = parseOk(body);
    expect(h.extensions.map((e) => e.type)).toEqual([0x0017]);
    expect(h.anomalies).toEqual(['bad_extension_length']);
  });

  it('reports a block length that overruns the body, and trailing data after it', () => {
    const block = concat(u16(0x0017), u16(0));
    const head = concat(u16(0x0303), new Uint8Array(32), [0], u16(2), [0x13, 0x01], [1, 0]);
    const over = parseOk(concat(head, u16(block.length + 10), block));
    expect(over.anomalies).toEqual(['bad_extensions_length']);
    expect(over.extensions.map((e) => e.type)).toEqual([0x0017]);
    const trailing = parseOk(concat(head, u16(block.length), block, [0xee]));
    expect(trailing.anomalies).toEqual(['trailing_data']);
    const oneByte = parseOk(concat(head, [0x00]));
    expect(oneByte.anomalies).toEqual(['trailing_data']);
  });

  it('reports duplicate extensions, decodes the first occurrence', () => {
    const h = parseOk(
      clientHelloBody({ cipherSuites: [0x1301], extensions: [extSni('first'), extSni('second')] }),
    );
    expect(h.serverName).toBe('first');
    expect(h.extensions).toHaveLength(2);
    expect(h.anomalies).toEqual(['duplicate_extension']);
  });

  it.each([
    ['server_name', ext(0x0000, [0, 5, 0, 0, 9]), 'bad_server_name'],
    ['alpn', ext(0x0010, [0, 3, 5, 0x68, 0x32]), 'bad_alpn'],
    ['supported_versions', ext(0x002b, [3, 3, 4]), 'bad_supported_versions'],
    ['supported_groups', ext(0x000a, [0, 3, 0, 0x1d, 0]), 'bad_supported_groups'],
    ['ec_point_formats', ext(0x000b, [5, 0]), 'bad_ec_point_formats'],
    ['signature_algorithms', ext(0x000d, [0, 4, 4, 3]), 'bad_signature_algorithms'],
    ['key_share', ext(0x0033, [0, 6, 0, 0x1d, 0, 32, 1, 2]), 'bad_key_share'],
    ['psk_key_exchange_modes', ext(0x002d, []), 'bad_psk_key_exchange_modes'],
  ])('malformed %s body -> %s, hello kept', (_name, e, code) => {
    const h = parseOk(clientHelloBody({ cipherSuites: [0x1301], extensions: [e, ext(0x0017)] }));
    expect(h.anomalies).toEqual([code]);
    expect(h.extensions.map((x) => x.type)).toEqual([e.type, 0x0017]);
  });

  it('SNI: empty extension is presence without a name; non-host_name entries are skipped', () => {
    const empty = parseOk(clientHelloBody({ cipherSuites: [0x1301], extensions: [ext(0x0000)] }));
    expect(empty.serverName).toBeNull();
    expect(empty.extensions.map((e) => e.type)).toEqual([0x0000]);
    const list = concat([7], vec16([0x61]), [0], vec16([0x62, 0xff]));
    const odd = parseOk(clientHelloBody({ cipherSuites: [0x1301], extensions: [ext(0x0000, vec16(list))] }));
    expect(odd.serverName).toBe('b\u00ff');
  });

  it('reports an over-long session id but still parses', () => {
    const h = parseOk(clientHelloBody({ sessionId: new Uint8Array(40), cipherSuites: [0x1301] }));
    expect(h.sessionIdLength).toBe(40);
    expect(h.anomalies).toEqual(['session_id_too_long']);
  });

  it('extension data are views of the input, in wire order', () => {
    const msg = workedClientHello();
    const h = parseOk(msg.subarray(4));
    const padding = h.extensions.find((e) => e.type === 0x0015)!;
    expect(padding.data).toHaveLength(17);
    expect(padding.data.buffer).toBe(msg.buffer);
  });
});
