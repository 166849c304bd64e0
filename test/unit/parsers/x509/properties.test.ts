/**
 * Property tests (fast-check): parseCertificate, certificateFields and parseTlsStream with
 * certificates never throw, terminate, and keep their output within the documented bounds, on random
 * bytes, random DER trees and mutated corpus certificates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificateFields } from '../../../../src/events/certificate.js';
import {
  MAX_CERTIFICATE_MESSAGES_PER_STREAM,
  MAX_CERTIFICATES_PER_CHAIN,
} from '../../../../src/parsers/tls/limits.js';
import { parseTlsStream } from '../../../../src/parsers/tls/stream.js';
import { parseCertificate } from '../../../../src/parsers/x509/certificate.js';
import {
  MAX_EXTENSIONS,
  MAX_NAME_ATTRIBUTES,
  MAX_SAN_ENTRIES,
  MAX_TEXT_CHARS,
} from '../../../../src/parsers/x509/limits.js';
import { mutate, mutation, mutations } from '../../../helpers/mutation.js';
import { concat, handshake, handshakeRecord, serverHelloMessage, u24 } from '../tls/builders.js';
import { certificate, derLength, extension, extensions, name, OID, seq, tlv } from './builders.js';
import { corpusChains } from './corpus-certs.js';

const RUNS = 2000;

/** Every error code and anomaly parseCertificate documents. */
const ERRORS = new Set([
  'empty',
  'certificate_too_long',
  'bad_certificate',
  'bad_tbs_certificate',
  'bad_version',
  'bad_serial',
  'bad_signature_algorithm',
  'bad_issuer',
  'bad_validity',
  'bad_subject',
  'bad_subject_public_key_info',
  'bad_extensions',
  'too_many_attributes',
  'too_many_extensions',
]);
const ANOMALIES = new Set([
  'trailing_data',
  'unknown_version',
  'non_minimal_integer',
  'negative_serial',
  'long_serial',
  'signature_algorithm_mismatch',
  'bad_oid',
  'empty_rdn',
  'bad_string',
  'long_value',
  'bad_time',
  'bad_public_key',
  'unexpected_tbs_field',
  'extensions_before_v3',
  'empty_extensions',
  'duplicate_extension',
  'bad_extension',
  'bad_subject_alt_name',
  'bad_ip_address',
  'too_many_sans',
  'bad_basic_constraints',
]);
/** Certificate-related codes parseTlsStream adds with `{ certificates: true }`. */
const STREAM_CERT_ANOMALIES = new Set([
  'bad_certificate_list',
  'empty_certificate',
  'too_many_certificates',
  'too_many_certificate_messages',
  'tls13_plaintext_certificate',
]);

