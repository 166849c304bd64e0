/**
 * QUIC captures of the conformance corpus: every JA4 / JA4S / JA3 / JA3S value pinned for a QUIC flow in
 * test/corpus/EXPECTED-INDEX.json (FoxIO Rust/Python/Wireshark/Zeek outputs, Arkime sessions,
 * suricata-verify checks) and the tshark 4.0.17 oracle, recomputed from the first datagrams of each
 * direction (3, the capture default) with src/fingerprints. Every expected value must match, except the
 * ones listed in KNOWN_UNMATCHED with the reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ja3, ja3s } from '../../../../src/fingerprints/ja3.js';
import { ja4 } from '../../../../src/fingerprints/ja4.js';
import { ja4s } from '../../../../src/fingerprints/ja4plus/ja4s.js';
import {
  looksLikeQuicLongHeader,
  parseQuicClientInitials,
  parseQuicServerInitials,
} from '../../../../src/parsers/quic/initial.js';
import type { ClientHello } from '../../../../src/parsers/tls/client-hello.js';
import type { ServerHello } from '../../../../src/parsers/tls/server-hello.js';
import { CORPUS, type Expected, loadIndex } from '../../../helpers/corpus.js';
import { readUdpFlows } from '../../../helpers/udp-datagrams.js';
import { readTcpStreams } from '../tls/pcap-streams.js';

/** Datagrams per direction the capture hands to the parsers by default (native/limits.h). */
const DATAGRAMS = 3;

/** The captures the task names; the q-prefixed JA4 captures of the index are added to them. */
const NAMED = [
  'arkime/tests/pcap/quicietf.pcap',
  'arkime/tests/pcap/quicietfooo.pcap',
  'foxio-ja4/pcap/quic-tls-handshake.pcapng',
  'foxio-ja4/pcap/quic-with-several-tls-frames.pcapng',
  'suricata-verify/tests/ja4-quic/input.pcap',
  'suricata-verify/tests/ja4-tls-quic/input.pcap',
  'suricata-verify/tests/quic-v2-ja3/input.pcap',
  'suricata-verify/tests/quic-ietf-ja3/input.pcap',
];

/** Expected values that cannot match, by capture, with the reason. */
const KNOWN_UNMATCHED: Record<string, string> = {
  'arkime/tests/pcap/openvpn_synthetic.pcap':
    'TLS inside OpenVPN over UDP, not QUIC: Arkime labels every non-TCP TLS hello "q" ' +
    '(docs/fingerprints.md §1 says not to copy that); there is no QUIC Initial to decrypt',
};

type Kind = 'ja4' | 'ja4_r' | 'ja4s' | 'ja4s_r' | 'ja3' | 'ja3_full' | 'ja3s' | 'ja3s_full';
const KINDS = new Set<string>(['ja4', 'ja4_r', 'ja4s', 'ja4s_r', 'ja3', 'ja3_full', 'ja3s', 'ja3s_full']);

interface Flow {
  src: string;
  srcPort: number;
  quic: boolean;
  values: Partial<Record<Kind, string>>;
  clientAnomalies: string[];
  serverAnomalies: string[];
}

function types(h: { extensions: ReadonlyArray<{ type: number }> }): number[] {
  return h.extensions.map((e) => e.type);
}

function clientValues(ch: ClientHello): Partial<Record<Kind, string>> {
  const j4 = ja4({
    protocol: 'q',
    legacyVersion: ch.legacyVersion,
    supportedVersions: ch.supportedVersions,
    cipherSuites: ch.cipherSuites,
    extensionTypes: types(ch),
    signatureAlgorithms: ch.signatureAlgorithms,
    firstAlpn: ch.alpn[0],
  });
  const j3 = ja3({
    legacyVersion: ch.legacyVersion,
    cipherSuites: ch.cipherSuites,
    extensionTypes: types(ch),
    supportedGroups: ch.supportedGroups,
    ecPointFormats: ch.ecPointFormats,
  });
  return { ja4: j4.ja4, ja4_r: j4.ja4_r, ja3: j3.hash, ja3_full: j3.full };
}

