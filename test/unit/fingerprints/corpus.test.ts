/**
 * Conformance against the shared corpus: every TCP stream of every capture listed in
 * test/corpus/EXPECTED-INDEX.json goes through parseTlsStream + the field builders, and the values
 * must agree with the pinned values (FoxIO, Arkime, suricata-verify) and the tshark 4.0.17 JA3/JA3S
 * oracle. Expected values come from those files only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clientHelloFields, serverHelloFields, type TlsOptions } from '../../../src/parsers/tls/fields.js';
import { parseTlsStream } from '../../../src/parsers/tls/stream.js';
import { readTcpStreams } from '../parsers/tls/pcap-streams.js';

const CORPUS = fileURLToPath(new URL('../../corpus/', import.meta.url));
const OPTS: TlsOptions = { ja4plus: true, protocol: 't' };

const CLIENT_KINDS = ['ja3', 'ja4', 'ja4_r', 'ja4_o', 'ja4_ro'] as const;
const SERVER_KINDS = ['ja3s', 'ja4s', 'ja4s_r'] as const;
type Kind = (typeof CLIENT_KINDS)[number] | (typeof SERVER_KINDS)[number];
const KINDS: readonly Kind[] = [...CLIENT_KINDS, ...SERVER_KINDS];
/** EXPECTED-INDEX kind names (FoxIO Python uses upper case) → ours. JA3/JA3S come from the oracle. */
const INDEX_KIND: Record<string, Kind> = {
  ja4: 'ja4',
  JA4: 'ja4',
  ja4_r: 'ja4_r',
  JA4_r: 'ja4_r',
  JA4_o: 'ja4_o',
  JA4_ro: 'ja4_ro',
  ja4s: 'ja4s',
  JA4S: 'ja4s',
  ja4s_r: 'ja4s_r',
  JA4S_r: 'ja4s_r',
};

/**
 * Captures whose TLS does not start at stream offset 0 (STARTTLS, HTTP CONNECT, SOCKS, ADB, OpenVPN) or
 * whose framing the test reader does not decode (PPPoE): finding nothing there is expected; whatever is
 * found must still be right.
 */
const NOT_AT_STREAM_START = new Set([
  'arkime/tests/pcap/adb_synthetic.pcap',
  'arkime/tests/pcap/https-connect.pcap',
  'arkime/tests/pcap/ldap-ssl.pcap',
  'arkime/tests/pcap/mysql-tls.pcap',
  'arkime/tests/pcap/openvpn_synthetic.pcap',
  'arkime/tests/pcap/pppoe.pcap',
  'arkime/tests/pcap/smtp-starttls.pcap',
  'arkime/tests/pcap/socks-https-example.pcap',
  'arkime/tests/pcap/socks4-https.pcap',
  'foxio-ja4/pcap/https-connect.pcap',
  'foxio-ja4/pcap/socks-https-example.pcap',
  'foxio-ja4/pcap/socks4-https.pcap',
]);

/**
 * Pinned values we deliberately do not reproduce (docs/fingerprints.md §1 and §13), mapped to the value
 * the written spec gives, or to null when the pin is simply ignored.
 */
const DEVIATIONS: Record<string, Partial<Record<Kind, (v: string) => string | null>>> = {
  // FoxIO tools still use the old non-ASCII ALPN rule ('99'); JA4.md's hex rule gives 'bd' for BA AD.
  'foxio-ja4/pcap/tls-non-ascii-alpn.pcapng': {
    ja4: (v) => v.replace('t13d151699_', 't13d1516bd_'),
    ja4_r: (v) => v.replace('t13d151699_', 't13d1516bd_'),
    ja4_o: (v) => v.replace('t13d151699_', 't13d1516bd_'),
    ja4_ro: (v) => v.replace('t13d151699_', 't13d1516bd_'),
  },
  // Suricata appends '_' when there are no sigalgs; the spec value is hash12 without it.
  'suricata-verify/tests/bug-5713-01/TLSv1-Extracted-MaliciousC2.pcap': {
    ja4: (v) => v.replace('_ce66f3b797c1', '_c39ab67fec8e'),
  },
  // tshark 4.0.17 reads this draft-14 ServerHello (version 0x0304, draft layout without session id and
  // compression) with the RFC 8446 layout and prints cipher 44205; no other source pins a JA3S for it.
  'suricata-verify/tests/tls/tls13-draft14/tls13_draft14.pcap': { ja3s: () => null },
};

