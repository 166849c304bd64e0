// JA4L / JA4LS against FoxIO's Rust outputs in the corpus. The implementations disagree (see
// docs: Python measures C at the ClientHello, the Wireshark plugin keeps only the sub-second part
// of each difference); Rust follows the diagram for `a_b`, which is what we compare. Our third
// part (c, the application-handshake latency) is not in Rust's output, so only `a_b` is checked.
// Captures whose TCP rides in tunnels we do not decapsulate yet (GTP, GRE, VXLAN, GENEVE) are
// listed as deferred.
import { describe, expect, it } from 'vitest';
import { CORPUS, loadIndex } from '../helpers/corpus.js';
import { ofType, replay } from '../helpers/replay.js';

const TUNNELED = /gtp|gre|geneve|vxlan|erspan/;
const index = loadIndex();
const captures = Object.entries(index).filter(([, v]) =>
  v.expected.some(
    (e) =>
      e.source.startsWith('foxio-ja4 rust') && (e.fingerprint === 'ja4l_c' || e.fingerprint === 'ja4l_s'),
  ),
);

describe('JA4L / JA4LS against FoxIO Rust', () => {
  const tally = { expected: 0, matched: 0, deferred: 0 };
  const failures: string[] = [];

  it.each(captures)('%s', async (path, entry) => {
    const all = entry.expected.filter(
      (e) =>
        e.source.startsWith('foxio-ja4 rust') && (e.fingerprint === 'ja4l_c' || e.fingerprint === 'ja4l_s'),
    );
    // QUIC JA4L (from QUIC packet times) arrives with QUIC parsing (issue 3).
    const wanted = all.filter((e) => e.context?.transport !== 'udp');
    tally.deferred += all.length - wanted.length;
    if (TUNNELED.test(path)) {
      tally.deferred += wanted.length;
      return;
    }
    if (wanted.length === 0) return;
    const { events } = await replay([`${CORPUS}${path}`]);
    const ab = (v: unknown) => (typeof v === 'string' ? v.split('_').slice(0, 2).join('_') : null);
    const flows = ofType(events, 'tcp_flow_timing');
    const client = new Set(flows.map((e) => ab(e.ja4l)));
    const server = new Set(flows.map((e) => ab(e.ja4ls)));
    for (const e of wanted) {
      tally.expected++;
      // Rust takes C as the packet right after the SYN-ACK whatever its sender; when the server
      // sends data before the client's ACK (CVE-2018-6794.pcap: 1 µs later) it prints 0. The
      // diagram's C is the client's ACK, which is what we measure (218 µs there).
      if (path.endsWith('CVE-2018-6794.pcap') && e.value === '0_128') {
        tally.matched += client.has('218_128') ? 1 : 0;
        if (!client.has('218_128')) failures.push(`${path}: the client ACK was not measured`);
        continue;
      }
      const ok = (e.fingerprint === 'ja4l_c' ? client : server).has(e.value);
      if (ok) tally.matched++;
      else
        failures.push(
          `${path} ${e.fingerprint} want ${e.value} have ${[...(e.fingerprint === 'ja4l_c' ? client : server)].join(' ')}`,
        );
    }
  });

  it('matches every value outside tunnels', () => {
    console.log(
      `JA4L tally: ${tally.matched}/${tally.expected} matched, ${tally.deferred} deferred (tunnels, QUIC)`,
    );
    expect(failures).toEqual([]);
    expect(tally.matched).toBeGreaterThan(20);
  });
});
