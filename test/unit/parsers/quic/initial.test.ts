import { describe, expect, it } from 'vitest';
import {
  looksLikeQuicLongHeader,
  parseQuicClientInitials,
  parseQuicServerInitials,
  QUIC_ANOMALIES,
} from '../../../../src/parsers/quic/initial.js';
import { deriveInitialKeys, type InitialKeys } from '../../../../src/parsers/quic/initial-secrets.js';
import { MAX_CRYPTO_STREAM_BYTES, MAX_DATAGRAMS_PER_DIRECTION } from '../../../../src/parsers/quic/limits.js';
import { quicVersionParams } from '../../../../src/parsers/quic/versions.js';
import { clientHelloMessage, ext, extSni, serverHelloMessage } from '../tls/builders.js';
import {
  clientFlight,
  concat,
  connectionCloseFrame,
  cryptoFrame,
  longPacket,
  padding,
  protectInitial,
  retryPacket,
  splitAt,
  versionNegotiation,
} from './builders.js';
import { hex, RFC_SAMPLES, RFC9001, SAMPLE_DCID, toHex } from './rfc-vectors.js';

const V1 = 0x00000001;
const V2 = 0x6b3343cf;
const DCID = hex('0011223344556677');
const SCID = hex('a1a2a3a4');
const SERVER_CID = hex('b1b2b3b4b5');
const RETRY_CID = hex('c1c2c3c4c5c6c7c8');

function keysFor(version: number, dcid: Uint8Array): InitialKeys {
  return deriveInitialKeys(quicVersionParams(version)!, dcid);
}

/** A ClientHello large enough (≈ 2.1 KB) to need two Initial packets, like a post-quantum Chrome hello. */
const BIG_HELLO = clientHelloMessage({
  cipherSuites: [0x1301, 0x1302, 0x1303],
  extensions: [
    extSni('example.net'),
    ext(0x0039, new Uint8Array(60).fill(1)),
    ext(0x0015, new Uint8Array(2000)),
  ],
});
const SERVER_HELLO = serverHelloMessage({ cipherSuite: 0x1302, extensions: [ext(0x002b, [0x03, 0x04])] });

function flight(
  pieces: Array<{ offset: number; data: Uint8Array }>,
  packets: number,
  o: { version?: number; dcid?: Uint8Array; keysDcid?: Uint8Array } = {},
): Uint8Array[] {
  const version = o.version ?? V1;
  return clientFlight({
    version,
    dcid: o.dcid ?? DCID,
    scid: SCID,
    keys: keysFor(version, o.keysDcid ?? o.dcid ?? DCID).client,
    pieces,
    packets,
  });
}

function serverInitial(payload: Uint8Array, o: { version?: number; keysDcid?: Uint8Array } = {}): Uint8Array {
  const version = o.version ?? V1;
  return protectInitial({
    version,
    dcid: SCID,
    scid: SERVER_CID,
    packetNumber: 0,
    payload: concat(cryptoFrame(0, payload), padding(1200)),
    keys: keysFor(version, o.keysDcid ?? DCID).server,
  });
}