const HEX12 = /^[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The invariants of one parseCertificate result. */
function checkCertificate(der: Uint8Array): void {
  const r = parseCertificate(der);
  if (!r.ok) {
    expect(ERRORS.has(r.error), r.error).toBe(true);
    return;
  }
  const c = r.cert;
  for (const a of c.anomalies) expect(ANOMALIES.has(a), a).toBe(true);
  expect(new Set(c.anomalies).size).toBe(c.anomalies.length);
  expect([1, 2, 3].includes(c.version) || c.anomalies.includes('unknown_version')).toBe(true);
  for (const n of [c.issuer, c.subject]) {
    const attrs = n.rdns.flat();
    expect(attrs.length).toBeLessThanOrEqual(MAX_NAME_ATTRIBUTES);
    for (const a of attrs) {
      expect(a.value.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(a.oidHex.length).toBeLessThanOrEqual(2 * der.length);
    }
    expect(n.der.length).toBeLessThanOrEqual(der.length);
    // The string form never carries a raw control character.
    expect(/[\u0000-\u001f\u007f]/.test(n.text)).toBe(false);
  }
  expect(c.extensions.length).toBeLessThanOrEqual(MAX_EXTENSIONS);
  const sans = c.subjectAltNames;
  const sanCount = sans.dns.length + sans.ip.length + sans.email.length + sans.uri.length;
  expect(sanCount).toBeLessThanOrEqual(MAX_SAN_ENTRIES);
  for (const s of [...sans.dns, ...sans.email, ...sans.uri])
    expect(s.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
  expect(c.serial).toMatch(/^-?([0-9a-f]{2})+$/);
  expect(c.serial.length).toBeLessThanOrEqual(2 * der.length + 1);
  if (c.notBefore !== null) expect(c.notBefore).toMatch(ISO);
  if (c.notAfter !== null) expect(c.notAfter).toMatch(ISO);
  if (c.publicKey.bits !== null) expect(c.publicKey.bits).toBeLessThanOrEqual(8 * der.length);
  // Output size is linear in the input.
  expect(JSON.stringify(c).length).toBeLessThanOrEqual(64 * der.length + 4096);
}

function checkFields(der: Uint8Array, ja4plus: boolean): void {
  const f = certificateFields(der, { ja4plus });
  expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
  if ('parse_error' in f) {
    expect(Object.keys(f).sort()).toEqual(['parse_error', 'sha256']);
    return;
  }
  if (ja4plus) {
    const [a, b, c] = String(f.ja4x).split('_');
    for (const s of [a, b, c]) expect(s).toMatch(HEX12);
    expect(String(f.ja4x_r).split('_')).toHaveLength(3);
  } else {
    expect(f).not.toHaveProperty('ja4x');
  }
  expect(JSON.stringify(f).length).toBeLessThanOrEqual(64 * der.length + 4096);
}

/** Distinct corpus certificates (RSA, EC, explicit curve, many SANs, v3 roots). */
const CORPUS_CERTS: Uint8Array[] = (() => {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const capture of ['badcurveball.pcap', 'ssh2.pcapng', 'tls-alpn-h2.pcap', 'https3-301-get.pcap']) {
    for (const c of corpusChains(capture)) {
      for (const der of c.chain) {
        const k = Buffer.from(der).toString('base64');
        if (!seen.has(k)) out.push(der);
        seen.add(k);
      }
    }
  }
  return out;
})();
const corpusCertArb = fc.constantFrom(...CORPUS_CERTS);

/**
 * Random DER trees: primitives of the types a certificate uses (with random contents) and constructed
 * SEQUENCE/SET/[n] nodes, nested up to a few levels.
 */
const derTree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(
        fc.constantFrom(
          0x01,
          0x02,
          0x03,
          0x04,
          0x05,
          0x06,
          0x0c,
          0x13,
          0x16,
          0x17,
          0x18,
          0x1e,
          0x1c,
          0x81,
          0x82,
          0x87,
        ),
        fc.uint8Array({ maxLength: 24 }),
      )
      .map(([id, c]) => tlv(id, c)),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa3), fc.array(tie('node'), { maxLength: 5 }))
      .map(([id, kids]) => tlv(id, ...kids)),
  ),
})).node;

describe('parseCertificate properties', () => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), checkCertificate), { numRuns: RUNS });
  });

  it('never throws on random bytes inside a SEQUENCE header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (body) =>
        checkCertificate(concat([0x30], derLength(body.length), body)),
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on random DER trees in every certificate slot', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('serial', 'issuer', 'validity', 'subject', 'spki', 'tail', 'san', 'bc'),
        derTree,
        (slot, t) => {
          const der =
            slot === 'tail'
              ? certificate({ tail: [t] })
              : slot === 'san'
                ? certificate({ tail: [extensions(extension(OID.subjectAltName, t))] })
                : slot === 'bc'
                  ? certificate({ tail: [extensions(extension(OID.basicConstraints, t))] })
                  : certificate({ [slot]: t });
          checkCertificate(der);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated corpus certificates', () => {
    fc.assert(
      fc.property(corpusCertArb, mutations, (der, edits) => {
        checkCertificate(mutate(der, edits));
      }),
      { numRuns: RUNS },
    );
  });

  it('terminates quickly on hostile shapes (deep nesting, huge counts, long values)', () => {
    const deep = new Uint8Array(200_000);
    for (let i = 0; i < deep.length; i += 2) {
      deep[i] = 0x30;
      deep[i + 1] = 0x80; // indefinite form: rejected at once
    }
    const nested = (() => {
      let t: Uint8Array = tlv(0x05);
      for (let i = 0; i < 2000; i++) t = seq(t);
      return t;
    })();
    const manyAttrs = certificate({
      subject: seq(...Array.from({ length: 20_000 }, () => Uint8Array.of(0x31, 0x00))),
    });
    const longValue = certificate({
      subject: name([[OID.CN, tlv(0x0c, new Uint8Array(100_000).fill(0x41))]]),
    });
    const manyExts = certificate({
      tail: [extensions(...Array.from({ length: 5000 }, () => seq(tlv(0x06, [0x2a]), tlv(0x04))))],
    });
    const start = performance.now();
    for (const der of [deep, nested, certificate({ subject: nested }), manyAttrs, longValue, manyExts]) {
      checkCertificate(der);
      checkFields(der, true);
    }
    expect(performance.now() - start).toBeLessThan(5000);
    const long = parseCertificate(longValue);
    expect(long.ok && long.cert.subjectCN?.length).toBe(MAX_TEXT_CHARS);
    expect(parseCertificate(manyExts)).toEqual({ ok: false, error: 'too_many_extensions' });
  });
});

