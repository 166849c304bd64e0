// JA4SSH through the whole pipeline (capture -> the flow engine's windows -> ssh_traffic events)
// against every corpus capture that pins a JA4SSH value. FoxIO's implementations disagree with
// each other (docs/fingerprints.md §6). The Rust snapshots are the oracle: every Rust window must
// match, in order, per flow, except the documented ones in KNOWN (whose value of ours is pinned
// too). Python, the Wireshark plugin and Zeek are tallied; each of their disagreements must have
// its reason in KNOWN, so a new one fails the test until it is understood.
//
// Replayed with a 600 s idle timeout: in ssh-r.pcap the session 192.168.1.169:64980 is silent for
// 320 s; at the default 60 s the sensor ends the flow there and its continuation is a mid-stream
// flow whose first bytes are not "SSH-" (pinned separately below).
import { describe, expect, it } from 'vitest';
import { CORPUS, type Expected, loadIndex } from '../helpers/corpus.js';
import { type Event, ofType, replay } from '../helpers/replay.js';

const index = loadIndex();
const isJa4ssh = (e: Expected) => e.fingerprint.toLowerCase() === 'ja4ssh';
const captures = Object.entries(index).filter(([, v]) => v.expected.some(isJa4ssh));

// The decoder does not open tunnels: the SSH flows inside these are not observable.
const TUNNELLED = /gre-sample|geneve/;

type Source = 'rust' | 'python' | 'plugin' | 'zeek';
const sourceOf = (e: Expected): Source =>
  e.source.startsWith('foxio-ja4 rust')
    ? 'rust'
    : e.source.startsWith('foxio-ja4 python')
      ? 'python'
      : e.source.startsWith('foxio-ja4 wireshark')
        ? 'plugin'
        : 'zeek';

/** Why implementations differ from us (and Rust), by label. */
const REASONS = {
  unfinished:
    'tshark gives no SSH layer to the segments of an SSH message it never finished reassembling ' +
    '(sshv1: the server’s last two segments; ssh2-malformed: one server segment); the engine does ' +
    'not parse SSH framing and counts every segment with new payload',
  afterClose:
    'Rust also counts the duplicate ACKs after the FIN exchange, which reach the engine after the ' +
    'flow closed',
  firstSegment:
    'the first segment of an SSH message sent over two segments (a KEXINIT) is not counted: ' +
    'tshark’s two-pass dissection gives it neither an SSH layer nor ssh.direction (what the plugin ' +
    'counts); Rust’s one-pass run and we count it',
  directionOnly:
    'the plugin counts only packets that tshark’s SSH dissector gives an ssh.direction (sshv1: 21 ' +
    'of the server’s 25 data segments; Rust’s run sees 23 with an SSH layer, we count all 25)',
  atFin: 'the value is the one taken when the FIN is seen, before the flow’s last ACKs',
  sharedLists:
    'FoxIO Python keeps one payload-length list for every window and flow (a shallow copy of its ' +
    'template), so its modes mix in earlier windows and flows (a client mode with no client packet)',
  pyFin:
    'FoxIO Python finalizes the window at the first FIN|ACK: its last window holds only what came ' +
    'after it, and the partial window before it is not printed',
} as const;
type Reason = keyof typeof REASONS;

/** Documented disagreements: `${source} ${capture} ${their value}` -> [our value, reasons]. */
const KNOWN = new Map<string, [string, Reason[]]>([
  ['rust sshv1.pcap c20s12_c18s23_c11s2', ['c20s20_c18s25_c10s1', ['unfinished', 'afterClose']]],
  ['rust v6.pcap c20s12_c18s23_c11s2', ['c20s20_c18s25_c10s1', ['unfinished', 'afterClose']]],
  ['rust ssh2-malformed.pcap c16s23_c7s5_c3s4', ['c16s23_c7s6_c3s4', ['unfinished']]],
  ['rust ssh2-moloch-crash.pcap c16s23_c7s5_c3s4', ['c16s23_c7s6_c3s4', ['unfinished']]],
  ['python ssh-r.pcap c64s64_c6s5_c4s5', ['c48s21_c7s5_c5s5', ['sharedLists', 'firstSegment', 'atFin']]],
  ['python ssh-r.pcap c64s64_c104s96_c19s82', ['c76s76_c104s96_c19s82', ['sharedLists']]],
  ['python ssh-r.pcap c76s76_c66s65_c9s51', ['c76s76_c67s65_c10s52', ['firstSegment', 'atFin']]],
  ['python ssh-r.pcap c64s64_c0s0_c0s1', ['c64s64_c33s48_c42s2', ['pyFin']]],
  ['python ssh-scp-1050.pcap c112s1460_c0s200_c36s0', ['c0s1460_c0s200_c36s0', ['sharedLists']]],
  ['python ssh-scp-1050.pcap c112s1460_c0s200_c23s0', ['c0s1460_c0s200_c23s0', ['sharedLists']]],
  ['python ssh2.pcapng c36s36_c0s0_c2s0', ['c36s52_c42s76_c51s2', ['pyFin']]],
  ['plugin ssh-r.pcap c48s21_c6s5_c4s5', ['c48s21_c7s5_c5s5', ['firstSegment', 'atFin']]],
  ['plugin ssh-r.pcap c76s76_c66s65_c9s51', ['c76s76_c67s65_c10s52', ['firstSegment', 'atFin']]],
  ['plugin ssh-r.pcap c76s76_c66s65_c9s52', ['c76s76_c67s65_c10s52', ['firstSegment', 'atFin']]],
  ['plugin ssh-r.pcap c64s64_c33s48_c41s2', ['c64s64_c33s48_c42s2', ['atFin']]],
  ['plugin sshv1.pcap c20s12_c18s21_c10s1', ['c20s20_c18s25_c10s1', ['directionOnly']]],
  ['plugin v6.pcap c20s12_c18s21_c10s1', ['c20s20_c18s25_c10s1', ['directionOnly']]],
]);

