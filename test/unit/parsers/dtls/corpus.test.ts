/**
 * Conformance of the DTLS parser + fingerprints against every DTLS capture of the corpus. Expected values
 * come only from the corpus and the specs:
 *
 * - Arkime `.test` sessions (EXPECTED-INDEX.json): `ja4`, `ja4_r` of the ClientHello, per flow.
 * - tshark 4.0.17 (test/corpus/oracle): `dtls.handshake.ja3(_full)` and `ja3s(_full)`, per frame.
 * - derived: JA4/JA4_r and JA4S/JA4S_r computed by the spec (docs/fingerprints.md §1–§2, see
 *   builders.ts) from tshark's JA3/JA3S strings, where those strings carry everything needed (no
 *   signature_algorithms, ALPN or supported_versions). No source pins a DTLS JA4S.
 *
 * Which captures: every capture with a DTLS JA4 in the index, a 'dtls' name, or a dtls_ja3 oracle row;
 * the discovered list is pinned below so that a corpus change is noticed.
 *
 * Disagreements between sources, and what we do:
 * 1. wireshark-dtls0.pcap speaks OpenSSL's pre-RFC DTLS (version 0x0100 in records and hellos). Arkime
 *    pins `d00i270000_…` (the spec: unknown version → '00'); tshark's JA3 writes `256`. Wireshark ≥ 4.2's
 *    built-in JA4 and the FoxIO Wireshark plugin both map 0x0100 to 's1' (their version tables list it
 *    as SSL 1.0), so they would print `ds1i…`; no corpus file pins that. We follow the spec and Arkime.
 * 2. After a HelloVerifyRequest, tshark reports a JA3 for both ClientHellos (frames 1 and 3 of
 *    wireshark-dtls0/-dtls12) while Arkime pins one JA4 per session. We report both hellos (equal
 *    fingerprints, RFC 6347 §4.2.1); every oracle frame is checked against the hello it completes.
 * 3. arkime_synthetic.pcap has two DTLS flows; Arkime pins a JA4 for 10.20.17.100:49900 only, not for
 *    the CoAP-over-DTLS flow 10.0.29.100:54341 → 5684, which tshark fingerprints (`65277,47,,,`). Its
 *    JA4 is covered by the derived value only.
 * 4. foxio-ja4/pcap/dtls-udp.notest.cap is byte-identical to arkime cloudshark-dtls1.pcap; FoxIO's
 *    tools produce nothing for it ("notest"), so only the tshark oracle and derived values apply.
 *
 * The native capture forwards the first NATIVE_DEFAULT_DATAGRAMS datagrams of each direction. Every
 * expected hello here lies within them (the latest, the second ClientHello after HelloVerifyRequest, is
 * datagram 2 of its direction); the test asserts this separately by parsing only that prefix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type DtlsResult, parseDtlsDatagrams } from '../../../../src/parsers/dtls/datagrams.js';
import { dtlsClientHelloFields, dtlsServerHelloFields } from '../../../../src/parsers/dtls/fields.js';
import { looksLikeDtls } from '../../../../src/parsers/dtls/record.js';
import { CORPUS, loadIndex } from '../../../helpers/corpus.js';
import { readUdpFlows, type UdpFlow } from '../../../helpers/udp-datagrams.js';
import { ja4FromJa3Full, ja4sFromJa3sFull } from './builders.js';

/** Datagrams per direction the native side forwards by default. */
const NATIVE_DEFAULT_DATAGRAMS = 3;

const CAPTURES = [
  'arkime/tests/pcap/arkime_synthetic.pcap',
  'arkime/tests/pcap/cloudshark-dtls1.pcap',
  'arkime/tests/pcap/wireshark-dtls0.pcap',
  'arkime/tests/pcap/wireshark-dtls12.pcap',
  'foxio-ja4/pcap/dtls-udp.notest.cap',
];

const CLIENT_KINDS = ['ja3', 'ja3_full', 'ja4', 'ja4_r'] as const;
const SERVER_KINDS = ['ja3s', 'ja3s_full', 'ja4s', 'ja4s_r'] as const;
type Kind = (typeof CLIENT_KINDS)[number] | (typeof SERVER_KINDS)[number];
const KINDS: readonly Kind[] = [...CLIENT_KINDS, ...SERVER_KINDS];

interface Expectation {
  pcap: string;
  source: 'arkime' | 'tshark' | 'derived';
  kind: Kind;
  value: string;
  client: string; // "ip|port" of the flow's client
  server: string;
  direction: 'client' | 'server';
  /** Capture frame holding the hello's last fragment (oracle rows only). */
  frame?: number;
}

