/**
 * JA4X (docs/fingerprints.md §5): vector table from the spec, then conformance against every JA4X value
 * that EXPECTED-INDEX.json pins for the foxio-ja4 captures (FoxIO Python `JA4X.n`, Rust `ja4x`,
 * Wireshark plugin `ja4x`/`ja4x_r`). Certificates come out of the captures through the test pcap
 * reader and parseTlsStream; expected values come from the index only.
 *
 * Agreement between FoxIO's implementations: for every capture below the three agree on JA4X (and the
 * plugin's ja4x_r hashes to its ja4x). The one thing we deliberately do not reproduce:
 * - http2-with-cookies.pcapng is TLS 1.3; FoxIO's tools read its certificates through the Decryption
 *   Secrets Block embedded in the pcapng. A passive sensor without keys sees them encrypted, so we pin
 *   that the capture yields no certificate at all and count its values as not observable.
 * chrome-cloudflare-quic-with-secrets.pcapng (pinned by Python only, certificates inside QUIC read
 * with keys) is not a TCP capture and is left out.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ja4x } from '../../../src/fingerprints/ja4plus/ja4x.js';
import { parseCertificate } from '../../../src/parsers/x509/certificate.js';
import { loadIndex } from '../../helpers/corpus.js';
import { type CorpusChain, corpusChains, JA4X_CAPTURES } from '../parsers/x509/corpus-certs.js';

/** A Ja4xInput with one attribute per RDN. */
function input(issuer: string[], subject: string[], extensions: string[]) {
  const rdns = (l: string[]) => l.map((oidHex) => [{ oidHex }]);
  return {
    issuer: { rdns: rdns(issuer) },
    subject: { rdns: rdns(subject) },
    extensions: extensions.map((oidHex) => ({ oidHex })),
  };
}

describe('ja4x: vectors', () => {
  it.each([
    // technical_details/JA4X.md worked example.
    {
      name: 'JA4X.md example',
      in: input(
        ['550403', '550406', '550408', '55040a'],
        ['550403', '550406', '550408', '55040a'],
        ['551d0f', '551d25', '551d11'],
      ),
      ja4x: '96a6439c8f5c_96a6439c8f5c_aae71e8db6d7',
      ja4x_r: '550403,550406,550408,55040a_550403,550406,550408,55040a_551d0f,551d25,551d11',
    },
    // fingerprints.md §0/§5: an empty list is 000000000000 (not hash12('') = e3b0c44298fc); the raw
    // section is empty (FoxIO Rust joins the three raw strings with '_').
    {
      name: 'empty issuer and no extensions (v1)',
      in: input([], ['550403'], []),
      ja4x: `000000000000_${createHash('sha256').update('550403').digest('hex').slice(0, 12)}_000000000000`,
      ja4x_r: '_550403_',
    },
    {
      name: 'everything empty',
      in: input([], [], []),
      ja4x: '000000000000_000000000000_000000000000',
      ja4x_r: '__',
    },
  ])('$name', (v) => {
    expect(ja4x(v.in)).toEqual({ ja4x: v.ja4x, ja4x_r: v.ja4x_r });
  });

  it('flattens multi-valued RDNs in wire order and keeps duplicates', () => {
    const cert = {
      issuer: {
        rdns: [[{ oidHex: '550406' }], [{ oidHex: '550403' }, { oidHex: '55040a' }], [{ oidHex: '550403' }]],
      },
      subject: { rdns: [] },
      extensions: [{ oidHex: '551d11' }, { oidHex: '551d11' }],
    };
    expect(ja4x(cert).ja4x_r).toBe('550406,550403,55040a,550403__551d11,551d11');
  });
});

// ---------------------------------------------------------------------------------------------------
// Corpus conformance.

interface Computed {
  ja4x: string;
  ja4x_r: string;
}

/** Our JA4X of every certificate of one Certificate message (parse failures fail the test). */
function fingerprintChain(c: CorpusChain): Computed[] {
  return c.chain.map((der) => {
    const p = parseCertificate(der);
    if (!p.ok) throw new Error(`${c.capture} ${c.clientPort}: ${p.error}`);
    return ja4x(p.cert);
  });
}