describe('certificateFields properties', () => {
  it('never throws; parse_error or well-formed fields (random bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), fc.boolean(), (der, ja4plus) =>
        checkFields(der, ja4plus),
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated corpus certificates', () => {
    fc.assert(
      fc.property(
        corpusCertArb,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (der, edits, j) => checkFields(mutate(der, edits), j),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('parseTlsStream with certificates: properties', () => {
  const SH = serverHelloMessage({ cipherSuite: 0xc02f, extensions: [] });
  function flight(chain: Uint8Array[]): Uint8Array {
    const list = concat(...chain.map((c) => concat(u24(c.length), c)));
    const msg = handshake(11, concat(u24(list.length), list));
    // Split into records of at most 2^14 bytes like a real server.
    const payload = concat(SH, msg, handshake(14, new Uint8Array(0)));
    const records: Uint8Array[] = [];
    for (let i = 0; i < payload.length; i += 16384)
      records.push(handshakeRecord(payload.subarray(i, i + 16384), 0x0303));
    return concat(...records);
  }
  const REAL = flight(corpusChains('ssh2.pcapng').find((c) => c.chain.length === 4)!.chain);

  function checkStream(data: Uint8Array): void {
    const r = parseTlsStream(data, { certificates: true });
    expect(r.certificates.length).toBeLessThanOrEqual(MAX_CERTIFICATE_MESSAGES_PER_STREAM);
    for (const { chain, end } of r.certificates) {
      expect(chain.length).toBeLessThanOrEqual(MAX_CERTIFICATES_PER_CHAIN);
      expect(end).toBeGreaterThan(0);
      expect(end).toBeLessThanOrEqual(data.length);
      for (const der of chain) {
        expect(der.length).toBeGreaterThan(0);
        expect(der.length).toBeLessThan(end);
        checkCertificate(der);
      }
    }
    for (const a of r.anomalies) if (STREAM_CERT_ANOMALIES.has(a)) expect(r.isTls).toBe(true);
  }

  it('the unmutated flight yields the 4-certificate chain', () => {
    const r = parseTlsStream(REAL, { certificates: true });
    expect(r.anomalies).toEqual([]);
    expect(r.certificates).toHaveLength(1);
    expect(r.certificates[0]!.chain).toHaveLength(4);
  });

  it('never throws on mutated real server flights', () => {
    fc.assert(
      fc.property(mutations, (edits) => checkStream(mutate(REAL, edits))),
      { numRuns: RUNS },
    );
  });

  it('never throws on random certificate lists', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }),
        fc.uint8Array({ maxLength: 16 }),
        (chain, junk) => checkStream(concat(flight(chain), junk)),
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes behind a Handshake record carrying a Certificate header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (body) => {
        checkStream(handshakeRecord(concat(SH, [11], u24(body.length), body), 0x0303));
      }),
      { numRuns: RUNS },
    );
  });
});
