// Conformance of JA3, JA3S and JA4 (with ja4_r / ja4_o / ja4_ro) against every TLS-over-TCP value
// in the corpus (FoxIO's Python and Rust outputs, Arkime, suricata-verify), per flow.
//
// Source disagreements and how they are resolved (each is asserted below, not skipped):
// - tls-non-ascii-alpn.pcapng: FoxIO's tools print `t13d151699_…` (their older rule: '99' for a
//   non-alphanumeric ALPN). JA4.md now says: take the first and last hex digit of the value
//   (BA AD -> 'bd'), which Arkime implements. We follow the spec: `t13d1516bd_…`.
// - suricata-verify bug-5713-02-ja4: Suricata appends '_' when there are no signature
//   algorithms (hash of `…,ff01_`). The spec and FoxIO's ja4.py give `…_c39ab67fec8e` for the
//   same hello; we follow the spec.
// Values outside this issue's scope are listed with the issue that brings them (QUIC and DTLS:
// issue 3), and counted in the printed tally.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../src/util/ip.js';
import { CORPUS, type Expected, loadIndex } from '../helpers/corpus.js';
import { type Event, replay } from '../helpers/replay.js';

const CLIENT_KINDS: Record<string, string> = {
  ja3: 'ja3',
  ja3_full: 'ja3_full',
  ja4: 'ja4',
  ja4_r: 'ja4_r',
  JA4: 'ja4',
  JA4_r: 'ja4_r',
  JA4_o: 'ja4_o',
  JA4_ro: 'ja4_ro',
};
const SERVER_KINDS: Record<string, string> = {
  ja3s: 'ja3s',
  ja3s_full: 'ja3s_full',
  ja4s: 'ja4s',
  JA4S: 'ja4s',
  ja4s_r: 'ja4s_r',
  JA4S_r: 'ja4s_r',
};
const SOURCES = /foxio-ja4 python|foxio-ja4 rust|foxio-ja4 wireshark|arkime|suricata-verify/;

/** Pinned values we deliberately do not reproduce, with the value the spec gives instead. */
function resolve(path: string, e: Expected): string {
  // JA4.md hex rule for a non-alphanumeric ALPN (BA AD -> 'bd'); FoxIO's test data predate it.
  if (path.endsWith('tls-non-ascii-alpn.pcapng')) return e.value.replace(/^t13d151699_/, 't13d1516bd_');
  // Suricata appends '_' to `c` when there are no signature algorithms; the spec does not.
  if (e.value === 't10i070600_c50f5591e341_ce66f3b797c1') return 't10i070600_c50f5591e341_c39ab67fec8e';
  return e.value;
}

/** JA3/JA3S values tshark saw on UDP streams of a capture (its oracle names the stream). */
function udpValues(path: string): Set<string> {
  const f = `${CORPUS}oracle/tshark-4.0.17/${path}.tsv`;
  if (!existsSync(f)) return new Set();
  const rows = readFileSync(f, 'utf8').split('\n').slice(1);
  return new Set(
    rows
      .map((r) => r.split('\t'))
      .filter((c) => c[1]?.startsWith('udp:'))
      .map((c) => c[7] ?? ''),
  );
}

function deferred(path: string, e: Expected): string | null {
  const ctx = e.context ?? {};
  if (
    ctx.transport === 'udp' ||
    /quic|dtls/i.test(path) ||
    /^[qd]/.test(e.value) ||
    udpValues(path).has(e.value)
  ) {
    return 'QUIC/DTLS: issue 3';
  }
  if (/openvpn/.test(path)) return 'TLS inside an OpenVPN control channel: not TLS over TCP';
  return null;
}

function norm(ip: unknown): string | null {
  if (typeof ip !== 'string') return null;
  const b = parseIp(ip);
  return b ? formatIp(b) : ip;
}

function flowOf(e: Expected): [string, number, string, number] | null {
  const c = e.context ?? {};
  const src = norm(c.src);
  const dst = norm(c.dst);
  const sp = Number(c.srcport ?? c.src_port);
  const dp = Number(c.dstport ?? c.dst_port);
  if (!src || !dst || !Number.isFinite(sp) || !Number.isFinite(dp)) return null;
  return [src, sp, dst, dp];
}

function onFlow(ev: Event, f: [string, number, string, number] | null): boolean {
  if (!f) return true;
  const [a, ap, b, bp] = f;
  return (
    (ev.src_ip === a && ev.src_port === ap && ev.dst_ip === b && ev.dst_port === bp) ||
    (ev.src_ip === b && ev.src_port === bp && ev.dst_ip === a && ev.dst_port === ap)
  );
}

const index = loadIndex();
const captures = Object.entries(index).filter(([, v]) =>
  v.expected.some(
    (e) => SOURCES.test(e.source) && (e.fingerprint in CLIENT_KINDS || e.fingerprint in SERVER_KINDS),
  ),
);

describe('TLS fingerprint conformance with the corpus', () => {
  const tally: Record<string, { expected: number; matched: number; deferred: number }> = {};
  const failures: string[] = [];

  it.each(captures)('%s', async (path, entry) => {
    const { events } = await replay([`${CORPUS}${path}`]);
    const clients = events.filter((e) => e.event_type === 'tls_client_hello');
    const sessions = events.filter((e) => e.event_type === 'tls_session');
    for (const e of entry.expected) {
      if (!SOURCES.test(e.source)) continue;
      const field = CLIENT_KINDS[e.fingerprint] ?? SERVER_KINDS[e.fingerprint];
      if (!field) continue;
      tally[field] ??= { expected: 0, matched: 0, deferred: 0 };
      const t = tally[field];
      if (deferred(path, e)) {
        t.deferred++;
        continue;
      }
      t.expected++;
      const want = resolve(path, e);
      const pool = e.fingerprint in SERVER_KINDS ? sessions : clients;
      const flow = flowOf(e);
      // suricata-verify rules match `content:` anywhere in the string, so those are substrings.
      const substring = e.source.includes('test.rules');
      const hit = pool.some(
        (ev) => onFlow(ev, flow) && (substring ? String(ev[field]).includes(want) : ev[field] === want),
      );
      if (hit) t.matched++;
      else {
        const got = pool.filter((ev) => onFlow(ev, flow)).map((ev) => ev[field]);
        failures.push(`${path} ${field} (${e.source}) want ${want} got ${JSON.stringify(got)}`);
      }
    }
  });

  it('matches every expected value', () => {
    const lines = Object.entries(tally).map(
      ([k, v]) =>
        `  ${k.padEnd(9)} ${v.matched}/${v.expected} matched${v.deferred ? `, ${v.deferred} deferred (QUIC/DTLS/OpenVPN)` : ''}`,
    );
    console.log(`TLS conformance tally:\n${lines.join('\n')}`);
    expect(failures).toEqual([]);
    expect(tally.ja4?.matched).toBeGreaterThan(100);
    expect(tally.ja3?.matched).toBeGreaterThan(20);
    expect(tally.ja3s?.matched).toBeGreaterThan(20);
  });
});