/** Certificates of every flow (client port → JA4X of all certificates in stream order). */
function byClientPort(capture: string): Map<number, Computed[]> {
  const out = new Map<number, Computed[]>();
  for (const c of corpusChains(capture)) {
    const list = out.get(c.clientPort) ?? [];
    list.push(...fingerprintChain(c));
    out.set(c.clientPort, list);
  }
  return out;
}

/** Captures whose certificates are only visible with TLS keys (see the header comment). */
const ENCRYPTED_CERTIFICATES = new Set(['http2-with-cookies.pcapng']);

const index = loadIndex();
const tally = { expected: 0, matched: 0, notObservable: 0 };

describe('ja4x: corpus conformance (EXPECTED-INDEX.json)', () => {
  it.each(JA4X_CAPTURES)('%s', (capture) => {
    const entries = index[`foxio-ja4/pcap/${capture}`]!.expected.filter((e) =>
      ['ja4x', 'JA4X', 'ja4x_r'].includes(e.fingerprint),
    );
    expect(entries.length).toBeGreaterThan(0);
    if (ENCRYPTED_CERTIFICATES.has(capture)) {
      expect(corpusChains(capture)).toEqual([]);
      tally.notObservable += entries.length;
      return;
    }
    const flows = byClientPort(capture);
    const rustSeen = new Map<number, number>();
    const frames = new Map<string, { ja4x: string[]; ja4x_r: string[] }>();
    for (const e of entries) {
      tally.expected++;
      const ctx = e.context ?? {};
      const value = String(e.value);
      if (e.source.includes('python')) {
        // context: srcport = client port, key 'JA4X.n' = n-th certificate of the stream.
        const n = Number(String(ctx.key).split('.')[1]);
        const got = flows.get(Number(ctx.srcport))?.[n - 1]?.ja4x;
        expect(got, `${capture} python ${String(ctx.key)} port ${String(ctx.srcport)}`).toBe(value);
        tally.matched++;
      } else if (e.source.includes('rust')) {
        // context: src_port = client port; entries of a flow are in chain order.
        const port = Number(ctx.src_port);
        const i = rustSeen.get(port) ?? 0;
        rustSeen.set(port, i + 1);
        expect(flows.get(port)?.[i]?.ja4x, `${capture} rust port ${port} #${i}`).toBe(value);
        tally.matched++;
      } else {
        // Wireshark plugin: context is only the frame completing the Certificate message.
        const f = frames.get(String(ctx.frame)) ?? { ja4x: [], ja4x_r: [] };
        (e.fingerprint === 'ja4x_r' ? f.ja4x_r : f.ja4x).push(value);
        frames.set(String(ctx.frame), f);
      }
    }
    // Each plugin frame must be one of our Certificate messages (each used once): same JA4X and
    // JA4X_r values.
    const unused = corpusChains(capture).map(fingerprintChain);
    const key = (l: string[]) => [...l].sort().join('|');
    for (const [frame, f] of frames) {
      const at = unused.findIndex(
        (chain) =>
          key(chain.map((c) => c.ja4x)) === key(f.ja4x) && key(chain.map((c) => c.ja4x_r)) === key(f.ja4x_r),
      );
      expect(at, `${capture} plugin frame ${frame}: ${f.ja4x.join(' ')}`).toBeGreaterThanOrEqual(0);
      unused.splice(at, 1);
      tally.matched += f.ja4x.length + f.ja4x_r.length;
    }
  });

  it('reproduced every observable pinned value', () => {
    console.log(
      `JA4X corpus tally: ${tally.matched}/${tally.expected} matched` +
        ` (+${tally.notObservable} not observable without TLS keys: ${[...ENCRYPTED_CERTIFICATES].join(', ')})`,
    );
    expect(tally.matched).toBe(tally.expected);
    expect(tally.expected).toBeGreaterThan(200);
  });
});
