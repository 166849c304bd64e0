import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../../../src/parsers/tls/constants.js';
import { serverHelloFields } from '../../../../src/parsers/tls/fields.js';
import { parseServerHello } from '../../../../src/parsers/tls/server-hello.js';
import {
  concat,
  ext,
  extAlpn,
  extSupportedVersionsServer,
  HRR_RANDOM,
  serverHelloBody,
  u16,
} from './builders.js';

function parseOk(body: Uint8Array) {
  const r = parseServerHello(body);
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`);
  return r.hello;
}

describe('parseServerHello', () => {
  it('the HRR magic is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3)', () => {
    const digest = createHash('sha256').update('HelloRetryRequest').digest();
    expect(Buffer.from(HELLO_RETRY_REQUEST_RANDOM).equals(digest)).toBe(true);
  });

  it('decodes a TLS 1.3 ServerHello', () => {
    const h = parseOk(
      serverHelloBody({
        cipherSuite: 0x1302,
        sessionId: new Uint8Array(32).fill(1),
        extensions: [
          extSupportedVersionsServer(0x0304),
          ext(0x0033, concat(u16(0x001d), u16(32), new Uint8Array(32))),
        ],
      }),
    );
    expect(h.legacyVersion).toBe(0x0303);
    expect(h.cipherSuite).toBe(0x1302);
    expect(h.compressionMethod).toBe(0);
    expect(h.sessionIdLength).toBe(32);
    expect(h.selectedVersion).toBe(0x0304);
    expect(h.keyShareGroup).toBe(0x001d);
    expect(h.isHelloRetryRequest).toBe(false);
    expect(h.alpn).toBeNull();
    expect(h.extensions.map((e) => e.type)).toEqual([0x002b, 0x0033]);
    expect(h.anomalies).toEqual([]);
  });

  it('flags a HelloRetryRequest by its random, and reads the requested group', () => {
    const h = parseOk(
      serverHelloBody({
        random: HRR_RANDOM,
        cipherSuite: 0x1301,
        extensions: [extSupportedVersionsServer(0x0304), ext(0x0033, u16(0x0018))],
      }),
    );
    expect(h.isHelloRetryRequest).toBe(true);
    expect(h.keyShareGroup).toBe(0x0018);
    const almost = Uint8Array.from(HRR_RANDOM);
    almost[31] = almost[31]! ^ 1;
    expect(parseOk(serverHelloBody({ random: almost, cipherSuite: 0x1301 })).isHelloRetryRequest).toBe(false);
  });

  it('TLS 1.2 without extensions block', () => {
    const h = parseOk(serverHelloBody({ legacyVersion: 0x0301, cipherSuite: 0x002f }));
    expect(h.selectedVersion).toBeNull();
    expect(h.extensions).toEqual([]);
  });

  it('reads the chosen ALPN protocol; more than one is an anomaly (first kept)', () => {
    expect(
      Buffer.from(
        parseOk(serverHelloBody({ cipherSuite: 1, extensions: [extAlpn(['h2'])] })).alpn!,
      ).toString(),
    ).toBe('h2');
    const two = parseOk(serverHelloBody({ cipherSuite: 1, extensions: [extAlpn(['h2', 'h3'])] }));
    expect(Buffer.from(two.alpn!).toString()).toBe('h2');
    expect(two.anomalies).toEqual(['bad_alpn']);
  });

  it('bad supported_versions body is an anomaly, selectedVersion stays null', () => {
    const h = parseOk(serverHelloBody({ cipherSuite: 1, extensions: [ext(0x002b, [3])] }));
    expect(h.selectedVersion).toBeNull();
    expect(h.anomalies).toEqual(['bad_supported_versions']);
  });

  it('reads the pre-draft-22 TLS 1.3 layout (no session id, no compression)', () => {
    // tls13.pcap / tls13-draft18: tshark oracle JA3S string "32530,4865,40" = b8a8031b301aef7618403061e9f33065.
    const keyShare = concat(u16(0x001d), u16(32), new Uint8Array(32).fill(4));
    const body = concat(
      u16(0x7f12),
      new Uint8Array(32).fill(3),
      u16(0x1301),
      u16(4 + keyShare.length),
      u16(0x0028),
      u16(keyShare.length),
      keyShare,
    );
    const h = parseOk(body);
    expect(h.legacyVersion).toBe(0x7f12);
    expect(h.sessionIdLength).toBe(0);
    expect(h.cipherSuite).toBe(0x1301);
    expect(h.extensions.map((e) => e.type)).toEqual([0x0028]);
    expect(h.anomalies).toEqual([]);
    const f = serverHelloFields(h, { ja4plus: true, protocol: 't' });
    expect(f.ja3s_full).toBe('32530,4865,40');
    expect(f.ja3s).toBe('b8a8031b301aef7618403061e9f33065');
    expect(f.tls_version).toBe('0x7f12');
    expect(String(f.ja4s)).toMatch(/^t000100_1301_/);
  });

  it('falls back to the draft layout for version 0x0304 when the RFC layout does not fit', () => {
    const body = concat(u16(0x0304), new Uint8Array(32).fill(3), u16(0xc02b), u16(4), u16(0x0028), u16(0));
    const h = parseOk(body);
    expect(h.cipherSuite).toBe(0xc02b);
    expect(h.extensions.map((e) => e.type)).toEqual([0x0028]);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['no cipher', concat(u16(0x0303), new Uint8Array(32), [0])],
    ['no compression', concat(u16(0x0303), new Uint8Array(32), [0], u16(0x1301))],
  ])('%s -> truncated_server_hello', (_name, body) => {
    expect(parseServerHello(body)).toEqual({ ok: false, error: 'truncated_server_hello' });
  });
});
