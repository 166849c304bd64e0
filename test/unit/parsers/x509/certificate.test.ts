import { describe, expect, it } from 'vitest';
import { parseCertificate, type X509Certificate } from '../../../../src/parsers/x509/certificate.js';
import {
  MAX_CERTIFICATE_BYTES,
  MAX_EXTENSIONS,
  MAX_NAME_ATTRIBUTES,
} from '../../../../src/parsers/x509/limits.js';
import {
  algorithm,
  type Bytes,
  certificate,
  concat,
  explicit,
  extension,
  extensions,
  generalizedTime,
  integer,
  name,
  nullValue,
  OID,
  octets,
  oid,
  printable,
  rsaKey,
  seq,
  set,
  tlv,
  utcTime,
  utf8,
} from './builders.js';
import { corpusCert } from './corpus-certs.js';

function parse(der: Bytes): X509Certificate {
  const r = parseCertificate(der);
  if (!r.ok) throw new Error(`parse failed: ${r.error}`);
  return r.cert;
}

/** openssl's "DNS:a, DNS:b, IP Address:1.2.3.4" SAN line → our shape. */
function opensslSans(line: string) {
  const out = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
  for (const item of line.split(', ').filter((s) => s !== '')) {
    const [kind, ...rest] = item.split(':');
    const v = rest.join(':');
    if (kind === 'DNS') out.dns.push(v);
    else if (kind === 'IP Address') out.ip.push(v.toLowerCase());
    else if (kind === 'email') out.email.push(v);
    else if (kind === 'URI') out.uri.push(v);
  }
  return out;
}

/**
 * Corpus certificates against OpenSSL 3.0 (an independent oracle), generated once with
 *   openssl x509 -inform DER -noout -serial -subject -issuer -dates -nameopt RFC2253 \
 *     -ext subjectAltName,basicConstraints -in cert.der
 *   openssl x509 -inform DER -noout -text -in cert.der   (version, key algorithm and size, signature)
 * and pasted here: serial lower-cased, dates rewritten as ISO-8601, and one naming difference:
 * OpenSSL prints 2.5.4.9 as 'street', RFC 4514 §3 (which we follow) as 'STREET'.
 */