interface IndexEntry {
  fingerprint: string;
  value: unknown;
}
const index = JSON.parse(readFileSync(CORPUS + 'EXPECTED-INDEX.json', 'utf8')) as {
  pcaps: Record<string, { expected: IndexEntry[] }>;
};

function emptySets(): Record<Kind, Set<string>> {
  return Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as Record<Kind, Set<string>>;
}

/** Expected values per kind for TCP flows of one capture. */
function expectedFor(pcap: string): Record<Kind, Set<string>> {
  const out = emptySets();
  const deviation = DEVIATIONS[pcap] ?? {};
  const add = (kind: Kind, value: string) => {
    const mapped = deviation[kind] === undefined ? value : deviation[kind](value);
    if (mapped !== null) out[kind].add(mapped);
  };
  for (const e of index.pcaps[pcap]!.expected) {
    const kind = INDEX_KIND[e.fingerprint];
    const value = String(e.value);
    // QUIC ('q') and DTLS ('d') hellos do not come through TCP streams.
    if (kind !== undefined && value.startsWith('t')) add(kind, value);
  }
  const oracle = `${CORPUS}oracle/tshark-4.0.17/${pcap}.tsv`;
  if (existsSync(oracle)) {
    for (const line of readFileSync(oracle, 'utf8').split('\n').slice(1)) {
      const col = line.split('\t');
      const kind = col[6];
      if ((kind === 'ja3' || kind === 'ja3s') && col[1]!.startsWith('tcp:')) {
        for (const h of col[7]!.split('|')) if (h !== '') add(kind, h);
      }
    }
  }
  return out;
}

/** Our values per kind over every TCP direction of one capture. */
function computedFor(pcap: string): Record<Kind, Set<string>> {
  const out = emptySets();
  for (const stream of readTcpStreams(CORPUS + pcap)) {
    const r = parseTlsStream(stream.data);
    for (const { hello } of r.clientHellos) {
      const f = clientHelloFields(hello, OPTS);
      for (const k of CLIENT_KINDS) out[k].add(String(f[k]));
    }
    for (const { hello } of r.serverHellos) {
      const f = serverHelloFields(hello, OPTS);
      for (const k of SERVER_KINDS) out[k].add(String(f[k]));
    }
  }
  return out;
}

const captures = Object.keys(index.pcaps).filter((p) => existsSync(CORPUS + p));
let matched = 0;

describe('corpus conformance (TCP captures)', () => {
  it('finds the corpus', () => {
    expect(captures.length).toBeGreaterThan(80);
  });

  it.each(captures)('%s', (pcap) => {
    const expected = expectedFor(pcap);
    const computed = computedFor(pcap);
    for (const kind of KINDS) {
      const exp = expected[kind];
      const got = computed[kind];
      if (exp.size > 0) {
        const wrong = [...got].filter((v) => !exp.has(v));
        expect(wrong, `${kind}: values not pinned by any source`).toEqual([]);
      }
      if (!NOT_AT_STREAM_START.has(pcap)) {
        const missing = [...exp].filter((v) => !got.has(v));
        expect(missing, `${kind}: pinned values not reproduced`).toEqual([]);
      }
      for (const v of got) if (exp.has(v)) matched++;
    }
  });

  it('matched a substantial number of pinned values', () => {
    expect(matched).toBeGreaterThan(700);
  });
});
