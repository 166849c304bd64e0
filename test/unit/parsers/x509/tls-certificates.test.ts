/**
 * Certificate messages in parseTlsStream (`{ certificates: true }`): RFC 5246 §7.4.2 framing, limits,
 * the `end` offsets, and that TLS 1.3 yields none. (Lives beside the X.509 tests; the TLS suite in
 * test/unit/parsers/tls is left as it was.)
 */
import { describe, expect, it } from 'vitest';
import { parseCertificateList } from '../../../../src/parsers/tls/certificate.js';
import {
  MAX_CERTIFICATE_MESSAGES_PER_STREAM,
  MAX_CERTIFICATES_PER_CHAIN,
  MAX_HELLOS_PER_STREAM,
} from '../../../../src/parsers/tls/limits.js';
import { parseTlsStream } from '../../../../src/parsers/tls/stream.js';
import {
  CHANGE_CIPHER_SPEC_RECORD,
  concat,
  ext,
  extSupportedVersionsServer,
  handshake,
  handshakeRecord,
  record,
  serverHelloMessage,
  splitIntoRecords,
  u24,
} from '../tls/builders.js';
import { readTcpStreams } from '../tls/pcap-streams.js';
import { corpusCert, corpusChains, FOXIO_PCAP_DIR } from './corpus-certs.js';

const SH12 = serverHelloMessage({ cipherSuite: 0xc02f, extensions: [ext(0xff01, [0])] });
const SH13 = serverHelloMessage({ cipherSuite: 0x1301, extensions: [extSupportedVersionsServer(0x0304)] });
const DONE = handshake(14, new Uint8Array(0));

/** A Certificate message body from entries (each given its 3-byte length). */
function certificateBody(...entries: Uint8Array[]): Uint8Array {
  const list = concat(...entries.map((e) => concat(u24(e.length), e)));
  return concat(u24(list.length), list);
}
const certificateMessage = (...entries: Uint8Array[]) => handshake(11, certificateBody(...entries));

const A = Uint8Array.of(0x30, 0x01, 0xaa);
const B = Uint8Array.of(0x30, 0x02, 0xbb, 0xbb);

describe('parseCertificateList (RFC 5246 §7.4.2)', () => {
  it.each([
    { name: 'two entries', body: certificateBody(A, B), chain: [A, B], anomalies: [] },
    { name: 'empty list (client without certificate)', body: certificateBody(), chain: [], anomalies: [] },
    {
      name: 'shorter than the list length',
      body: Uint8Array.of(0, 0),
      chain: [],
      anomalies: ['bad_certificate_list'],
    },
    {
      name: 'list length larger than the body: entries before the fault kept',
      body: concat(u24(100), u24(A.length), A, u24(50), B),
      chain: [A],
      anomalies: ['bad_certificate_list'],
    },
    {
      name: 'list length smaller than the body',
      body: concat(u24(3 + A.length), u24(A.length), A, [0, 0]),
      chain: [A],
      anomalies: ['bad_certificate_list'],
    },
    {
      name: 'entry length cut by the list',
      body: concat(u24(2), [0, 0]),
      chain: [],
      anomalies: ['bad_certificate_list'],
    },
    {
      name: 'zero-length entry skipped',
      body: certificateBody(new Uint8Array(0), A),
      chain: [A],
      anomalies: ['empty_certificate'],
    },
  ])('$name', ({ body, chain, anomalies }) => {
    const r = parseCertificateList(body);
    expect(r.chain).toEqual(chain);
    expect(r.anomalies).toEqual(anomalies);
  });

  it(`keeps at most ${MAX_CERTIFICATES_PER_CHAIN} certificates`, () => {
    const many = Array.from({ length: MAX_CERTIFICATES_PER_CHAIN + 3 }, (_, i) =>
      Uint8Array.of(0x30, 0x01, i),
    );
    const r = parseCertificateList(certificateBody(...many));
    expect(r.chain).toEqual(many.slice(0, MAX_CERTIFICATES_PER_CHAIN));
    expect(r.anomalies).toEqual(['too_many_certificates']);
  });
});