/** Client address and port of an expectation's flow, as our events write them. */
function flowKey(e: Expected): string | null {
  const c = e.context ?? {};
  const ip = c.src ?? c['id.orig_h'];
  const port = c.src_port ?? c.srcport ?? c['id.orig_p'];
  return ip === undefined ? null : `${ip}:${port}`;
}

/** Our ssh_traffic windows per client address:port, in window order. */
function windowsByFlow(events: Event[]): Map<string, string[]> {
  const out = new Map<string, Event[]>();
  for (const ev of ofType(events, 'ssh_traffic')) {
    const k = `${ev.src_ip}:${ev.src_port}`;
    out.set(k, [...(out.get(k) ?? []), ev]);
  }
  return new Map(
    [...out].map(([k, l]) => [
      k,
      l.sort((a, b) => Number(a.window_index) - Number(b.window_index)).map((e) => String(e.ja4ssh)),
    ]),
  );
}

const tally: Record<Source, { agree: number; documented: number; unexplained: number }> = {
  rust: { agree: 0, documented: 0, unexplained: 0 },
  python: { agree: 0, documented: 0, unexplained: 0 },
  plugin: { agree: 0, documented: 0, unexplained: 0 },
  zeek: { agree: 0, documented: 0, unexplained: 0 },
};
const notes: string[] = [];
const failures: string[] = [];

describe('JA4SSH against FoxIO Rust (and the other implementations, tallied)', () => {
  it.each(captures)('%s', async (path, entry) => {
    const wanted = entry.expected.filter(isJa4ssh);
    const file = path.split('/').at(-1)!;
    if (TUNNELLED.test(path)) {
      notes.push(
        `${file}: ${wanted.length} values not observable (SSH inside a tunnel; the decoder does not decapsulate)`,
      );
      return;
    }
    const { events } = await replay([`${CORPUS}${path}`], { idleTimeout: 600 });
    const ours = windowsByFlow(events);
    const all = [...ours.values()].flat();
    const next = new Map<string, number>(); // next window per (source, flow), for ordered lists
    let rustWindows = 0;
    const pluginSeen = new Set<string>();
    for (const e of wanted) {
      const src = sourceOf(e);
      const k = flowKey(e);
      let have: string | undefined;
      let where: string;
      if (src === 'plugin') {
        // Plugin values carry only a frame number (and repeat on later frames of the flow):
        // each distinct value is compared with any window of the capture.
        if (pluginSeen.has(e.value)) continue;
        pluginSeen.add(e.value);
        have = all.includes(e.value) ? e.value : undefined;
        where = `frame ${e.context?.frame}`;
      } else {
        const key = e.context?.key;
        const i =
          typeof key === 'string' && /^JA4SSH\.\d+$/.test(key)
            ? Number(key.split('.')[1]) - 1
            : (next.get(`${src} ${k}`) ?? 0);
        next.set(`${src} ${k}`, i + 1);
        have = k === null ? undefined : ours.get(k)?.[i];
        where = `${k} window ${i}`;
        if (src === 'rust') rustWindows++;
      }
      if (have === e.value) {
        tally[src].agree++;
        continue;
      }
      const known = KNOWN.get(`${src} ${file} ${e.value}`);
      const line = `${src} ${file} ${where}: theirs ${e.value}, ours ${have ?? '(none)'}`;
      if (known && (src === 'plugin' ? all.includes(known[0]) : have === known[0])) {
        tally[src].documented++;
        notes.push(`${line} [${known[1].join(', ')}]`);
      } else {
        tally[src].unexplained++;
        failures.push(line);
      }
    }
    // No window beyond Rust's: we send exactly as many per capture.
    expect(all.length).toBe(rustWindows);
  });

  it('matches every Rust window but the documented ones, and explains every other disagreement', () => {
    console.log(`JA4SSH tally: ${JSON.stringify(tally)}`);
    for (const n of notes) console.log(`  ${n}`);
    for (const [label, text] of Object.entries(REASONS)) console.log(`  [${label}] ${text}`);
    expect(failures).toEqual([]);
    expect(tally.rust).toEqual({ agree: 17, documented: 4, unexplained: 0 });
  });

  it('splits ssh-r.pcap 192.168.1.169:64980 at its 320 s silence under the default idle timeout', async () => {
    const { events } = await replay([`${CORPUS}foxio-ja4/pcap/ssh-r.pcap`]);
    expect(windowsByFlow(events).get('192.168.1.169:64980')).toEqual([
      'c64s64_c107s93_c74s10',
      'c64s64_c23s35_c30s2',
    ]);
  });
});