function serverValues(sh: ServerHello): Partial<Record<Kind, string>> {
  const j4s = ja4s({
    protocol: 'q',
    legacyVersion: sh.legacyVersion,
    selectedVersion: sh.selectedVersion,
    cipherSuite: sh.cipherSuite,
    extensionTypes: types(sh),
    alpn: sh.alpn,
  });
  const j3s = ja3s({
    legacyVersion: sh.legacyVersion,
    cipherSuite: sh.cipherSuite,
    extensionTypes: types(sh),
  });
  return { ja4s: j4s.ja4s, ja4s_r: j4s.ja4s_r, ja3s: j3s.hash, ja3s_full: j3s.full };
}

/** Every UDP flow of a capture, with the fingerprints of its QUIC hellos. */
function analyse(capture: string): Flow[] {
  return readUdpFlows(CORPUS + capture).map(({ client, server }) => {
    const flow: Flow = {
      src: client.src,
      srcPort: client.srcPort,
      quic: looksLikeQuicLongHeader(client.payloads[0]!),
      values: {},
      clientAnomalies: [],
      serverAnomalies: [],
    };
    if (!flow.quic) return flow;
    const c = parseQuicClientInitials(client.payloads.slice(0, DATAGRAMS));
    flow.clientAnomalies = c.anomalies;
    if (c.clientHello !== null) Object.assign(flow.values, clientValues(c.clientHello));
    if (c.dcid !== null && c.version !== null) {
      const s = parseQuicServerInitials(
        server.payloads.slice(0, DATAGRAMS),
        c.retryDcid ?? c.dcid,
        c.version,
      );
      flow.serverAnomalies = s.anomalies;
      if (s.serverHello !== null) Object.assign(flow.values, serverValues(s.serverHello));
    }
    return flow;
  });
}

interface Check {
  capture: string;
  kind: string;
  source: string;
  expected: string;
  /** Why it matched or not. */
  matched: boolean;
  detail: string;
}

function contextFlow(ctx: Record<string, unknown> | null): { src: string; port: number } | null {
  if (ctx === null) return null;
  const src = ctx.src ?? ctx['id.orig_h'];
  const port = ctx.src_port ?? ctx.srcport ?? ctx['id.orig_p'];
  return typeof src === 'string' && port !== undefined ? { src, port: Number(port) } : null;
}

/** Checks one index entry against the flows; undefined when it is not about a QUIC flow. */
function checkEntry(capture: string, e: Expected, flows: Flow[]): Check | undefined {
  const kind = e.fingerprint.toLowerCase();
  if (!KINDS.has(kind)) return undefined;
  const k = kind as Kind;
  // JA4 and JA4S name their transport: only 'q' values are QUIC. JA3/JA3S do not: they are in scope
  // when their flow is a QUIC flow, or, without a flow, when the capture holds QUIC and no TCP.
  const isJa4 = k.startsWith('ja4');
  if (isJa4 && !e.value.startsWith('q')) return undefined;
  const base = { capture, kind: k, source: e.source.split(' (')[0]!, expected: e.value };
  const where = contextFlow(e.context);
  if (where !== null) {
    const flow = flows.find((f) => f.src === where.src && f.srcPort === where.port);
    if (!isJa4 && (flow === undefined || !flow.quic)) return undefined;
    if (flow === undefined)
      return { ...base, matched: false, detail: `no UDP flow ${where.src}:${where.port}` };
    const got = flow.values[k];
    return {
      ...base,
      matched: got === e.value,
      detail: `got ${got} (client ${flow.clientAnomalies.join(',')}; server ${flow.serverAnomalies.join(',')})`,
    };
  }
  if (!isJa4 && (!flows.some((f) => f.quic) || readTcpStreams(CORPUS + capture).length > 0)) return undefined;
  const got = flows.map((f) => f.values[k]).filter((v): v is string => v !== undefined);
  const ctx = e.context ?? {};
  if (typeof ctx.count === 'number') {
    // suricata-verify eve check: exactly `count` events carry the value
    const n = got.filter((v) => v === e.value).length;
    return { ...base, matched: n === ctx.count, detail: `${n} flows of ${ctx.count}` };
  }
  if (typeof ctx.sid === 'number') {
    // suricata-verify rule content: a substring of the keyword's buffer
    return { ...base, matched: got.some((v) => v.includes(e.value)), detail: `got ${got.join(' | ')}` };
  }
  // Wireshark plugin values are keyed by frame number: some flow must produce the value.
  return { ...base, matched: got.includes(e.value), detail: `got ${[...new Set(got)].join(' | ')}` };
}

