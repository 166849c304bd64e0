import { describe, expect, it } from 'vitest';
import { MAX_HANDSHAKE_MESSAGE_LENGTH, MAX_HELLOS_PER_STREAM } from '../../../../src/parsers/tls/limits.js';
import { parseTlsStream } from '../../../../src/parsers/tls/stream.js';
import {
  ascii,
  CHANGE_CIPHER_SPEC_RECORD,
  clientHelloMessage,
  concat,
  ext,
  extSni,
  extSupportedVersionsServer,
  HRR_RANDOM,
  handshake,
  handshakeRecord,
  record,
  serverHelloMessage,
  splitIntoRecords,
  u16,
  u24,
  workedClientHello,
} from './builders.js';

const CH = workedClientHello();
const SH = serverHelloMessage({ cipherSuite: 0xc02f, extensions: [ext(0xff01, [0]), ext(0x000b, [1, 0])] });
const CERTIFICATE = handshake(11, concat(u24(7), u24(4), [0x30, 0x02, 0x05, 0x00]));
const SERVER_HELLO_DONE = handshake(14, new Uint8Array(0));

describe('parseTlsStream: record layer and reassembly', () => {
  it('parses one ClientHello in one record, end = record end', () => {
    const data = handshakeRecord(CH);
    const r = parseTlsStream(data);
    expect(r.isTls).toBe(true);
    expect(r.anomalies).toEqual([]);
    expect(r.clientHellos).toHaveLength(1);
    expect(r.clientHellos[0]!.end).toBe(data.length);
    expect(r.clientHellos[0]!.hello.serverName).toBe('example.com');
    expect(r.serverHellos).toEqual([]);
  });

  it('reassembles a ClientHello split over 2 records', () => {
    const data = splitIntoRecords(CH, [100]);
    const r = parseTlsStream(data);
    expect(r.anomalies).toEqual([]);
    expect(r.clientHellos).toHaveLength(1);
    expect(r.clientHellos[0]!.end).toBe(data.length);
    expect(r.clientHellos[0]!.hello.cipherSuites).toHaveLength(15);
  });

  it('reassembles a ClientHello split over 3 records, header itself split', () => {
    const data = splitIntoRecords(CH, [2, 150]);
    const r = parseTlsStream(data);
    expect(r.anomalies).toEqual([]);
    expect(r.clientHellos).toHaveLength(1);
    expect(r.clientHellos[0]!.hello.extensions.map((e) => e.type)).toContain(0x4469);
  });

  it('reassembles a message carried in one-byte records', () => {
    const sizes = Array.from({ length: CH.length }, () => 1);
    const r = parseTlsStream(splitIntoRecords(CH, sizes));
    expect(r.clientHellos).toHaveLength(1);
    expect(r.clientHellos[0]!.hello.serverName).toBe('example.com');
  });

  it('parses two messages in one record (ServerHello + Certificate + ServerHelloDone)', () => {
    const first = handshakeRecord(concat(SH, CERTIFICATE), 0x0303);
    const data = concat(first, handshakeRecord(SERVER_HELLO_DONE, 0x0303));
    const r = parseTlsStream(data);
    expect(r.anomalies).toEqual([]);
    expect(r.serverHellos).toHaveLength(1);
    expect(r.serverHellos[0]!.end).toBe(5 + SH.length); // just past the ServerHello, inside the record
    expect(r.serverHellos[0]!.hello.cipherSuite).toBe(0xc02f);
  });

  it('reports a ServerHello whose record is truncated after the hello (capture cap inside the flight)', () => {
    const full = handshakeRecord(concat(SH, handshake(11, new Uint8Array(3000))), 0x0303);
    const data = full.subarray(0, 5 + SH.length + 10);
    const r = parseTlsStream(data);
    expect(r.anomalies).toEqual([]);
    expect(r.serverHellos).toHaveLength(1);
    expect(r.serverHellos[0]!.end).toBe(5 + SH.length);
    expect(parseTlsStream(full.subarray(0, 5 + SH.length - 1)).serverHellos).toEqual([]);
  });

  it('skips Alert records and stops at ApplicationData', () => {
    const alert = record(21, [1, 0], 0x0303);
    const appData = record(23, new Uint8Array(40).fill(0x99), 0x0303);
    const r = parseTlsStream(concat(handshakeRecord(SH), alert, appData, handshakeRecord(SH)));
    expect(r.serverHellos).toHaveLength(1);
    expect(r.anomalies).toEqual([]);
  });

  it('stops after ChangeCipherSpec when the next handshake record is encrypted (TLS 1.2 Finished)', () => {
    const encryptedFinished = handshakeRecord(
      Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 5) & 0xff),
      0x0303,
    );
    const clientKeyExchange = handshake(16, concat([32], new Uint8Array(32).fill(3)));
    const data = concat(
      handshakeRecord(CH),
      handshakeRecord(clientKeyExchange),
      CHANGE_CIPHER_SPEC_RECORD,
      encryptedFinished,
    );
    const r = parseTlsStream(data);
    expect(r.clientHellos).toHaveLength(1);
    expect(r.anomalies).toEqual([]);
  });

  it('ignores an encrypted record that starts like a ClientHello but whose length does not fit', () => {
    const fake = handshakeRecord(concat([1], u24(1000), new Uint8Array(20)), 0x0303);
    const r = parseTlsStream(concat(handshakeRecord(CH), CHANGE_CIPHER_SPEC_RECORD, fake));
    expect(r.clientHellos).toHaveLength(1);
    expect(r.anomalies).toEqual([]);
  });
});