const OPENSSL_CASES = [
  {
    cert: ['badcurveball.pcap', 55318, 1] as const, // CurveBall (CVE-2020-0601): explicit EC parameters
    serial: '62344031f7ab03e6f9327cde33419cf7fb09df94',
    subject: 'CN=INFIGO,O=INFIGO IS,ST=Zagreb,C=HR',
    issuer: 'CN=INFIGO,O=INFIGO IS,ST=Zagreb,C=HR',
    notBefore: '2020-01-16T14:00:50Z', // Jan 16 14:00:50 2020 GMT
    notAfter: '2020-02-15T14:00:50Z', // Feb 15 14:00:50 2020 GMT
    sans: '',
    isCA: true,
    key: { algorithm: 'ec', curve: 'explicit', bits: 384 }, // "Public-Key: (384 bit)", no ASN1 OID
    signature: 'ecdsa-with-SHA256',
    selfSigned: true,
  },
  {
    cert: ['https3-301-get.pcap', 62599, 0] as const,
    serial: '047fbe2e4bde0084d2caf8e3ecfe7058',
    subject:
      'CN=github.com,O=GitHub\\, Inc.,L=San Francisco,ST=California,C=US,postalCode=94107,' +
      'STREET=548 4th Street,serialNumber=5157550,jurisdictionST=Delaware,jurisdictionC=US,' +
      'businessCategory=Private Organization',
    issuer: 'CN=DigiCert High Assurance EV CA-1,OU=www.digicert.com,O=DigiCert Inc,C=US',
    notBefore: '2013-06-10T00:00:00Z', // Jun 10 00:00:00 2013 GMT
    notAfter: '2015-09-02T12:00:00Z', // Sep  2 12:00:00 2015 GMT
    sans: 'DNS:github.com, DNS:www.github.com',
    isCA: false,
    key: { algorithm: 'rsa', curve: null, bits: 2048 },
    signature: 'sha1WithRSAEncryption',
    selfSigned: false,
  },
  {
    cert: ['tls-alpn-h2.pcap', 64034, 0] as const,
    serial: '0a68bb984a507399f4716e809a44a7b0',
    subject:
      'CN=cloudflare.com,O=Cloudflare\\, Inc.,L=San Francisco,ST=California,C=US,serialNumber=4710875,' +
      'jurisdictionST=Delaware,jurisdictionC=US,businessCategory=Private Organization',
    issuer: 'CN=DigiCert ECC Extended Validation Server CA,OU=www.digicert.com,O=DigiCert Inc,C=US',
    notBefore: '2018-10-30T00:00:00Z',
    notAfter: '2020-11-03T12:00:00Z',
    sans: 'DNS:cloudflare.com, DNS:www.cloudflare.com',
    isCA: false,
    key: { algorithm: 'ec', curve: 'P-256', bits: 256 }, // "NIST CURVE: P-256"
    signature: 'ecdsa-with-SHA256',
    selfSigned: false,
  },
  {
    // DER serial 00 F1 69 …: the sign octet is not part of the printed serial.
    cert: ['ssh2.pcapng', 57371, 1] as const,
    serial: 'f169608cc4593638',
    subject:
      'O=Sophos Ltd,C=UK,ST=Oxfordshire,emailAddress=sophosca@sophos.com,CN=Sophos SHA256 MCS Root CA3',
    issuer: 'O=Sophos Ltd,C=UK,ST=Oxfordshire,emailAddress=sophosca@sophos.com,CN=Sophos SHA256 MCS Root CA3',
    notBefore: '2017-05-08T12:49:38Z',
    notAfter: '2038-05-04T12:49:38Z',
    sans: '',
    isCA: true,
    key: { algorithm: 'rsa', curve: null, bits: 4096 },
    signature: 'sha256WithRSAEncryption',
    selfSigned: true,
  },
  {
    cert: ['browsers-x509.pcapng', 54603, 2] as const,
    serial: '3972443af922b751d7d36c10dd313595',
    subject:
      'CN=USERTrust RSA Certification Authority,O=The USERTRUST Network,L=Jersey City,ST=New Jersey,C=US',
    issuer: 'CN=AAA Certificate Services,O=Comodo CA Limited,L=Salford,ST=Greater Manchester,C=GB',
    notBefore: '2019-03-12T00:00:00Z',
    notAfter: '2028-12-31T23:59:59Z',
    sans: '',
    isCA: true,
    key: { algorithm: 'rsa', curve: null, bits: 4096 },
    signature: 'sha384WithRSAEncryption',
    selfSigned: false,
  },
  {
    cert: ['ssh2.pcapng', 57375, 0] as const, // 72 dNSNames, no basicConstraints
    serial: '2d0032787213fa84ae5320170c000000327872',
    subject: 'CN=www.bing.com',
    issuer: 'CN=Microsoft RSA TLS CA 02,O=Microsoft Corporation,C=US',
    notBefore: '2023-02-16T03:47:45Z',
    notAfter: '2023-08-16T03:47:45Z',
    sans: 'DNS:www.bing.com, DNS:dict.bing.com.cn, DNS:*.platform.bing.com, DNS:*.bing.com, DNS:bing.com, DNS:ieonline.microsoft.com, DNS:*.windowssearch.com, DNS:cn.ieonline.microsoft.com, DNS:*.origin.bing.com, DNS:*.mm.bing.net, DNS:*.api.bing.com, DNS:ecn.dev.virtualearth.net, DNS:*.cn.bing.net, DNS:*.cn.bing.com, DNS:ssl-api.bing.com, DNS:ssl-api.bing.net, DNS:*.api.bing.net, DNS:*.bingapis.com, DNS:bingsandbox.com, DNS:feedback.microsoft.com, DNS:insertmedia.bing.office.net, DNS:r.bat.bing.com, DNS:*.r.bat.bing.com, DNS:*.dict.bing.com.cn, DNS:*.dict.bing.com, DNS:*.ssl.bing.com, DNS:*.appex.bing.com, DNS:*.platform.cn.bing.com, DNS:wp.m.bing.com, DNS:*.m.bing.com, DNS:global.bing.com, DNS:windowssearch.com, DNS:search.msn.com, DNS:*.bingsandbox.com, DNS:*.api.tiles.ditu.live.com, DNS:*.ditu.live.com, DNS:*.t0.tiles.ditu.live.com, DNS:*.t1.tiles.ditu.live.com, DNS:*.t2.tiles.ditu.live.com, DNS:*.t3.tiles.ditu.live.com, DNS:*.tiles.ditu.live.com, DNS:3d.live.com, DNS:api.search.live.com, DNS:beta.search.live.com, DNS:cnweb.search.live.com, DNS:dev.live.com, DNS:ditu.live.com, DNS:farecast.live.com, DNS:image.live.com, DNS:images.live.com, DNS:local.live.com.au, DNS:localsearch.live.com, DNS:ls4d.search.live.com, DNS:mail.live.com, DNS:mapindia.live.com, DNS:local.live.com, DNS:maps.live.com, DNS:maps.live.com.au, DNS:mindia.live.com, DNS:news.live.com, DNS:origin.cnweb.search.live.com, DNS:preview.local.live.com, DNS:search.live.com, DNS:test.maps.live.com, DNS:video.live.com, DNS:videos.live.com, DNS:virtualearth.live.com, DNS:wap.live.com, DNS:webmaster.live.com, DNS:webmasters.live.com, DNS:www.local.live.com.au, DNS:www.maps.live.com.au',
    isCA: null,
    key: { algorithm: 'rsa', curve: null, bits: 2048 },
    signature: 'sha256WithRSAEncryption',
    selfSigned: false,
  },
  {
    cert: ['ssh2.pcapng', 57376, 3] as const, // DER serial 00 A7 0E …
    serial: 'a70e4a4c3482b77f',
    subject:
      'CN=Starfield Services Root Certificate Authority - G2,O=Starfield Technologies\\, Inc.,' +
      'L=Scottsdale,ST=Arizona,C=US',
    issuer: 'OU=Starfield Class 2 Certification Authority,O=Starfield Technologies\\, Inc.,C=US',
    notBefore: '2009-09-02T00:00:00Z',
    notAfter: '2034-06-28T17:39:16Z',
    sans: '',
    isCA: true,
    key: { algorithm: 'rsa', curve: null, bits: 2048 },
    signature: 'sha256WithRSAEncryption',
    selfSigned: false,
  },
];

