/**
 * Record layer, handshake layer and parseDtlsDatagrams on hand-built wire bytes (RFC 6347 §4.1, §4.2;
 * RFC 9147 §4, §5). Expected values follow from the RFC layouts and the JA4/JA4S spec, never from
 * running the code under test.
 */
import { describe, expect, it } from 'vitest';
import { parseDtlsDatagrams } from '../../../../src/parsers/dtls/datagrams.js';
import { dtlsClientHelloFields, dtlsServerHelloFields } from '../../../../src/parsers/dtls/fields.js';
import { parseHelloVerifyRequest } from '../../../../src/parsers/dtls/hello-verify-request.js';
import {
  MAX_DTLS_DATAGRAMS,
  MAX_DTLS_HELLO_LENGTH,
  MAX_DTLS_HELLOS,
  MAX_DTLS_PENDING_MESSAGES,
} from '../../../../src/parsers/dtls/limits.js';
import {
  looksLikeDtls,
  parseDtlsRecordHeader,
  unifiedRecordLength,
} from '../../../../src/parsers/dtls/record.js';
import {
  concat,
  ext,
  extSupportedVersionsClient,
  extSupportedVersionsServer,
  HRR_RANDOM,
  serverHelloBody,
  u16,
  u24,
} from '../tls/builders.js';
import {
  type Bytes,
  dtlsClientHelloBody,
  dtlsRecord,
  handshakeFragment,
  handshakeRecord,
  hash12,
  unifiedRecord,
} from './builders.js';

const CH = 1;
const SH = 2;
const HVR = 3;
const CERTIFICATE = 11;

/** A DTLS 1.2 ClientHello body (184 bytes): 2 ciphers; supported_groups, ec_point_formats, padding. */
const CH_EXTENSIONS = [ext(0x000a, [0, 2, 0, 0x17]), ext(0x000b, [1, 0]), ext(0x0015, new Uint8Array(120))];
const CH_BODY = dtlsClientHelloBody({ cipherSuites: [0xc02b, 0xc02f], extensions: CH_EXTENSIONS });
const CH_RECORD = handshakeRecord(CH, 0, CH_BODY);
const SH_BODY = serverHelloBody({
  legacyVersion: 0xfefd,
  cipherSuite: 0xc02f,
  extensions: [ext(0xff01, [0])],
});

/** JA4 of CH_BODY by the spec: d, DTLS 1.2, no SNI, 2 ciphers, 3 extensions, no ALPN. */
const CH_JA4 = `dd2i020300_${hash12('c02b,c02f')}_${hash12('000a,000b,0015')}`;