const index = loadIndex();
const ORACLE = `${CORPUS}oracle/tshark-4.0.17/`;

/** Captures with any DTLS evidence, discovered from the corpus files. */
function discoverCaptures(): string[] {
  const out = new Set<string>();
  for (const [pcap, entry] of Object.entries(index)) {
    if (/dtls/i.test(pcap)) out.add(pcap);
    for (const e of entry.expected) {
      if ((e.fingerprint === 'ja4' || e.fingerprint === 'ja4_r') && /^d[0-9a-z]{2}[di]\d{4}/.test(e.value)) {
        out.add(pcap);
      }
    }
    const oracle = `${ORACLE}${pcap}.tsv`;
    if (existsSync(oracle) && readFileSync(oracle, 'utf8').includes('\tdtls_ja3')) out.add(pcap);
  }
  return [...out].sort();
}

function endpoint(ip: unknown, port: unknown): string {
  return `${String(ip)}|${String(port)}`;
}

/** Every expected value for one capture, from the three sources. */
function expectationsFor(pcap: string): Expectation[] {
  const out: Expectation[] = [];
  for (const e of index[pcap]?.expected ?? []) {
    const kind = e.fingerprint as Kind;
    if (!KINDS.includes(kind) || e.context === null) continue;
    const c = e.context;
    out.push({
      pcap,
      source: 'arkime',
      kind,
      value: e.value,
      client: endpoint(c.src, c.srcport),
      server: endpoint(c.dst, c.dstport),
      direction: SERVER_KINDS.includes(kind as never) ? 'server' : 'client',
    });
  }
  const oracle = `${ORACLE}${pcap}.tsv`;
  if (existsSync(oracle)) addOracle(pcap, oracle, out);
  // Keep the DTLS flows only (a 'd' JA4 or a dtls_ja3 row): mixed captures also pin TCP and QUIC flows.
  const dtls = new Set(
    out
      .filter((e) => e.source !== 'arkime' || (e.kind.startsWith('ja4') && e.value.startsWith('d')))
      .map((e) => `${e.client}>${e.server}`),
  );
  return out.filter((e) => dtls.has(`${e.client}>${e.server}`));
}

/** Adds the tshark dtls_ja3 / dtls_ja3s rows of one oracle file, and the values derived from them. */
function addOracle(pcap: string, oracle: string, out: Expectation[]): void {
  for (const line of readFileSync(oracle, 'utf8').split('\n').slice(1)) {
    const col = line.split('\t');
    if (col[6] !== 'dtls_ja3' && col[6] !== 'dtls_ja3s') continue;
    const isClient = col[6] === 'dtls_ja3';
    const from = endpoint(col[2], col[3]);
    const to = endpoint(col[4], col[5]);
    const base = {
      pcap,
      client: isClient ? from : to,
      server: isClient ? to : from,
      direction: isClient ? ('client' as const) : ('server' as const),
      frame: Number(col[0]),
    };
    const hashes = col[7]!.split('|');
    const fulls = col[8]!.split('|');
    for (let i = 0; i < hashes.length; i++) {
      const full = fulls[i]!;
      if (isClient) {
        out.push({ ...base, source: 'tshark', kind: 'ja3', value: hashes[i]! });
        out.push({ ...base, source: 'tshark', kind: 'ja3_full', value: full });
        const d = ja4FromJa3Full(full);
        if (d !== undefined) {
          out.push({ ...base, source: 'derived', kind: 'ja4', value: d.ja4 });
          out.push({ ...base, source: 'derived', kind: 'ja4_r', value: d.ja4_r });
        }
      } else {
        out.push({ ...base, source: 'tshark', kind: 'ja3s', value: hashes[i]! });
        out.push({ ...base, source: 'tshark', kind: 'ja3s_full', value: full });
        const d = ja4sFromJa3sFull(full);
        if (d !== undefined) {
          out.push({ ...base, source: 'derived', kind: 'ja4s', value: d.ja4s });
          out.push({ ...base, source: 'derived', kind: 'ja4s_r', value: d.ja4s_r });
        }
      }
    }
  }
}

/** Fingerprints of every hello in one direction, with the datagram count that completed it. */
interface Computed {
  end: number;
  values: Record<string, unknown>;
}

function computed(result: DtlsResult, direction: 'client' | 'server'): Computed[] {
  if (direction === 'client') {
    return result.clientHellos.map((h, i) => ({
      end: result.clientHelloEnds[i]!,
      values: dtlsClientHelloFields(h, { ja4plus: true }),
    }));
  }
  return result.serverHellos.map((h, i) => ({
    end: result.serverHelloEnds[i]!,
    values: dtlsServerHelloFields(h, { ja4plus: true }),
  }));
}