describe('parseCertificate: corpus certificates vs openssl x509', () => {
  it.each(OPENSSL_CASES)('$cert.0 client port $cert.1 #$cert.2', (c) => {
    const cert = parse(corpusCert(c.cert[0], c.cert[1], c.cert[2]));
    expect(cert.version).toBe(3);
    expect(cert.serial).toBe(c.serial);
    expect(cert.subject.text).toBe(c.subject);
    expect(cert.issuer.text).toBe(c.issuer);
    expect(cert.notBefore).toBe(c.notBefore);
    expect(cert.notAfter).toBe(c.notAfter);
    expect(cert.subjectAltNames).toEqual(opensslSans(c.sans));
    expect(cert.isCA).toBe(c.isCA);
    expect(cert.publicKey).toMatchObject(c.key);
    expect(cert.signatureAlgorithm.name).toBe(c.signature);
    expect(cert.selfSigned).toBe(c.selfSigned);
    expect(cert.anomalies).toEqual([]);
  });

  it('bing.com: 72 dNSNames in wire order, subject CN', () => {
    const cert = parse(corpusCert('ssh2.pcapng', 57375, 0));
    expect(cert.subjectAltNames.dns).toHaveLength(72);
    expect(cert.subjectAltNames.dns.slice(0, 3)).toEqual([
      'www.bing.com',
      'dict.bing.com.cn',
      '*.platform.bing.com',
    ]);
    expect(cert.subjectCN).toBe('www.bing.com');
  });

  it('attributes and extensions keep their wire order and OID bytes', () => {
    const cert = parse(corpusCert('tls-alpn-h2.pcap', 64034, 0));
    // Wire order is the reverse of the RFC 4514 string: businessCategory first, CN last.
    expect(cert.subject.rdns.flat().map((a) => a.oid)).toEqual([
      '2.5.4.15',
      '1.3.6.1.4.1.311.60.2.1.3',
      '1.3.6.1.4.1.311.60.2.1.2',
      '2.5.4.5',
      '2.5.4.6',
      '2.5.4.8',
      '2.5.4.7',
      '2.5.4.10',
      '2.5.4.3',
    ]);
    expect(cert.subject.rdns.flat().at(-1)).toEqual({
      oid: '2.5.4.3',
      oidHex: '550403',
      shortName: 'CN',
      value: 'cloudflare.com',
      valueTag: 0x13,
    });
    // openssl -text lists: AKI, SKI, SAN, keyUsage (critical), EKU, CRL DP, policies, AIA,
    // basicConstraints (critical), CT SCTs.
    expect(cert.extensions.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.35', false],
      ['2.5.29.14', false],
      ['2.5.29.17', false],
      ['2.5.29.15', true],
      ['2.5.29.37', false],
      ['2.5.29.31', false],
      ['2.5.29.32', false],
      ['1.3.6.1.5.5.7.1.1', false],
      ['2.5.29.19', true],
      ['1.3.6.1.4.1.11129.2.4.2', false],
    ]);
  });
});