describe('parseTlsStream: HelloRetryRequest', () => {
  const hrr = serverHelloMessage({
    random: HRR_RANDOM,
    cipherSuite: 0x1301,
    sessionId: new Uint8Array(32).fill(9),
    extensions: [extSupportedVersionsServer(0x0304), ext(0x0033, [0x00, 0x17])],
  });
  const sh = serverHelloMessage({
    cipherSuite: 0x1301,
    sessionId: new Uint8Array(32).fill(9),
    extensions: [
      extSupportedVersionsServer(0x0304),
      ext(0x0033, concat(u16(0x0017), u16(65), new Uint8Array(65))),
    ],
  });

  it('flags the HRR and still reads the plaintext ServerHello after the compatibility CCS (RFC 8446 D.4)', () => {
    const appData = record(23, new Uint8Array(50), 0x0303);
    const data = concat(
      handshakeRecord(hrr, 0x0303),
      CHANGE_CIPHER_SPEC_RECORD,
      handshakeRecord(sh, 0x0303),
      appData,
    );
    const r = parseTlsStream(data);
    expect(r.anomalies).toEqual([]);
    expect(r.serverHellos.map((s) => s.hello.isHelloRetryRequest)).toEqual([true, false]);
    expect(r.serverHellos[0]!.hello.keyShareGroup).toBe(0x0017);
    expect(r.serverHellos[1]!.hello.selectedVersion).toBe(0x0304);
  });

  it('reads the second ClientHello after the client compatibility CCS', () => {
    const ch2 = clientHelloMessage({ cipherSuites: [0x1301], extensions: [extSni('second.example')] });
    const r = parseTlsStream(
      concat(handshakeRecord(CH), CHANGE_CIPHER_SPEC_RECORD, handshakeRecord(ch2, 0x0303)),
    );
    expect(r.clientHellos.map((c) => c.hello.serverName)).toEqual(['example.com', 'second.example']);
  });
});