describe.each(RFC_SAMPLES)('RFC Appendix A packets: $name', (sample) => {
  it('client Initial → ClientHello fields as printed in A.2', () => {
    const r = parseQuicClientInitials([hex(sample.clientProtected)]);
    expect(r.anomalies).toEqual([]);
    expect(r.version).toBe(sample.version);
    expect(toHex(r.dcid!)).toBe(SAMPLE_DCID);
    expect(r.scid!.length).toBe(0);
    expect(r.retryDcid).toBeNull();
    expect(r.packets).toBe(1);
    expect(r.skippedPackets).toBe(0);
    const ch = r.clientHello!;
    expect(ch.legacyVersion).toBe(0x0303);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1302]);
    expect(ch.extensions.map((e) => e.type)).toEqual([
      0x0000, 0xff01, 0x000a, 0x0010, 0x0005, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c, 0x0039,
    ]);
    expect(ch.serverName).toBe('example.com');
    expect(ch.alpn.map((a) => Buffer.from(a).toString('latin1'))).toEqual(['alpn']);
    expect(ch.supportedVersions).toEqual([0x0304]);
    expect(ch.supportedGroups).toEqual([0x001d, 0x0017, 0x0018]);
    expect(ch.keyShareGroups).toEqual([0x001d]);
    expect(ch.signatureAlgorithms).toEqual([0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806]);
  });

  it('server Initial → ServerHello fields as printed in A.3 (its datagram is unpadded)', () => {
    const r = parseQuicServerInitials([hex(sample.serverProtected)], hex(SAMPLE_DCID), sample.version);
    expect(r.anomalies).toEqual(['initial_datagram_too_small']);
    expect(r.version).toBe(sample.version);
    expect(r.packets).toBe(1);
    const sh = r.serverHello!;
    expect(sh.cipherSuite).toBe(0x1301);
    expect(sh.selectedVersion).toBe(0x0304);
    expect(sh.keyShareGroup).toBe(0x001d);
    expect(sh.extensions.map((e) => e.type)).toEqual([0x0033, 0x002b]);
  });

  it('Retry of A.4: counted, no Initial expected', () => {
    const r = parseQuicServerInitials([hex(sample.retry)], hex(SAMPLE_DCID), sample.version);
    expect(r).toMatchObject({ serverHello: null, retry: true, packets: 0, skippedPackets: 1, anomalies: [] });
  });

  it('coalesced Initial + Handshake + trailing zeros in one datagram', () => {
    const handshakeType = sample.version === V2 ? 0b11 : 0b10;
    const datagram = concat(
      hex(sample.clientProtected),
      longPacket(
        sample.version,
        handshakeType,
        hex(SAMPLE_DCID),
        new Uint8Array(0),
        new Uint8Array(40).fill(9),
      ),
      padding(7),
    );
    const r = parseQuicClientInitials([datagram]);
    expect(r.anomalies).toEqual([]);
    expect(r.packets).toBe(1);
    expect(r.skippedPackets).toBe(1);
    expect(r.clientHello?.serverName).toBe('example.com');
  });
});