describe('parseCertificate: hand-built certificates', () => {
  it('a minimal v3 certificate', () => {
    const cert = parse(certificate());
    expect(cert).toMatchObject({
      version: 3,
      serial: '01',
      signatureAlgorithm: {
        oid: OID.sha256WithRSA,
        oidHex: '2a864886f70d01010b',
        name: 'sha256WithRSAEncryption',
      },
      subjectCN: 'example.test',
      notBefore: '2024-01-01T00:00:00Z',
      notAfter: '2025-01-01T00:00:00Z',
      publicKey: { algorithm: 'rsa', oid: OID.rsaEncryption, curve: null, bits: 2048 },
      extensions: [],
      subjectAltNames: { dns: [], ip: [], email: [], uri: [] },
      isCA: null,
      selfSigned: false,
      anomalies: [],
    });
    expect(cert.subject.text).toBe('CN=example.test');
    expect(cert.issuer.text).toBe('CN=Test CA');
  });

  it('v1 certificate: no version field, no extensions', () => {
    const cert = parse(certificate({ version: null }));
    expect(cert.version).toBe(1);
    expect(cert.extensions).toEqual([]);
  });

  describe('validity times (RFC 5280 §4.1.2.5)', () => {
    it.each([
      // UTCTime: YY >= 50 → 19YY, else 20YY.
      ['491231235959Z', utcTime('491231235959Z'), '2049-12-31T23:59:59Z'],
      ['500101000000Z', utcTime('500101000000Z'), '1950-01-01T00:00:00Z'],
      ['000229120000Z', utcTime('000229120000Z'), '2000-02-29T12:00:00Z'],
      // BER forms: no seconds; an offset instead of Z.
      ['2401010030Z', utcTime('2401010030Z'), '2024-01-01T00:30:00Z'],
      ['240101003000+0100', utcTime('240101003000+0100'), '2023-12-31T23:30:00Z'],
      ['231231233000-0100', utcTime('231231233000-0100'), '2024-01-01T00:30:00Z'],
      // GeneralizedTime: 2050 and later, the 99991231235959Z "no expiry" value, a fraction (dropped).
      ['20500101000000Z', generalizedTime('20500101000000Z'), '2050-01-01T00:00:00Z'],
      ['99991231235959Z', generalizedTime('99991231235959Z'), '9999-12-31T23:59:59Z'],
      ['19491231235959Z', generalizedTime('19491231235959Z'), '1949-12-31T23:59:59Z'],
      ['20240229120000.123Z', generalizedTime('20240229120000.123Z'), '2024-02-29T12:00:00Z'],
      ['00010101000000Z', generalizedTime('00010101000000Z'), '0001-01-01T00:00:00Z'],
    ])('%s → %s', (_text, t, iso) => {
      const cert = parse(certificate({ validity: seq(t, t) }));
      expect(cert.notBefore).toBe(iso);
      expect(cert.notAfter).toBe(iso);
      expect(cert.anomalies).toEqual([]);
    });

    it.each([
      utcTime('230229000000Z'), // not a leap year
      utcTime('241301000000Z'),
      utcTime('240101240000Z'),
      utcTime('2401010000Z0'),
      utcTime('24010100000'),
      generalizedTime('2024010100000Z'),
      generalizedTime('19000229000000Z'),
      generalizedTime('99991231235959-0100'), // year 10000 after the offset
      tlv(0x02, [1]), // not a time type
    ])('undecodable time %# → null + bad_time', (t) => {
      const cert = parse(certificate({ validity: seq(t, utcTime('250101000000Z')) }));
      expect(cert.notBefore).toBeNull();
      expect(cert.notAfter).toBe('2025-01-01T00:00:00Z');
      expect(cert.anomalies).toEqual(['bad_time']);
    });
  });

  describe('serial numbers (X.690 §8.3; printed as openssl -serial, lower case)', () => {
    it.each([
      { content: [0x00], serial: '00', anomalies: [] },
      { content: [0x7f], serial: '7f', anomalies: [] },
      { content: [0x00, 0x80], serial: '80', anomalies: [] }, // sign octet dropped
      { content: [0x00, 0xf1, 0x69], serial: 'f169', anomalies: [] },
      { content: [0x00, 0x00, 0x01], serial: '01', anomalies: ['non_minimal_integer'] },
      { content: [0xff], serial: '-01', anomalies: ['negative_serial'] },
      { content: [0x85], serial: '-7b', anomalies: ['negative_serial'] },
      { content: [0xff, 0x00], serial: '-0100', anomalies: ['negative_serial'] },
      { content: [0xff, 0x85], serial: '-7b', anomalies: ['non_minimal_integer', 'negative_serial'] },
      { content: new Array<number>(21).fill(0x11), serial: '11'.repeat(21), anomalies: ['long_serial'] },
    ])('INTEGER  → ', ({ content, serial, anomalies }) => {
      const cert = parse(certificate({ serial: integer(...content) }));
      expect(cert.serial).toBe(serial);
      expect(cert.anomalies).toEqual(anomalies);
    });

    it('an empty INTEGER is bad_serial', () => {
      expect(parseCertificate(certificate({ serial: tlv(0x02) }))).toEqual({
        ok: false,
        error: 'bad_serial',
      });
    });
  });

  describe('names', () => {
    it('empty subject: empty RDN list and string, no CN; SAN carries the identity', () => {
      const cert = parse(
        certificate({
          subject: seq(),
          tail: [extensions(extension(OID.subjectAltName, seq(tlv(0x82, [0x61, 0x2e, 0x62])), true))],
        }),
      );
      expect(cert.subject).toMatchObject({ rdns: [], text: '' });
      expect(cert.subjectCN).toBeNull();
      expect(cert.subjectAltNames.dns).toEqual(['a.b']);
      expect(cert.extensions).toEqual([{ oid: OID.subjectAltName, oidHex: '551d11', critical: true }]);
    });

    it('RFC 4514 string: reversed RDNs, multi-valued RDN with +, escaping, unknown OIDs, #hex values', () => {
      const subject = name(
        [[OID.C, printable('US')]],
        [
          [OID.O, utf8('A, B+C')],
          [OID.OU, utf8(' lead#')],
        ],
        [['1.2.3.4', utf8('#x;y ')]],
        [['2.5.4.45', tlv(0x03, [0x00, 0xab])]], // x500UniqueIdentifier BIT STRING → #hex of the TLV
        [[OID.CN, utf8('tab\there\\"<>')]],
      );
      const cert = parse(certificate({ subject }));
      expect(cert.subject.text).toBe(
        'CN=tab\\09here\\\\\\"\\<\\>,2.5.4.45=#030200ab,1.2.3.4=\\#x\\;y\\ ,O=A\\, B\\+C+OU=\\ lead#,C=US',
      );
      expect(cert.subject.rdns.map((r) => r.map((a) => a.oid))).toEqual([
        [OID.C],
        [OID.O, OID.OU],
        ['1.2.3.4'],
        ['2.5.4.45'],
        [OID.CN],
      ]);
      expect(cert.subject.rdns[3]![0]).toMatchObject({ shortName: null, value: '#030200ab', valueTag: 0x03 });
      expect(cert.subjectCN).toBe('tab\there\\"<>');
    });

    it('string types: BMPString, UniversalString, TeletexString, invalid UTF-8', () => {
      const subject = name(
        [[OID.CN, tlv(0x1e, [0x00, 0x41, 0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00])]], // "Aé😀"
        [[OID.O, tlv(0x1c, [0, 0, 0, 0x42, 0, 0x01, 0xf6, 0x00])]], // "B😀"
        [[OID.OU, tlv(0x14, [0x63, 0xe9])]], // Latin-1 "cé"
        [['2.5.4.7', tlv(0x0c, [0x61, 0xff, 0x62])]], // "a\ufffdb"
      );
      const values = parse(certificate({ subject })).subject.rdns.map((r) => r[0]!.value);
      expect(values).toEqual(['Aé😀', 'B😀', 'cé', 'a\ufffdb']);
    });

    it('odd-length BMPString: bad_string, last octet dropped', () => {
      const cert = parse(certificate({ subject: name([[OID.CN, tlv(0x1e, [0x00, 0x41, 0x00])]]) }));
      expect(cert.subjectCN).toBe('A');
      expect(cert.anomalies).toEqual(['bad_string']);
    });

    it('the last CN in wire order is the subject CN', () => {
      const cert = parse(certificate({ subject: name([[OID.CN, utf8('first')]], [[OID.CN, utf8('last')]]) }));
      expect(cert.subjectCN).toBe('last');
    });

    it('empty RDN SET is tolerated (empty_rdn)', () => {
      const cert = parse(certificate({ subject: seq(set(), set(seq(oid(OID.CN), utf8('x')))) }));
      expect(cert.subject.rdns).toEqual([[], [expect.objectContaining({ value: 'x' })]]);
      expect(cert.anomalies).toEqual(['empty_rdn']);
    });

    it('selfSigned compares Name bytes, not text', () => {
      const same = name([[OID.CN, utf8('Root')]]);
      expect(parse(certificate({ issuer: same, subject: same })).selfSigned).toBe(true);
      const printableRoot = name([[OID.CN, printable('Root')]]);
      const cert = parse(certificate({ issuer: printableRoot, subject: same }));
      expect(cert.issuer.text).toBe(cert.subject.text);
      expect(cert.selfSigned).toBe(false);
    });
  });

  describe('OIDs', () => {
    it.each([
      // Encodings from `openssl asn1parse -genstr OID:<dotted>`.
      ['06146983f09da7ebcfdee0c7a1a7b2c0948cc8f9d776', '2.25.329800735698586629295641978511506172918'],
      ['06092a864886f70d01010b', '1.2.840.113549.1.1.11'],
      ['0603883701', '2.999.1'],
    ])('attribute type %s → %s', (oidTlv, dotted) => {
      const cert = parse(certificate({ subject: seq(set(seq(Buffer.from(oidTlv, 'hex'), utf8('v')))) }));
      const a = cert.subject.rdns[0]![0]!;
      expect(a.oid).toBe(dotted);
      expect(a.oidHex).toBe(oidTlv.slice(4));
      expect(cert.subject.text).toBe(`${dotted}=v`);
    });

    it('malformed OID: dotted form null, hex kept for JA4X, bad_oid', () => {
      const cert = parse(certificate({ subject: seq(set(seq(tlv(0x06, [0x55, 0x84]), utf8('v')))) }));
      expect(cert.subject.rdns[0]![0]).toMatchObject({ oid: null, oidHex: '5584', shortName: null });
      expect(cert.subject.text).toBe('#5584=v');
      expect(cert.anomalies).toEqual(['bad_oid']);
    });

    it('unknown signature and key algorithms', () => {
      const cert = parse(
        certificate({
          signature: algorithm('1.2.3.4.5'),
          spki: seq(algorithm('1.2.3.4.6', nullValue()), tlv(0x03, [0, 1, 2])),
        }),
      );
      expect(cert.signatureAlgorithm).toEqual({ oid: '1.2.3.4.5', oidHex: '2a030405', name: null });
      expect(cert.publicKey).toEqual({ algorithm: 'unknown', oid: '1.2.3.4.6', curve: null, bits: null });
    });

    it('outer and TBS signature algorithms that differ: the outer one wins, anomaly', () => {
      const cert = parse(certificate({ outerSignature: algorithm(OID.ecdsaWithSHA256) }));
      expect(cert.signatureAlgorithm.name).toBe('ecdsa-with-SHA256');
      expect(cert.anomalies).toEqual(['signature_algorithm_mismatch']);
    });
  });

  describe('public keys', () => {
    const bitString = (...b: number[]) => tlv(0x03, [0, ...b]);
    it.each([
      ['RSA, sign octet not counted', rsaKey([0x00, 0x80, 0x01]), { algorithm: 'rsa', bits: 16 }],
      ['RSA, small modulus', rsaKey([0x05]), { algorithm: 'rsa', bits: 3 }],
      [
        'EC P-256',
        seq(algorithm(OID.ecPublicKey, oid(OID.prime256v1)), bitString(4)),
        { algorithm: 'ec', curve: 'P-256', bits: 256 },
      ],
      [
        'EC P-521',
        seq(algorithm(OID.ecPublicKey, oid('1.3.132.0.35')), bitString(4)),
        { algorithm: 'ec', curve: 'P-521', bits: 521 },
      ],
      [
        'EC unlisted named curve',
        seq(algorithm(OID.ecPublicKey, oid('1.3.132.0.38')), bitString(4)),
        { algorithm: 'ec', curve: '1.3.132.0.38', bits: null },
      ],
      [
        'Ed25519',
        seq(algorithm(OID.ed25519), bitString(...new Array<number>(32).fill(1))),
        { algorithm: 'ed25519', curve: 'Curve25519', bits: 255 },
      ],
      [
        'Ed448',
        seq(algorithm(OID.ed448), bitString(...new Array<number>(57).fill(1))),
        { algorithm: 'ed448', curve: 'Curve448', bits: 448 },
      ],
      [
        'DSA, bits of p',
        seq(
          algorithm(OID.dsa, seq(integer(0x00, 0xff, 0x01), integer(0x03), integer(0x02))),
          bitString(2, 1, 1),
        ),
        { algorithm: 'dsa', curve: null, bits: 16 },
      ],
    ])('%s', (_n, spki, key) => {
      const cert = parse(certificate({ spki }));
      expect(cert.publicKey).toMatchObject(key);
      expect(cert.anomalies).toEqual([]);
    });

    it('undecodable RSA key: bits null, bad_public_key', () => {
      const cert = parse(
        certificate({ spki: seq(algorithm(OID.rsaEncryption, nullValue()), tlv(0x03, [0, 1, 2])) }),
      );
      expect(cert.publicKey).toMatchObject({ algorithm: 'rsa', bits: null });
      expect(cert.anomalies).toEqual(['bad_public_key']);
    });
  });

  describe('extensions', () => {
    it('subjectAltName kinds: DNS, IPv4, IPv6, email, URI; others skipped; bad IP length reported', () => {
      const ip6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
      const sanValue = seq(
        tlv(0x82, [0x78, 0x2e, 0x74, 0x65, 0x73, 0x74]), // x.test
        tlv(0x87, [192, 0, 2, 1]),
        tlv(0x87, ip6),
        tlv(0x87, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7]),
        tlv(0x87, [1, 2, 3, 4, 5]),
        tlv(0x81, [0x61, 0x40, 0x62]), // a@b
        tlv(0x86, [0x68, 0x3a, 0x2f, 0x2f, 0x78]), // h://x
        tlv(0xa0, seq(oid('1.3.6.1.4.1.311.20.2.3'), explicit(0, utf8('upn')))), // otherName
        tlv(0xa4, name([[OID.CN, utf8('dir')]])), // directoryName
      );
      const cert = parse(certificate({ tail: [extensions(extension(OID.subjectAltName, sanValue))] }));
      expect(cert.subjectAltNames).toEqual({
        dns: ['x.test'],
        ip: ['192.0.2.1', '2001:db8::1', '::ffff:198.51.100.7'],
        email: ['a@b'],
        uri: ['h://x'],
      });
      expect(cert.anomalies).toEqual(['bad_ip_address']);
    });

    it('basicConstraints: cA TRUE, absent cA (FALSE), critical flag', () => {
      const ca = parse(
        certificate({
          tail: [extensions(extension(OID.basicConstraints, seq(tlv(0x01, [0xff]), integer(0)), true))],
        }),
      );
      expect(ca.isCA).toBe(true);
      expect(ca.extensions).toEqual([{ oid: OID.basicConstraints, oidHex: '551d13', critical: true }]);
      const leaf = parse(certificate({ tail: [extensions(extension(OID.basicConstraints, seq()))] }));
      expect(leaf.isCA).toBe(false);
    });

    it('unknown, duplicate and explicitly non-critical extensions keep wire order', () => {
      const cert = parse(
        certificate({
          tail: [
            extensions(
              extension('1.2.3.4.5.6', octets([1]), false),
              extension(OID.keyUsage, tlv(0x03, [7, 0x80]), true),
              extension('1.2.3.4.5.6', octets([2])),
            ),
          ],
        }),
      );
      expect(cert.extensions).toEqual([
        { oid: '1.2.3.4.5.6', oidHex: '2a03040506', critical: false },
        { oid: OID.keyUsage, oidHex: '551d0f', critical: true },
        { oid: '1.2.3.4.5.6', oidHex: '2a03040506', critical: false },
      ]);
      expect(cert.anomalies).toEqual(['duplicate_extension']);
    });

    it('empty extension list, extensions in a v1 certificate, unique IDs skipped', () => {
      const cert = parse(
        certificate({ version: null, tail: [tlv(0x81, [0, 1]), tlv(0x82, [0, 2]), extensions()] }),
      );
      expect(cert.extensions).toEqual([]);
      expect(cert.anomalies).toEqual(['extensions_before_v3', 'empty_extensions']);
    });

    it('malformed subjectAltName and basicConstraints are anomalies, not failures', () => {
      const cert = parse(
        certificate({
          tail: [
            extensions(
              extension(OID.subjectAltName, Uint8Array.of(0x30, 0x05, 0x82)),
              extension(OID.basicConstraints, Uint8Array.of(0x02)),
            ),
          ],
        }),
      );
      expect(cert.extensions).toHaveLength(2);
      expect(cert.isCA).toBeNull();
      expect(cert.anomalies).toEqual(['bad_subject_alt_name', 'bad_basic_constraints']);
    });
  });

  describe('errors (stable codes)', () => {
    const good = certificate();
    it.each([
      ['empty', new Uint8Array(0), 'empty'],
      ['too long', new Uint8Array(MAX_CERTIFICATE_BYTES + 1), 'certificate_too_long'],
      ['not a SEQUENCE', Uint8Array.of(0x31, 0x00), 'bad_certificate'],
      ['indefinite length (BER)', concat([0x30, 0x80], good.subarray(2), [0, 0]), 'bad_certificate'],
      ['length past the end', good.subarray(0, good.length - 1), 'bad_certificate'],
      ['5-byte length', Uint8Array.of(0x30, 0x85, 0, 0, 0, 0, 1), 'bad_certificate'],
      ['TBS not a SEQUENCE', seq(set(), algorithm(OID.sha256WithRSA), tlv(0x03, [0])), 'bad_tbs_certificate'],
      ['no signature value', seq(seq(), algorithm(OID.sha256WithRSA)), 'bad_certificate'],
      ['version not an INTEGER', certificate({ version: explicit(0, utf8('3')) }), 'bad_version'],
      ['version too large', certificate({ version: explicit(0, integer(0x01, 0x00)) }), 'bad_version'],
      ['serial missing', certificate({ serial: utf8('1') }), 'bad_serial'],
      [
        'TBS signature not a SEQUENCE',
        certificate({ signature: nullValue(), outerSignature: algorithm(OID.sha256WithRSA) }),
        'bad_signature_algorithm',
      ],
      ['issuer RDN not a SET', certificate({ issuer: seq(seq(seq(oid(OID.CN), utf8('x')))) }), 'bad_issuer'],
      ['validity with one time', certificate({ validity: seq(utcTime('240101000000Z')) }), 'bad_validity'],
      [
        'subject ATV with 3 parts',
        certificate({ subject: seq(set(seq(oid(OID.CN), utf8('x'), utf8('y')))) }),
        'bad_subject',
      ],
      [
        'SPKI without key',
        certificate({ spki: seq(algorithm(OID.rsaEncryption)) }),
        'bad_subject_public_key_info',
      ],
      [
        'extension without value',
        certificate({ tail: [extensions(seq(oid(OID.keyUsage)))] }),
        'bad_extensions',
      ],
      ['garbage after SPKI', certificate({ tail: [Uint8Array.of(0x30, 0x05, 0x00)] }), 'bad_tbs_certificate'],
    ])('%s → %s', (_n, der, error) => {
      expect(parseCertificate(der)).toEqual({ ok: false, error });
    });

    it('too many name attributes / extensions fail rather than give a truncated JA4X', () => {
      const attrs = Array.from(
        { length: MAX_NAME_ATTRIBUTES + 1 },
        () => [[OID.CN, utf8('x')]] as Array<[string, Bytes]>,
      );
      expect(parseCertificate(certificate({ subject: name(...attrs) }))).toEqual({
        ok: false,
        error: 'too_many_attributes',
      });
      const exts = Array.from({ length: MAX_EXTENSIONS + 1 }, (_, i) => extension(`1.2.3.${i}`, octets()));
      expect(parseCertificate(certificate({ tail: [extensions(...exts)] }))).toEqual({
        ok: false,
        error: 'too_many_extensions',
      });
      // Exactly at the caps is fine.
      const okExts = exts.slice(0, MAX_EXTENSIONS);
      expect(parse(certificate({ tail: [extensions(...okExts)] })).extensions).toHaveLength(MAX_EXTENSIONS);
    });

    it('trailing bytes after the certificate are an anomaly', () => {
      const cert = parse(concat(good, [0, 0]));
      expect(cert.anomalies).toEqual(['trailing_data']);
    });
  });
});
