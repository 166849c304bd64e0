// QUIC and DTLS through the real pipeline: the addon hands the first datagrams of each UDP flow to
// the worker, which recognises them by content. Expected values: the corpus (Arkime's
// quicietf/wireshark-dtls12 .test files, suricata-verify quic-ietf-ja3 rules).
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus.js';
import { ofType, replay } from '../helpers/replay.js';

describe('QUIC events', () => {
  it('quic_client_hello: the client is src, ja4 starts with q, the version is named', async () => {
    const { events, summary } = await replay([`${CORPUS}arkime/tests/pcap/quicietf.pcap`]);
    const [hello, ...more] = ofType(events, 'quic_client_hello');
    expect(more).toEqual([]);
    expect(hello).toMatchObject({
      transport: 'udp',
      src_ip: '2001:4998:ef5e:2b::12a0',
      src_port: 57349,
      dst_ip: '2607:f8b0:4004:835::2003',
      dst_port: 443,
      ja4: 'q13d0311h3_55b375c5d22e_3512bcbbc9ec',
      ja3: 'ddfef2ad23ab6dd55307813c2d0b7d58',
      quic_version: 'v1',
    });
    expect(summary.udp.quic).toBeGreaterThan(0);
  });

  it('quic_session: the server Initial is decrypted with the keys of the client DCID', async () => {
    const { events } = await replay([`${CORPUS}suricata-verify/tests/quic-ietf-ja3/input.pcap`]);
    const sessions = ofType(events, 'quic_session');
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.map((s) => s.ja3s_full)).toContain('771,4866,43-51-41');
    // the client's fields ride along, as on tls_session
    expect(sessions[0]!.ja3).toBe(ofType(events, 'quic_client_hello')[0]!.ja3);
  });
});

describe('DTLS events', () => {
  it('dtls_client_hello and dtls_session carry d-prefixed JA4 and JA4S', async () => {
    const { events } = await replay([`${CORPUS}arkime/tests/pcap/wireshark-dtls12.pcap`]);
    const hellos = ofType(events, 'dtls_client_hello');
    expect(hellos.length).toBeGreaterThan(0);
    for (const h of hellos) {
      expect(h).toMatchObject({
        transport: 'udp',
        src_ip: '2a03:39a0:1f:1000:38b6:67b7:3eea:fe28',
        src_port: 48809,
        ja4: 'dd2i030300_f7e428980f70_6c817ce3d217',
      });
    }
    const [session] = ofType(events, 'dtls_session');
    expect(session?.ja4s).toMatch(/^dd2/);
    expect(session?.ja4).toBe('dd2i030300_f7e428980f70_6c817ce3d217');
  });

  it('UDP that is neither QUIC nor DTLS (DNS) makes no hello events', async () => {
    const { events, summary } = await replay([`${CORPUS}arkime/tests/pcap/curl-enabled-tls13.pcap`]);
    expect(ofType(events, 'quic_client_hello').concat(ofType(events, 'dtls_client_hello'))).toEqual([]);
    expect(summary.udp.quic + summary.udp.dtls).toBe(0);
    expect(summary.udp.other).toBeGreaterThan(0); // the DNS lookups
  });
});

describe('tls_certificate events', () => {
  it('the server chain is filed under the server, leaf first, never under the client', async () => {
    const { events } = await replay([`${CORPUS}foxio-ja4/pcap/tls-alpn-h2.pcap`]);
    const certs = ofType(events, 'tls_certificate');
    expect(certs.map((c) => [c.cert_role, c.chain_index, c.chain_length])).toEqual([
      ['server', 0, 2],
      ['server', 1, 2],
    ]);
    // FoxIO ja4x for this capture's leaf (corpus: tls-alpn-h2.pcap.json JA4X.1) and openssl's view
    expect(certs[0]).toMatchObject({
      ja4x: '7d5dbb3783b4_ba7ce0880c07_7bf9a7bf7029',
      subject_cn: 'cloudflare.com',
      src_ip: '2001:4998:ef83:14:8000::100d',
      dst_port: 443,
    });
  });
});