describe('parseTlsStream: truncation and hostile lengths', () => {
  it('every prefix of a valid stream: never throws, no anomaly, hello only once complete', () => {
    const data = concat(splitIntoRecords(CH, [120, 60]), handshakeRecord(SH));
    const chEnd = parseTlsStream(data).clientHellos[0]!.end;
    for (let n = 0; n <= data.length; n++) {
      const r = parseTlsStream(data.subarray(0, n));
      expect(r.anomalies).toEqual([]);
      expect(r.clientHellos.length).toBe(n >= chEnd ? 1 : 0);
      expect(r.isTls).toBe(n >= 3);
    }
  });

  it('record length above 2^14 + 2048 -> record_too_long, stop', () => {
    const header = concat([22], u16(0x0301), u16(0xffff), [1, 0, 0]);
    const r = parseTlsStream(header);
    expect(r.anomalies).toEqual(['record_too_long']);
    expect(r.clientHellos).toEqual([]);
  });

  it('handshake message claiming 16 MiB -> handshake_too_long, nothing allocated for it', () => {
    const claim = handshakeRecord(concat([1], u24(0xffffff), new Uint8Array(100)));
    const before = process.memoryUsage().arrayBuffers;
    const r = parseTlsStream(claim);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(r.anomalies).toEqual(['handshake_too_long']);
    expect(r.clientHellos).toEqual([]);
    expect(grown).toBeLessThan(1 << 20);
  });

  it(`a message just over the limit (${MAX_HANDSHAKE_MESSAGE_LENGTH + 1} bytes) is refused`, () => {
    const r = parseTlsStream(handshakeRecord(concat([11], u24(MAX_HANDSHAKE_MESSAGE_LENGTH + 1))));
    expect(r.anomalies).toEqual(['handshake_too_long']);
  });

  it('a large claim under the limit with few bytes present is just incomplete', () => {
    const r = parseTlsStream(handshakeRecord(concat([1], u24(100_000), new Uint8Array(10))));
    expect(r.anomalies).toEqual([]);
    expect(r.clientHellos).toEqual([]);
  });

  it(`stops after ${MAX_HELLOS_PER_STREAM} hellos`, () => {
    const tiny = clientHelloMessage({ cipherSuites: [0x002f] });
    const many = handshakeRecord(concat(...Array.from({ length: MAX_HELLOS_PER_STREAM + 3 }, () => tiny)));
    const r = parseTlsStream(many);
    expect(r.clientHellos).toHaveLength(MAX_HELLOS_PER_STREAM);
    expect(r.anomalies).toEqual(['too_many_hellos']);
  });

  it('a malformed hello is an anomaly and parsing continues', () => {
    const bad = handshake(1, concat(u16(0x0303), new Uint8Array(32), [0], u16(3), [0, 1, 2]));
    const r = parseTlsStream(concat(handshakeRecord(bad), handshakeRecord(CH)));
    expect(r.anomalies).toEqual(['bad_cipher_suites_length']);
    expect(r.clientHellos).toHaveLength(1);
  });

  it('empty handshake records are tolerated and reported', () => {
    const r = parseTlsStream(concat(handshakeRecord(new Uint8Array(0)), handshakeRecord(CH)));
    expect(r.anomalies).toEqual(['empty_handshake_record']);
    expect(r.clientHellos).toHaveLength(1);
  });

  it('an unknown content type or record version mid-stream stops parsing', () => {
    const r1 = parseTlsStream(concat(handshakeRecord(SH), record(99, [0]), handshakeRecord(CH)));
    expect(r1.anomalies).toEqual(['unknown_content_type']);
    expect(r1.clientHellos).toEqual([]);
    const r2 = parseTlsStream(concat(handshakeRecord(SH), record(22, CH, 0x0203)));
    expect(r2.anomalies).toEqual(['bad_record_version']);
    expect(r2.serverHellos).toHaveLength(1);
  });
});

describe('parseTlsStream: detection', () => {
  it.each([
    ['HTTP request', ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['SSH banner', ascii('SSH-2.0-OpenSSH_9.6\r\n')],
    ['record version 2.x', concat([22, 2, 0], u16(1), [0])],
  ])('%s -> not TLS', (_name, data) => {
    const r = parseTlsStream(data);
    expect(r.isTls).toBe(false);
    expect(r.anomalies).toEqual(['not_tls']);
  });

  it('a TLS record of another type first -> no_handshake', () => {
    const r = parseTlsStream(record(21, [2, 40], 0x0303));
    expect(r.isTls).toBe(false);
    expect(r.anomalies).toEqual(['no_handshake']);
  });

  it('empty or 1–2 byte input: undecided, no anomaly', () => {
    for (const d of [new Uint8Array(0), Uint8Array.of(22), Uint8Array.of(22, 3)]) {
      expect(parseTlsStream(d)).toEqual({
        clientHellos: [],
        serverHellos: [],
        sslv2ClientHello: false,
        anomalies: [],
        isTls: false,
      });
    }
  });

  it('detects an SSLv2-compatible ClientHello (no hello parsed, no fingerprints)', () => {
    // 2-byte header with high bit, msg_type 1, version 3.1, 3 cipher specs, no session id, 16-byte challenge.
    const specs = [0x00, 0x00, 0x04, 0x01, 0x00, 0x80, 0x00, 0x00, 0x2f];
    const challenge = new Uint8Array(16).fill(0xcc);
    const body = concat([1], u16(0x0301), u16(specs.length), u16(0), u16(challenge.length), specs, challenge);
    const data = concat([0x80 | (body.length >> 8), body.length & 0xff], body);
    const r = parseTlsStream(data);
    expect(r.sslv2ClientHello).toBe(true);
    expect(r.isTls).toBe(true);
    expect(r.clientHellos).toEqual([]);
    expect(r.anomalies).toEqual([]);
    // SSL 2.0 version 0x0002 is accepted too; inconsistent lengths are not an SSLv2 hello.
    const v2 = Uint8Array.from(data);
    v2[3] = 0;
    v2[4] = 2;
    expect(parseTlsStream(v2).sslv2ClientHello).toBe(true);
    const broken = Uint8Array.from(data);
    broken[10] = 17;
    expect(parseTlsStream(broken)).toMatchObject({
      sslv2ClientHello: false,
      isTls: false,
      anomalies: ['not_tls'],
    });
  });
});
