// HASSH, HASSHServer and JA4H through the real pipeline (addon reassembly, worker, events) against
// every value the corpus pins per flow: FoxIO Python/Rust, Arkime, suricata-verify. The parsers'
// own corpus tests (test/unit/parsers/ssh, test/unit/fingerprints/ja4h.test.ts) cover the same
// values from the pure layer, with every source disagreement written down there.
//
// Not observable here, with the reason (counted in the tally):
// - HTTP/2 JA4H (http2-with-cookies, chrome-cloudflare-quic-with-secrets): inside TLS that FoxIO's
//   tools decrypt with keys embedded in the pcapng, and HPACK-coded.
// - Captures whose SSH/HTTP travels in GRE/ERSPAN/GENEVE/VXLAN tunnels: the capture decoder reads
//   Ethernet, VLAN, SLL, raw IP and loopback framing, not tunnels (yet).
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../src/util/ip.js';
import { CORPUS, type Expected, loadIndex } from '../helpers/corpus.js';
import { type Event, replay } from '../helpers/replay.js';

const KINDS: Record<string, { event: string; field: string }> = {
  hassh: { event: 'ssh_kexinit', field: 'hassh' },
  hassh_server: { event: 'ssh_kexinit', field: 'hassh_server' },
  JA4H: { event: 'http_request', field: 'ja4h' },
  ja4h: { event: 'http_request', field: 'ja4h' },
};
const FLOW_SOURCES = /foxio-ja4 python|foxio-ja4 rust|arkime|suricata-verify \(test.yaml/;

function unobservable(path: string, e: Expected): string | null {
  if (/http2|quic-with-secrets/.test(path) && KINDS[e.fingerprint]!.event === 'http_request') {
    return 'HTTP/2 inside decrypted TLS';
  }
  if (/gre|geneve|vxlan|erspan/i.test(path)) return 'tunnelled';
  return null;
}

const norm = (ip: unknown) =>
  typeof ip === 'string' ? formatIp(parseIp(ip) ?? new Uint8Array()) || ip : null;

function onFlow(ev: Event, e: Expected): boolean {
  const c = e.context ?? {};
  const src = norm(c.src);
  const dst = norm(c.dst);
  const sp = Number(c.srcport ?? c.src_port);
  const dp = Number(c.dstport ?? c.dst_port);
  if (!src || !dst || !Number.isFinite(sp) || !Number.isFinite(dp)) return true; // not keyed by flow
  return (
    (ev.src_ip === src && ev.src_port === sp && ev.dst_ip === dst && ev.dst_port === dp) ||
    (ev.src_ip === dst && ev.src_port === dp && ev.dst_ip === src && ev.dst_port === sp)
  );
}

const captures = Object.entries(loadIndex()).filter(([, v]) =>
  v.expected.some((e) => FLOW_SOURCES.test(e.source) && e.fingerprint in KINDS),
);

describe('HASSH and JA4H conformance through the pipeline', () => {
  const tally: Record<string, { expected: number; matched: number; unobservable: number }> = {};
  const failures: string[] = [];

  it.each(captures)('%s', async (path, entry) => {
    const { events } = await replay([`${CORPUS}${path}`]);
    for (const e of entry.expected) {
      const kind = KINDS[e.fingerprint];
      if (!kind || !FLOW_SOURCES.test(e.source)) continue;
      tally[kind.field] ??= { expected: 0, matched: 0, unobservable: 0 };
      const t = tally[kind.field]!;
      if (unobservable(path, e)) {
        t.unobservable++;
        continue;
      }
      t.expected++;
      const pool = events.filter((ev) => ev.event_type === kind.event && onFlow(ev, e));
      if (pool.some((ev) => ev[kind.field] === e.value)) t.matched++;
      else
        failures.push(
          `${path} ${kind.field} (${e.source}) want ${e.value} got ${JSON.stringify(pool.map((p) => p[kind.field]))}`,
        );
    }
  });

  it('matches every expected value', () => {
    const lines = Object.entries(tally).map(
      ([k, v]) => `  ${k.padEnd(12)} ${v.matched}/${v.expected} matched, ${v.unobservable} not observable`,
    );
    console.log(`SSH/HTTP conformance tally:\n${lines.join('\n')}`);
    expect(failures).toEqual([]);
    expect(tally.hassh?.matched).toBeGreaterThan(20);
    expect(tally.hassh_server?.matched).toBeGreaterThan(20);
    expect(tally.ja4h?.matched).toBeGreaterThan(100);
  });
});