/** tshark 4.0.17 JA3/JA3S rows of the QUIC flows (tshark decrypts Initial packets). */
function oracleChecks(capture: string, flows: Flow[]): Check[] {
  let text: string;
  try {
    text = readFileSync(`${CORPUS}oracle/tshark-4.0.17/${capture}.tsv`, 'utf8');
  } catch {
    return [];
  }
  const out: Check[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [, stream, src, srcPort, dst, dstPort, kind, hash, full] = line.split('\t');
    if (stream?.startsWith('udp:') !== true || (kind !== 'ja3' && kind !== 'ja3s')) continue;
    const client = kind === 'ja3' ? { src, port: Number(srcPort) } : { src: dst, port: Number(dstPort) };
    const flow = flows.find((f) => f.src === client.src && f.srcPort === client.port);
    if (flow === undefined || !flow.quic) continue; // DTLS flows belong to the DTLS tests
    const got =
      kind === 'ja3' ? [flow.values.ja3, flow.values.ja3_full] : [flow.values.ja3s, flow.values.ja3s_full];
    out.push({
      capture,
      kind: `${kind} [tshark oracle]`,
      source: 'tshark 4.0.17',
      expected: `${hash} ${full}`,
      matched: got[0] === hash && got[1] === full,
      detail: `got ${got.join(' ')}`,
    });
  }
  return out;
}

const index = loadIndex();
const qCaptures = Object.keys(index)
  .filter((p) =>
    index[p]!.expected.some((e) => e.fingerprint.toLowerCase() === 'ja4' && e.value.startsWith('q')),
  )
  .sort();
const captures = [...new Set([...NAMED, ...qCaptures])];

describe('QUIC corpus captures', () => {
  it('the index holds q-prefixed JA4 values for 13 captures', () => {
    expect(qCaptures).toHaveLength(13);
  });

  const checks: Check[] = [];
  for (const capture of captures) {
    const flows = analyse(capture);
    for (const e of index[capture]?.expected ?? []) {
      const c = checkEntry(capture, e, flows);
      if (c !== undefined) checks.push(c);
    }
    checks.push(...oracleChecks(capture, flows));
  }

  it('prints the tally per kind', () => {
    const tally = new Map<string, { matched: number; expected: number }>();
    for (const c of checks) {
      const t = tally.get(c.kind) ?? { matched: 0, expected: 0 };
      t.expected++;
      if (c.matched) t.matched++;
      tally.set(c.kind, t);
    }
    const lines = [...tally].sort().map(([k, t]) => `  ${k.padEnd(22)} ${t.matched}/${t.expected}`);
    const unmatched = checks
      .filter((c) => !c.matched)
      .map((c) => `  ${c.capture} ${c.kind} ${c.expected}: ${c.detail}`);
    console.log(
      `QUIC corpus tally (matched/expected):\n${lines.join('\n')}\nunmatched:\n${unmatched.join('\n')}`,
    );
    expect(checks.length).toBeGreaterThan(0);
  });

  it.each(captures)('%s', (capture) => {
    const mine = checks.filter((c) => c.capture === capture);
    expect(mine.length, 'no expected QUIC value in this capture').toBeGreaterThan(0);
    const reason = KNOWN_UNMATCHED[capture];
    if (reason !== undefined) {
      // Keep the exception honest: none of its values may start matching unnoticed.
      expect(
        mine.filter((c) => c.matched).map((c) => c.expected),
        reason,
      ).toEqual([]);
      return;
    }
    expect(
      mine.filter((c) => !c.matched).map((c) => `${c.kind} ${c.expected} (${c.source}): ${c.detail}`),
    ).toEqual([]);
  });
});