describe('parseTlsStream({ certificates: true })', () => {
  it('server flight: ServerHello + Certificate + ServerHelloDone in one record; end is the message end', () => {
    const cert = certificateMessage(A, B);
    const data = concat(handshakeRecord(concat(SH12, cert, DONE), 0x0303));
    const r = parseTlsStream(data, { certificates: true });
    expect(r.anomalies).toEqual([]);
    expect(r.serverHellos).toHaveLength(1);
    expect(r.certificates).toEqual([{ chain: [A, B], end: 5 + SH12.length + cert.length }]);
  });

  it('a Certificate spread over many records is reassembled; end is the last record end', () => {
    const cert = certificateMessage(A, B);
    const data = concat(handshakeRecord(SH12, 0x0303), splitIntoRecords(cert, [1, 2, 3, 4], 0x0303));
    const r = parseTlsStream(data, { certificates: true });
    expect(r.certificates).toEqual([{ chain: [A, B], end: data.length }]);
  });

  it('without the option nothing changes: no certificates key, no certificate anomalies', () => {
    const data = handshakeRecord(concat(SH12, handshake(11, Uint8Array.of(0, 0, 9))), 0x0303);
    const r = parseTlsStream(data);
    expect('certificates' in r).toBe(false);
    expect(r.anomalies).toEqual([]);
    const withCerts = parseTlsStream(data, { certificates: true });
    expect(withCerts.certificates).toEqual([{ chain: [], end: data.length }]);
    expect(withCerts.anomalies).toEqual(['bad_certificate_list']);
  });

  it('a prefix yields a certificate message iff it reaches its end', () => {
    const data = concat(
      handshakeRecord(SH12, 0x0303),
      splitIntoRecords(certificateMessage(A, B), [5], 0x0303),
    );
    const end = parseTlsStream(data, { certificates: true }).certificates[0]!.end;
    expect(parseTlsStream(data.subarray(0, end), { certificates: true }).certificates).toHaveLength(1);
    expect(parseTlsStream(data.subarray(0, end - 1), { certificates: true }).certificates).toEqual([]);
  });

  it(`reports at most ${MAX_CERTIFICATE_MESSAGES_PER_STREAM} Certificate messages per direction`, () => {
    const msgs = Array.from({ length: MAX_CERTIFICATE_MESSAGES_PER_STREAM + 2 }, () => certificateMessage(A));
    const r = parseTlsStream(handshakeRecord(concat(SH12, ...msgs), 0x0303), { certificates: true });
    expect(r.certificates).toHaveLength(MAX_CERTIFICATE_MESSAGES_PER_STREAM);
    expect(r.anomalies).toEqual(['too_many_certificate_messages']);
  });

  it('Certificate messages do not count toward MAX_HELLOS_PER_STREAM', () => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < MAX_HELLOS_PER_STREAM; i++) parts.push(SH12, certificateMessage(A));
    const r = parseTlsStream(handshakeRecord(concat(...parts), 0x0303), { certificates: true });
    expect(r.serverHellos).toHaveLength(MAX_HELLOS_PER_STREAM);
    expect(r.certificates).toHaveLength(MAX_CERTIFICATE_MESSAGES_PER_STREAM);
    expect(r.anomalies).not.toContain('too_many_hellos');
  });

  it('TLS 1.3: the encrypted flight yields nothing; a plaintext Certificate after a 1.3 ServerHello is ignored', () => {
    const encrypted = concat(
      handshakeRecord(SH13, 0x0303),
      CHANGE_CIPHER_SPEC_RECORD,
      record(23, new Uint8Array(300).fill(0x42), 0x0303),
    );
    const r = parseTlsStream(encrypted, { certificates: true });
    expect(r.certificates).toEqual([]);
    expect(r.anomalies).toEqual([]);
    const odd = parseTlsStream(handshakeRecord(concat(SH13, certificateMessage(A)), 0x0303), {
      certificates: true,
    });
    expect(odd.certificates).toEqual([]);
    expect(odd.anomalies).toEqual(['tls13_plaintext_certificate']);
  });

  it('after ChangeCipherSpec (TLS 1.2 encrypted Finished) nothing more is read', () => {
    const data = concat(
      handshakeRecord(SH12, 0x0303),
      CHANGE_CIPHER_SPEC_RECORD,
      handshakeRecord(certificateMessage(A), 0x0303),
    );
    expect(parseTlsStream(data, { certificates: true }).certificates).toEqual([]);
  });

  it('TLS 1.3 corpus captures yield no certificates (tls3.pcapng, http2-with-cookies.pcapng)', () => {
    for (const capture of ['tls3.pcapng', 'http2-with-cookies.pcapng']) {
      let hellos = 0;
      for (const d of readTcpStreams(FOXIO_PCAP_DIR + capture)) {
        const r = parseTlsStream(d.data, { certificates: true });
        hellos += r.serverHellos.length;
        expect(r.certificates, `${capture} ${d.srcPort}→${d.dstPort}`).toEqual([]);
      }
      expect(hellos, capture).toBeGreaterThan(0);
    }
  });

  it('corpus TLS 1.2 flight: one message, two certificates, DER views of the right bytes', () => {
    const chains = corpusChains('tls-alpn-h2.pcap');
    expect(chains).toHaveLength(1);
    expect(chains[0]!.chain.map((c) => c.length)).toEqual([
      corpusCert('tls-alpn-h2.pcap', 64034, 0).length,
      corpusCert('tls-alpn-h2.pcap', 64034, 1).length,
    ]);
    // Each entry is one whole DER SEQUENCE: 0x30 0x82 + 2-byte length + that many bytes.
    for (const der of chains[0]!.chain) {
      expect(der[0]).toBe(0x30);
      expect(der[1]).toBe(0x82);
      expect(((der[2]! << 8) | der[3]!) + 4).toBe(der.length);
    }
  });
});