describe('looksLikeDtls', () => {
  const handshakeHead = (fragLen: number, msgLen: number, recordLen: number) =>
    concat(
      [22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0],
      u16(recordLen),
      [1],
      u24(msgLen),
      [0, 0],
      u24(0),
      u24(fragLen),
    );
  const cases: Array<[string, Bytes | number[], boolean]> = [
    ['empty', [], false],
    ['12 bytes', [22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0], false],
    ['whole ClientHello record', CH_RECORD, true],
    ['DTLS 1.0 record version', handshakeRecord(CH, 0, CH_BODY, 0xfeff), true],
    ['OpenSSL pre-RFC 0x0100', handshakeRecord(CH, 0, CH_BODY, 0x0100), true],
    ['0xfefc record version (tolerated)', handshakeRecord(CH, 0, CH_BODY, 0xfefc), true],
    ['TLS record version 0x0303', handshakeRecord(CH, 0, CH_BODY, 0x0303), false],
    ['content type 19', concat([19], CH_RECORD.subarray(1)), false],
    ['content type 27', concat([27], CH_RECORD.subarray(1)), false],
    ['ChangeCipherSpec epoch 0', dtlsRecord(20, [1]), true],
    ['ApplicationData epoch 1', dtlsRecord(23, new Uint8Array(40), { epoch: 1 }), true],
    ['ACK (26)', dtlsRecord(26, [0, 0]), true],
    ['record longer than the datagram', CH_RECORD.subarray(0, CH_RECORD.length - 1), false],
    ['record length above 2^14 + 2048', dtlsRecord(23, new Uint8Array(18433), { epoch: 1 }), false],
    ['fragment longer than its record', concat(handshakeHead(10, 10, 12), new Uint8Array(10)), false],
    ['fragment past the message end', concat(handshakeHead(10, 5, 22), new Uint8Array(10)), false],
    [
      'encrypted Handshake (epoch 1): not checked inside',
      dtlsRecord(22, new Uint8Array(40), { epoch: 1 }),
      true,
    ],
    ['tls12_cid in epoch 0', [25, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 9, 9, 0, 0], false],
    ['tls12_cid in epoch 1', [25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 9, 9, 0, 0], true],
    ['DTLS 1.3 unified header', unifiedRecord({}, new Uint8Array(20)), false],
    [
      'STUN binding request',
      [0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      false,
    ],
  ];
  it.each(cases)('%s', (_name, bytes, expected) => {
    expect(looksLikeDtls(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe('record header', () => {
  it.each([
    [[0, 0, 0, 0, 0, 2], 2],
    [[0, 1, 0, 0, 0, 2], 2 ** 32 + 2],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 2 ** 48 - 1],
  ])('48-bit sequence number %j = %d', (seq, expected) => {
    const h = parseDtlsRecordHeader(Uint8Array.from([22, 0xfe, 0xfd, 0, 3, ...seq, 0, 7]), 0);
    expect(h).toEqual({ contentType: 22, version: 0xfefd, epoch: 3, sequenceNumber: expected, length: 7 });
  });

  it.each<[string, Bytes, number | 'to_end' | undefined]>([
    ['8-bit seq + length', unifiedRecord({}, new Uint8Array(5)), 1 + 1 + 2 + 5],
    ['16-bit seq + length', unifiedRecord({ seq16: true }, new Uint8Array(5)), 1 + 2 + 2 + 5],
    ['no length: runs to the end', unifiedRecord({ withLength: false }, new Uint8Array(5)), 'to_end'],
    ['connection ID: cannot frame', unifiedRecord({ cid: Uint8Array.of(1, 2) }, new Uint8Array(5)), 'to_end'],
    ['length overruns the datagram', unifiedRecord({}, new Uint8Array(5)).subarray(0, 8), undefined],
    ['header cut', Uint8Array.of(0x2c, 7), undefined],
  ])('unified header: %s', (_name, bytes, expected) => {
    expect(unifiedRecordLength(bytes, 0)).toBe(expected);
  });
});

describe('parseHelloVerifyRequest', () => {
  it.each<[string, number[], { serverVersion: number; cookie: number[] } | string]>([
    ['empty cookie', [0xfe, 0xff, 0], { serverVersion: 0xfeff, cookie: [] }],
    ['2-byte cookie', [0xfe, 0xff, 2, 0xaa, 0xbb], { serverVersion: 0xfeff, cookie: [0xaa, 0xbb] }],
    ['cookie overruns', [0xfe, 0xff, 3, 0xaa], 'bad_hello_verify_request'],
    ['trailing byte', [0xfe, 0xff, 0, 0], 'bad_hello_verify_request'],
    ['no cookie length', [0xfe, 0xff], 'bad_hello_verify_request'],
  ])('%s', (_name, body, expected) => {
    const r = parseHelloVerifyRequest(Uint8Array.from(body));
    if (typeof expected === 'string') expect(r).toEqual({ ok: false, error: expected });
    else
      expect(r.ok && { serverVersion: r.hello.serverVersion, cookie: [...r.hello.cookie] }).toEqual(expected);
  });
});

/** The ClientHello of CH_BODY cut into [start, end) fragments, each in its own epoch-0 record. */
function fragmentRecords(body: Bytes, cuts: Array<[number, number]>, seq = 0, msgType = CH): Bytes[] {
  return cuts.map(([s, e]) => dtlsRecord(22, handshakeFragment(msgType, seq, body, s, e - s)));
}

interface Scenario {
  name: string;
  datagrams: Bytes[];
  clientHelloEnds?: number[];
  serverHelloEnds?: number[];
  anomalies?: string[];
  helloVerifyRequest?: boolean;
  encryptedRecords?: number;
  retransmittedFragments?: number;
  isDtls?: boolean;
}

const L = CH_BODY.length; // 184
const [f1, f2, f3] = fragmentRecords(CH_BODY, [
  [0, 40],
  [40, 80],
  [80, L],
]) as [Bytes, Bytes, Bytes];

const scenarios: Scenario[] = [
  { name: 'no datagrams', datagrams: [], isDtls: false, anomalies: [] },
  { name: 'one whole ClientHello', datagrams: [CH_RECORD], clientHelloEnds: [1] },
  {
    name: 'STUN before the ClientHello (RFC 7983 demultiplexing)',
    datagrams: [Uint8Array.of(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42), CH_RECORD],
    clientHelloEnds: [2],
    anomalies: ['non_dtls_datagram'],
  },
  { name: 'fragments in order, one per datagram', datagrams: [f1, f2, f3], clientHelloEnds: [3] },
  { name: 'fragments reordered 3,1,2', datagrams: [f3, f1, f2], clientHelloEnds: [3] },
  { name: 'all fragments in one datagram', datagrams: [concat(f2, f3, f1)], clientHelloEnds: [1] },
  {
    name: 'several fragments in one record',
    datagrams: [
      dtlsRecord(
        22,
        concat(handshakeFragment(CH, 0, CH_BODY, 50, L - 50), handshakeFragment(CH, 0, CH_BODY, 0, 50)),
      ),
    ],
    clientHelloEnds: [1],
  },
  {
    name: 'overlapping fragments',
    datagrams: fragmentRecords(CH_BODY, [
      [0, 60],
      [30, 90],
      [85, L],
    ]),
    clientHelloEnds: [3],
  },
  {
    name: 'retransmitted ClientHello (same message_seq) is reported once',
    datagrams: [CH_RECORD, CH_RECORD, f2],
    clientHelloEnds: [1],
    retransmittedFragments: 2,
  },
  {
    name: 'second ClientHello after HelloVerifyRequest (message_seq 1, cookie echoed)',
    datagrams: [
      CH_RECORD,
      handshakeRecord(
        CH,
        1,
        dtlsClientHelloBody({
          cookie: Uint8Array.of(1, 2, 3, 4),
          cipherSuites: [0xc02b, 0xc02f],
          extensions: CH_EXTENSIONS,
        }),
      ),
    ],
    clientHelloEnds: [1, 2],
  },
  {
    name: 'ChangeCipherSpec and an epoch-1 Finished after the hello',
    datagrams: [concat(CH_RECORD, dtlsRecord(20, [1]), dtlsRecord(22, new Uint8Array(40), { epoch: 1 }))],
    clientHelloEnds: [1],
    encryptedRecords: 1,
  },
  {
    name: 'Certificate fragments are not buffered',
    datagrams: [
      concat(CH_RECORD, dtlsRecord(22, handshakeFragment(CERTIFICATE, 1, new Uint8Array(500), 0, 100))),
    ],
    clientHelloEnds: [1],
  },
  { name: 'a missing fragment', datagrams: [f1, f3], anomalies: ['incomplete_hello'] },
  {
    name: 'fragments disagree on the message length',
    datagrams: [f1, dtlsRecord(22, concat([CH], u24(L + 1), [0, 0], u24(40), u24(10), new Uint8Array(10)))],
    anomalies: ['inconsistent_fragment', 'incomplete_hello'],
  },
  {
    name: 'fragment past the message end',
    datagrams: [dtlsRecord(22, concat([CH], u24(10), [0, 0], u24(5), u24(8), new Uint8Array(8)))],
    anomalies: ['bad_fragment_bounds'],
  },
  {
    name: 'message_seq 16 is not a hello',
    datagrams: [handshakeRecord(CH, 16, CH_BODY)],
    anomalies: ['message_seq_too_high'],
  },
  {
    name: 'declared hello length above the limit',
    datagrams: [
      dtlsRecord(22, concat([CH], u24(MAX_DTLS_HELLO_LENGTH + 1), [0, 0], u24(0), u24(4), [1, 2, 3, 4])),
    ],
    anomalies: ['handshake_too_long'],
  },
  {
    name: 'too many messages pending',
    datagrams: Array.from({ length: MAX_DTLS_PENDING_MESSAGES + 1 }, (_, seq) =>
      dtlsRecord(22, handshakeFragment(CH, seq, CH_BODY, 0, 10)),
    ),
    anomalies: ['too_many_pending_messages', 'incomplete_hello'],
  },
  {
    name: 'more scattered pieces than the reassembler tracks',
    datagrams: [
      concat(
        ...Array.from({ length: 80 }, (_, i) => dtlsRecord(22, handshakeFragment(CH, 0, CH_BODY, 2 * i, 1))),
      ),
    ],
    anomalies: ['too_many_fragments', 'incomplete_hello'],
  },
  {
    name: 'fragment longer than its record',
    datagrams: [dtlsRecord(22, concat([CH], u24(L), [0, 0], u24(0), u24(L), CH_BODY.subarray(0, 10)))],
    anomalies: ['truncated_handshake_fragment'],
  },
  { name: 'empty Handshake record', datagrams: [dtlsRecord(22, [])], anomalies: ['empty_handshake_record'] },
  {
    name: 'record cut short (records never span datagrams)',
    datagrams: [CH_RECORD.subarray(0, 60), CH_RECORD],
    clientHelloEnds: [2],
    anomalies: ['truncated_record'],
  },
  {
    name: 'unknown content type after a record',
    datagrams: [concat(dtlsRecord(20, [1]), [99, 0xfe, 0xfd], new Uint8Array(10)), CH_RECORD],
    clientHelloEnds: [2],
    anomalies: ['unknown_content_type'],
  },
  {
    name: 'bad record version after a record',
    datagrams: [concat(dtlsRecord(20, [1]), dtlsRecord(22, [1], { version: 0x0303 }))],
    anomalies: ['bad_record_version'],
  },
  {
    name: 'record length above the limit',
    datagrams: [concat(dtlsRecord(20, [1]), [23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff])],
    anomalies: ['record_too_long'],
  },
  {
    name: 'tls12_cid record: counted, ends the datagram',
    datagrams: [
      concat(dtlsRecord(23, new Uint8Array(30), { epoch: 1 }), [25, 0xfe, 0xfd, 0, 1], new Uint8Array(30)),
    ],
    encryptedRecords: 2,
  },
  {
    name: 'not DTLS at all',
    datagrams: [Uint8Array.of(0x45, 0, 0, 0), Uint8Array.of(1, 2)],
    isDtls: false,
    anomalies: ['non_dtls_datagram', 'not_dtls'],
  },
  {
    name: 'hello cap',
    datagrams: Array.from({ length: MAX_DTLS_HELLOS + 2 }, (_, seq) => handshakeRecord(CH, seq, CH_BODY)),
    clientHelloEnds: Array.from({ length: MAX_DTLS_HELLOS }, (_, i) => i + 1),
    anomalies: ['too_many_hellos'],
  },
  {
    name: 'datagram cap',
    datagrams: [...Array.from({ length: MAX_DTLS_DATAGRAMS }, () => dtlsRecord(21, [1, 0])), CH_RECORD],
    anomalies: ['too_many_datagrams'],
  },
  {
    name: 'server flight after HelloVerifyRequest',
    datagrams: [
      handshakeRecord(HVR, 0, Uint8Array.of(0xfe, 0xff, 4, 9, 9, 9, 9)),
      concat(handshakeRecord(SH, 1, SH_BODY), handshakeRecord(14, 2, new Uint8Array(0))),
    ],
    serverHelloEnds: [2],
    helloVerifyRequest: true,
  },
  {
    name: 'malformed HelloVerifyRequest',
    datagrams: [handshakeRecord(HVR, 0, Uint8Array.of(0xfe, 0xff, 9))],
    helloVerifyRequest: false,
    anomalies: ['bad_hello_verify_request'],
  },
  {
    name: 'truncated ClientHello body',
    datagrams: [handshakeRecord(CH, 0, CH_BODY.subarray(0, 30))],
    anomalies: ['truncated_client_hello'],
  },
];

describe('parseDtlsDatagrams', () => {
  it.each(scenarios)('$name', (s) => {
    const r = parseDtlsDatagrams(s.datagrams);
    expect(r.clientHelloEnds).toEqual(s.clientHelloEnds ?? []);
    expect(r.serverHelloEnds).toEqual(s.serverHelloEnds ?? []);
    expect(r.clientHellos).toHaveLength(r.clientHelloEnds.length);
    expect(r.serverHellos).toHaveLength(r.serverHelloEnds.length);
    expect(r.anomalies).toEqual(s.anomalies ?? []);
    expect(r.helloVerifyRequest).toBe(s.helloVerifyRequest ?? false);
    expect(r.encryptedRecords).toBe(s.encryptedRecords ?? 0);
    expect(r.retransmittedFragments).toBe(s.retransmittedFragments ?? 0);
    expect(r.isDtls).toBe(s.isDtls ?? true);
    for (const ch of r.clientHellos) {
      expect(ch.cipherSuites).toEqual([0xc02b, 0xc02f]);
      expect(dtlsClientHelloFields(ch, { ja4plus: true }).ja4).toBe(CH_JA4);
    }
  });

  it('reports the cookie of the ClientHello that answers a HelloVerifyRequest', () => {
    const second = dtlsClientHelloBody({ cookie: Uint8Array.of(1, 2, 3, 4), cipherSuites: [0x002f] });
    const r = parseDtlsDatagrams([CH_RECORD, handshakeRecord(CH, 1, second)]);
    expect(r.clientHellos.map((h) => [...(h.cookie ?? [])])).toEqual([[], [1, 2, 3, 4]]);
    expect(
      r.clientHellos.map((h) => dtlsClientHelloFields(h, { ja4plus: false }).dtls_cookie_length),
    ).toEqual([0, 4]);
  });

  it('DTLS 1.3: plaintext hellos, unified-header records skipped and counted', () => {
    const sh13 = serverHelloBody({
      legacyVersion: 0xfefd,
      cipherSuite: 0x1301,
      extensions: [extSupportedVersionsServer(0xfefc), ext(0x0033, [0, 0x1d, 0, 1, 7])],
    });
    const server = [
      concat(
        handshakeRecord(SH, 0, sh13),
        unifiedRecord({ seq16: true }, new Uint8Array(300)), // EncryptedExtensions…Finished
        unifiedRecord({}, new Uint8Array(40)),
      ),
      concat(unifiedRecord({ withLength: false }, new Uint8Array(50))),
      concat(unifiedRecord({ cid: Uint8Array.of(7, 7) }, new Uint8Array(50))),
    ];
    const r = parseDtlsDatagrams(server);
    expect(r.anomalies).toEqual([]);
    expect(r.encryptedRecords).toBe(4);
    expect(r.serverHelloEnds).toEqual([1]);
    const f = dtlsServerHelloFields(r.serverHellos[0]!, { ja4plus: true });
    // JA4S by the spec: d + selected_version 0xfefc → d3, 2 extensions, no ALPN, cipher 1301, wire order.
    expect(f.ja4s).toBe(`dd30200_1301_${hash12('002b,0033')}`);
    expect(f.ja3s_full).toBe('65277,4865,43-51');
  });

  it.each<[number[], string]>([
    [[0xfefc], 'dd3'],
    // Numerically 0xfefd > 0xfefc: the literal "highest value" rule yields d2 (docs/fingerprints.md §1).
    [[0xfefc, 0xfefd], 'dd2'],
    [[0x2a2a, 0xfefc], 'dd3'],
  ])('DTLS 1.3 ClientHello with supported_versions %j → JA4 %s…', (versions, prefix) => {
    const body = dtlsClientHelloBody({
      cipherSuites: [0x1301],
      extensions: [extSupportedVersionsClient(versions)],
    });
    const r = parseDtlsDatagrams([handshakeRecord(CH, 0, body)]);
    expect(r.anomalies).toEqual([]);
    expect(String(dtlsClientHelloFields(r.clientHellos[0]!, { ja4plus: true }).ja4).slice(0, 3)).toBe(prefix);
  });

  it('DTLS 1.3 HelloRetryRequest is a ServerHello flagged as such', () => {
    const hrr = serverHelloBody({
      legacyVersion: 0xfefd,
      random: HRR_RANDOM,
      cipherSuite: 0x1301,
      extensions: [extSupportedVersionsServer(0xfefc)],
    });
    const r = parseDtlsDatagrams([handshakeRecord(SH, 0, hrr)]);
    expect(r.serverHellos.map((h) => h.isHelloRetryRequest)).toEqual([true]);
  });
});