describe('parseQuicClientInitials / parseQuicServerInitials', () => {
  it('a hello split over two packets, pieces reversed, equals the whole hello', () => {
    const whole = parseQuicClientInitials(flight([{ offset: 0, data: BIG_HELLO }], 1, {})).clientHello;
    // one piece per packet would not fit; 200-byte pieces dealt over 2 packets in reverse
    const r = parseQuicClientInitials(flight(splitAt(BIG_HELLO, [200]).reverse(), 2));
    expect(r.anomalies).toEqual([]);
    expect(r.packets).toBe(2);
    expect(r.clientHello).toEqual(whole);
    expect(r.clientHello?.serverName).toBe('example.net');
  });

  it('a missing piece leaves the hello incomplete', () => {
    const pieces = splitAt(BIG_HELLO, [700]);
    const r = parseQuicClientInitials(flight([pieces[0]!, pieces[2]!, pieces[3]!], 2));
    expect(r.clientHello).toBeNull();
    expect(r.anomalies).toEqual(['incomplete_client_hello']);
  });

  it('Retry: keys of the client’s new DCID on both sides (RFC 9001 §5.2)', () => {
    const hello = hex(RFC9001.clientCryptoFrame).subarray(4);
    const first = flight([{ offset: 0, data: hello }], 1);
    const second = flight([{ offset: 0, data: hello }], 1, { dcid: RETRY_CID });
    const client = parseQuicClientInitials([...first, ...second]);
    expect(client.anomalies).toEqual([]);
    expect(client.packets).toBe(2);
    expect(toHex(client.dcid!)).toBe(toHex(DCID));
    expect(toHex(client.retryDcid!)).toBe(toHex(RETRY_CID));
    expect(client.clientHello?.serverName).toBe('example.com');

    const retry = retryPacket(V1, SCID, RETRY_CID, hex('746f6b656e'));
    const server = parseQuicServerInitials(
      [retry, serverInitial(SERVER_HELLO, { keysDcid: RETRY_CID })],
      client.dcid!,
      V1,
    );
    expect(server.anomalies).toEqual([]);
    expect(server.retry).toBe(true);
    expect(server.serverHello?.cipherSuite).toBe(0x1302);
    // Without the Retry in view, the post-Retry DCID opens the server Initial.
    const later = parseQuicServerInitials(
      [serverInitial(SERVER_HELLO, { keysDcid: RETRY_CID })],
      RETRY_CID,
      V1,
    );
    expect(later.serverHello?.cipherSuite).toBe(0x1302);
  });

  it('a later client Initial to the server’s SCID keeps the original keys (RFC 9000 §7.2)', () => {
    const hello = hex(RFC9001.clientCryptoFrame).subarray(4);
    const first = flight([{ offset: 0, data: hello }], 1);
    const ack = protectInitial({
      version: V1,
      dcid: SERVER_CID,
      scid: SCID,
      packetNumber: 1,
      payload: concat(Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00), padding(1200)),
      keys: keysFor(V1, DCID).client,
    });
    const r = parseQuicClientInitials([...first, ack]);
    expect(r.anomalies).toEqual([]);
    expect(r.packets).toBe(2);
    expect(r.retryDcid).toBeNull();
  });

  it('compatible version negotiation: v1 client, v2 server Initial keyed from the same DCID', () => {
    const r = parseQuicServerInitials([serverInitial(SERVER_HELLO, { version: V2 })], DCID, V1);
    expect(r.anomalies).toEqual([]);
    expect(r.version).toBe(V2);
    expect(r.serverHello?.cipherSuite).toBe(0x1302);
  });

  it('QUIC v2 client flight', () => {
    const r = parseQuicClientInitials(flight(splitAt(BIG_HELLO, [333]).reverse(), 3, { version: V2 }));
    expect(r.anomalies).toEqual([]);
    expect(r.version).toBe(V2);
    expect(r.clientHello?.serverName).toBe('example.net');
  });

  const hello = hex(RFC9001.clientCryptoFrame).subarray(4);
  const v1Keys = keysFor(V1, DCID).client;
  const initial = (payload: Uint8Array, extra: Partial<Parameters<typeof protectInitial>[0]> = {}) =>
    protectInitial({ version: V1, dcid: DCID, scid: SCID, packetNumber: 0, payload, keys: v1Keys, ...extra });

  it.each([
    [
      'unpadded client datagram',
      () => [initial(cryptoFrame(0, hello))],
      ['initial_datagram_too_small'],
      true,
    ],
    [
      'Reserved Bits set',
      () => [initial(concat(cryptoFrame(0, hello), padding(1200)), { reservedBits: 0x0c })],
      ['reserved_bits_set'],
      true,
    ],
    [
      'CONNECTION_CLOSE after the hello',
      () => [initial(concat(cryptoFrame(0, hello), connectionCloseFrame(1, 0, 'x'), padding(1200)))],
      ['connection_close'],
      true,
    ],
    [
      'garbage after the packet',
      () => [concat(initial(concat(cryptoFrame(0, hello), padding(1200))), Uint8Array.of(0x05, 0x06))],
      ['trailing_data'],
      true,
    ],
    [
      'retransmitted CRYPTO with different bytes',
      () => [initial(concat(cryptoFrame(0, hello), cryptoFrame(10, new Uint8Array(10)), padding(1200)))],
      ['crypto_conflict'],
      true,
    ],
    [
      `CRYPTO beyond ${MAX_CRYPTO_STREAM_BYTES} bytes`,
      () => [
        initial(concat(cryptoFrame(0, hello), cryptoFrame(MAX_CRYPTO_STREAM_BYTES - 2, hello), padding(800))),
      ],
      ['crypto_truncated'],
      true,
    ],
    [
      'a ServerHello where the ClientHello belongs',
      () => [initial(concat(cryptoFrame(0, SERVER_HELLO), padding(1200)))],
      ['unexpected_handshake_message'],
      false,
    ],
    [
      'a ClientHello declaring 64 KiB',
      () => [initial(concat(cryptoFrame(0, Uint8Array.of(1, 1, 0, 0, 3, 3)), padding(1200)))],
      ['handshake_too_long'],
      false,
    ],
    [
      'a truncated ClientHello body',
      () => [initial(concat(cryptoFrame(0, Uint8Array.of(1, 0, 0, 2, 3, 3)), padding(1200)))],
      ['truncated_client_hello'],
      false,
    ],
    [
      'a flipped ciphertext byte',
      () => {
        const p = initial(concat(cryptoFrame(0, hello), padding(1200)));
        p[100]! ^= 1;
        return [p];
      },
      ['decryption_failed', 'no_initial'],
      false,
    ],
    [
      'the first packet cut short',
      () => [initial(concat(cryptoFrame(0, hello), padding(1200))).subarray(0, 600)],
      ['truncated_packet', 'no_initial'],
      false,
    ],
    [
      'a DNS query',
      () => [hex('12340100000100000000000003777777076578616d706c6503636f6d0000010001')],
      ['not_quic'],
      false,
    ],
    [
      'draft-29 (no keys here)',
      () => [concat(hex('c0ff00001d08'), DCID, hex('04'), SCID, padding(1200))],
      ['unknown_version', 'no_initial'],
      false,
    ],
    [
      `${MAX_DATAGRAMS_PER_DIRECTION + 1} datagrams`,
      () => [
        initial(concat(cryptoFrame(0, hello), padding(1200))),
        ...new Array(MAX_DATAGRAMS_PER_DIRECTION).fill(hex('40')),
      ],
      ['too_many_datagrams'],
      true,
    ],
    [
      'nine coalesced Handshake packets',
      () => [
        concat(
          initial(concat(cryptoFrame(0, hello), padding(1200))),
          ...new Array(9).fill(longPacket(V1, 0b10, DCID, SCID, new Uint8Array(4))),
        ),
      ],
      ['too_many_packets'],
      true,
    ],
  ] as const)('%s', (_name, build, anomalies, hasHello) => {
    const r = parseQuicClientInitials(build());
    expect(r.anomalies).toEqual(anomalies);
    expect(r.clientHello !== null).toBe(hasHello);
    for (const a of r.anomalies)
      expect(QUIC_ANOMALIES.includes(a) || a === 'truncated_client_hello', a).toBe(true);
  });

  it('reports the Token length of the first Initial (a Retry or NEW_TOKEN token)', () => {
    const withToken = initial(concat(cryptoFrame(0, hello), padding(1200)), { token: hex('746f6b656e') });
    expect(parseQuicClientInitials([withToken])).toMatchObject({ tokenLength: 5, anomalies: [] });
    expect(parseQuicClientInitials([hex(RFC9001.clientProtected)]).tokenLength).toBe(0);
  });

  it('draft-29 still reports its version and connection IDs', () => {
    const r = parseQuicClientInitials([concat(hex('c0ff00001d08'), DCID, hex('04'), SCID, padding(1200))]);
    expect(r.version).toBe(0xff00001d);
    expect(toHex(r.dcid!)).toBe(toHex(DCID));
    expect(toHex(r.scid!)).toBe(toHex(SCID));
  });

  it('too many undecryptable Initials: decryption and key-derivation work is capped', () => {
    const junk = (i: number) =>
      protectInitial({
        version: V1,
        dcid: Uint8Array.of(i, i, i, i),
        scid: SCID,
        packetNumber: i,
        payload: padding(40),
        keys: keysFor(V1, DCID).server, // wrong side: never authenticates
      });
    const datagrams = Array.from({ length: 16 }, (_, d) => concat(...[0, 1, 2].map((k) => junk(3 * d + k))));
    const r = parseQuicClientInitials(datagrams);
    expect(r.anomalies).toEqual([
      'decryption_failed',
      'too_many_key_sets',
      'too_many_decryptions',
      'no_initial',
    ]);
    expect(r.packets).toBe(0);
  });

  it('server: Version Negotiation, Retry of another version, nothing at all', () => {
    expect(
      parseQuicServerInitials([versionNegotiation(SCID, DCID, [V1, V2])], DCID, 0x1a2a3a4a).anomalies,
    ).toEqual(['version_negotiation', 'no_initial']);
    expect(
      parseQuicServerInitials([retryPacket(V2, SCID, RETRY_CID, hex('00'))], DCID, V1).anomalies,
    ).toEqual(['unexpected_retry', 'no_initial']);
    expect(parseQuicServerInitials([], DCID, V1)).toMatchObject({ serverHello: null, anomalies: [] });
  });
});

describe('looksLikeQuicLongHeader', () => {
  it.each([
    ['RFC 9001 client Initial', true, hex(RFC9001.clientProtected)],
    ['RFC 9369 client Initial', true, hex(RFC_SAMPLES[1]!.clientProtected)],
    ['RFC 9001 server Initial', true, hex(RFC9001.serverProtected)],
    ['short header', false, hex('4cfe4189655e5cd55c41f69080575d7999c25a5bfb')],
    ['TLS record', false, hex('160301020001000200')],
    ['DTLS record', false, hex('16fefd000000000000000000')],
    ['draft-29', false, concat(hex('c0ff00001d08'), DCID, hex('00'))],
    ['Version Negotiation', false, versionNegotiation(SCID, DCID, [V1])],
    ['form bit without fixed bit', false, hex('8000000001080011223344556677')],
    ['DCID length 21', false, concat(hex('c00000000115'), padding(30))],
    ['DCID running past the end', false, hex('c0000000010811')],
    ['too short', false, hex('c000000001')],
  ])('%s → %s', (_name, expected, datagram) => {
    expect(looksLikeQuicLongHeader(datagram)).toBe(expected);
  });
});
