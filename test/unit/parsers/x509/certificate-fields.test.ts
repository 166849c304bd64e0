/** certificateFields (src/events/certificate.ts): the `tls_certificate` event fields of one DER certificate. */
import { describe, expect, it } from 'vitest';
import { certificateFields } from '../../../../src/events/certificate.js';
import { certificate, extension, extensions, OID, seq, tlv } from './builders.js';
import { corpusCert } from './corpus-certs.js';

describe('certificateFields', () => {
  it('tls-alpn-h2.pcap leaf: every field (JA4X from EXPECTED-INDEX.json, the rest from openssl x509)', () => {
    const f = certificateFields(corpusCert('tls-alpn-h2.pcap', 64034, 0), { ja4plus: true });
    expect(f).toEqual({
      // FoxIO Python/Rust/plugin, EXPECTED-INDEX.json
      ja4x: '7d5dbb3783b4_ba7ce0880c07_7bf9a7bf7029',
      ja4x_r:
        '550406,55040a,55040b,550403_55040f,2b0601040182373c020103,2b0601040182373c020102,550405,550406,' +
        '550408,550407,55040a,550403_551d23,551d0e,551d11,551d0f,551d25,551d1f,551d20,2b06010505070101,' +
        '551d13,2b06010401d679020402',
      // openssl x509 -nameopt RFC2253 -subject -issuer -serial -dates -fingerprint -sha256 -text
      subject:
        'CN=cloudflare.com,O=Cloudflare\\, Inc.,L=San Francisco,ST=California,C=US,serialNumber=4710875,' +
        'jurisdictionST=Delaware,jurisdictionC=US,businessCategory=Private Organization',
      subject_cn: 'cloudflare.com',
      issuer: 'CN=DigiCert ECC Extended Validation Server CA,OU=www.digicert.com,O=DigiCert Inc,C=US',
      issuer_cn: 'DigiCert ECC Extended Validation Server CA',
      sans: { dns: ['cloudflare.com', 'www.cloudflare.com'], ip: [], email: [], uri: [] },
      serial: '0a68bb984a507399f4716e809a44a7b0',
      not_before: '2018-10-30T00:00:00Z',
      not_after: '2020-11-03T12:00:00Z',
      self_signed: false,
      key_algorithm: 'ec',
      key_curve: 'P-256',
      key_bits: 256,
      signature_algorithm: 'ecdsa-with-SHA256',
      sha256: '84694645cbd183bf9be472ce702bd189246e1fcd1544ffead466d956a71690bf',
      is_ca: false,
      version: 3,
    });
  });

  it('--no-ja4plus omits ja4x and ja4x_r only', () => {
    const der = corpusCert('ssh2.pcapng', 57376, 3);
    const on = certificateFields(der, { ja4plus: true });
    const off = certificateFields(der, { ja4plus: false });
    expect(Object.keys(on).filter((k) => !(k in off))).toEqual(['ja4x', 'ja4x_r']);
    // openssl x509 -fingerprint -sha256
    expect(off.sha256).toBe('28689b30e4c306aab53b027b29e36ad6dd1dcf4b953994482ca84bdc1ecac996');
    expect(off).toMatchObject({ is_ca: true, self_signed: false, key_algorithm: 'rsa', key_bits: 2048 });
  });

  it('undecodable DER: only sha256 and parse_error', () => {
    // printf '\x31\x00' | openssl dgst -sha256
    expect(certificateFields(Uint8Array.of(0x31, 0x00), { ja4plus: true })).toEqual({
      sha256: 'e79e418e48623569d75e2a7b09ae88ed9b77b126a445b9ff9dc6989a08efa079',
      parse_error: 'bad_certificate',
    });
  });

  it('tolerated faults are listed in x509_anomalies; no cert_role is added', () => {
    const der = certificate({ tail: [extensions(extension(OID.subjectAltName, seq(tlv(0x87, [1, 2, 3]))))] });
    const f = certificateFields(der, { ja4plus: false });
    expect(f.x509_anomalies).toEqual(['bad_ip_address']);
    expect(f).not.toHaveProperty('cert_role');
    expect(f.signature_algorithm).toBe('sha256WithRSAEncryption');
  });

  it('an unknown signature algorithm is reported by its OID', () => {
    const der = certificate({ signature: seq(tlv(0x06, [0x2a, 0x03, 0x04])) });
    expect(certificateFields(der, { ja4plus: false }).signature_algorithm).toBe('1.2.3.4');
  });

  it('each call returns a fresh object (the memo cannot be mutated through a result)', () => {
    const der = corpusCert('tls-alpn-h2.pcap', 64034, 1);
    const a = certificateFields(der, { ja4plus: true });
    a.cert_role = 'server';
    a.subject = 'changed';
    const b = certificateFields(der, { ja4plus: true });
    expect(b).not.toHaveProperty('cert_role');
    expect(b.subject).toBe(
      'CN=DigiCert ECC Extended Validation Server CA,OU=www.digicert.com,O=DigiCert Inc,C=US',
    );
    expect(Object.isFrozen(b.sans)).toBe(true);
  });
});