function flowKey(f: UdpFlow): string {
  return `${endpoint(f.client.src, f.client.srcPort)}>${endpoint(f.client.dst, f.client.dstPort)}`;
}

const tally = new Map<string, { matched: number; expected: number }>();
function count(key: string, ok: boolean): void {
  const t = tally.get(key) ?? { matched: 0, expected: 0 };
  t.expected++;
  if (ok) t.matched++;
  tally.set(key, t);
}

afterAll(() => {
  const lines = [...tally.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, t]) => `  ${k.padEnd(24)} ${t.matched}/${t.expected}`);
  console.log(`DTLS corpus tally (matched/expected):\n${lines.join('\n')}`);
});

describe('DTLS corpus conformance', () => {
  it('finds every DTLS capture of the corpus', () => {
    expect(discoverCaptures()).toEqual(CAPTURES);
  });

  describe.each(CAPTURES)('%s', (pcap) => {
    const flows = readUdpFlows(CORPUS + pcap);
    const expectations = expectationsFor(pcap);
    const dtlsFlows = new Set(expectations.map((e) => `${e.client}>${e.server}`));

    it('has expectations, each for a flow of the capture', () => {
      expect(expectations.length).toBeGreaterThan(0);
      const keys = new Set(flows.map(flowKey));
      for (const k of dtlsFlows) expect(keys.has(k), k).toBe(true);
    });

    it('detects exactly the DTLS flows', () => {
      for (const f of flows) {
        const isDtls = dtlsFlows.has(flowKey(f));
        expect(looksLikeDtls(f.client.payloads[0]!), flowKey(f)).toBe(isDtls);
        const c = parseDtlsDatagrams(f.client.payloads);
        const s = parseDtlsDatagrams(f.server.payloads);
        expect(c.isDtls, flowKey(f)).toBe(isDtls);
        if (!isDtls) expect(s.isDtls || s.clientHellos.length + s.serverHellos.length > 0).toBe(false);
        if (isDtls) {
          expect(c.anomalies).toEqual([]);
          expect(s.anomalies).toEqual([]);
        }
      }
    });

    it.each(
      expectations.map((e) => [
        `${e.source} ${e.kind} ${e.direction}${e.frame ? ` frame ${e.frame}` : ''}`,
        e,
      ]),
    )('%s', (_name, e) => {
      const flow = flows.find((f) => flowKey(f) === `${e.client}>${e.server}`)!;
      const datagrams = e.direction === 'client' ? flow.client.payloads : flow.server.payloads;
      const frames = e.direction === 'client' ? flow.client.frames : flow.server.frames;
      const all = computed(parseDtlsDatagrams(datagrams), e.direction);
      // Which hello: the one completed by the oracle's frame, else any of the direction.
      const at = e.frame === undefined ? undefined : frames.indexOf(e.frame) + 1;
      const candidates = at === undefined ? all : all.filter((c) => c.end === at);
      const ok = candidates.some((c) => c.values[e.kind] === e.value);
      count(e.kind, ok);
      count(`source:${e.source}`, ok);
      expect(
        candidates.map((c) => c.values[e.kind]),
        `${e.kind} at datagram ${at ?? 'any'}`,
      ).toContain(e.value);

      // The same with only the datagrams the native side forwards by default.
      const firstEnd = Math.min(...all.filter((c) => c.values[e.kind] === e.value).map((c) => c.end));
      const prefix = computed(parseDtlsDatagrams(datagrams.slice(0, NATIVE_DEFAULT_DATAGRAMS)), e.direction);
      const inPrefix = prefix.some((c) => c.values[e.kind] === e.value);
      expect(firstEnd).toBeLessThanOrEqual(NATIVE_DEFAULT_DATAGRAMS);
      expect(inPrefix).toBe(true);
    });

    it('computes no value that a source contradicts', () => {
      for (const f of flows) {
        const key = flowKey(f);
        for (const direction of ['client', 'server'] as const) {
          const mine = computed(
            parseDtlsDatagrams(direction === 'client' ? f.client.payloads : f.server.payloads),
            direction,
          );
          for (const kind of direction === 'client' ? CLIENT_KINDS : SERVER_KINDS) {
            const pinned = new Set(
              expectations
                .filter((e) => `${e.client}>${e.server}` === key && e.kind === kind)
                .map((e) => e.value),
            );
            if (pinned.size === 0) continue;
            for (const c of mine) expect(pinned, `${key} ${kind}`).toContain(c.values[kind]);
          }
        }
      }
    });
  });
});
