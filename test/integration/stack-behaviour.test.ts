// The sender's stack behaviour across the SYNs of one dedup window, end to end: the engine samples
// the folded SYNs, tcp_syn_repeat carries the classes. The capture is built so the expected values
// follow from the definitions: IP IDs step by 3 (nmap: incremental), ISNs follow a 250 kHz clock
// (RFC 793: time_linked), and TSval is one 1000 Hz clock running 100 ppm fast.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildPacket,
  LinkType,
  type PacketRecord,
  parseIp,
  writeCaptureFile,
} from '../../scripts/pcapgen/index.js';
import { ofType, replay } from '../helpers/replay.js';

const CLIENT = parseIp('198.18.9.1');
const SERVER = parseIp('198.18.0.22');
const T0 = 1_750_000_000_000_000; // µs
const REQUEST = new TextEncoder().encode('SSH-2.0-libssh_0.9.6\r\n');

function connection(i: number, tS: number, opts: { ts: boolean }): PacketRecord[] {
  const us = T0 + Math.round(tS * 1e6);
  const isn = (250_000 * tS + 12345) % 2 ** 32;
  const tsval = Math.floor(5000 + 1000 * tS * (1 + 100e-6));
  const port = 40000 + i;
  const ip = (src: Uint8Array, dst: Uint8Array, id: number) => ({
    version: 4 as const,
    src,
    dst,
    ttl: 64,
    id,
    df: false,
  });
  const options = [
    { kind: 'mss' as const, value: 1460 },
    { kind: 'sackPermitted' as const },
    ...(opts.ts ? [{ kind: 'timestamps' as const, tsval, tsecr: 0 }] : []),
    { kind: 'nop' as const },
    { kind: 'wscale' as const, shift: 7 },
  ];
  const frame = (spec: Parameters<typeof buildPacket>[0]) => buildPacket(spec).slice();
  return [
    {
      ts: us,
      frame: frame({
        link: { type: LinkType.RAW },
        ip: ip(CLIENT, SERVER, 1000 + 3 * i),
        l4: { proto: 'tcp', srcPort: port, dstPort: 22, seq: isn, flags: 0x02, window: 64240, options },
      }),
    },
    {
      ts: us + 200,
      frame: frame({
        link: { type: LinkType.RAW },
        ip: ip(SERVER, CLIENT, 0),
        l4: { proto: 'tcp', srcPort: 22, dstPort: port, seq: 777, ack: isn + 1, flags: 0x12, window: 65160 },
      }),
    },
    {
      ts: us + 400,
      frame: frame({
        link: { type: LinkType.RAW },
        ip: ip(CLIENT, SERVER, 1001 + 3 * i),
        l4: { proto: 'tcp', srcPort: port, dstPort: 22, seq: isn + 1, ack: 778, flags: 0x18, window: 502 },
        payload: REQUEST,
      }),
    },
  ];
}

function capture(n: number, stepS: number, opts = { ts: true }): string {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-stack-'));
  const f = join(dir, 'syns.pcap');
  const records = Array.from({ length: n }, (_, i) => connection(i, i * stepS, opts)).flat();
  writeCaptureFile(f, records, { format: 'pcap', linkType: LinkType.RAW });
  return f;
}

describe('tcp_syn_repeat: stack behaviour over the window', () => {
  it('eight SYNs over 7 minutes: incremental IP ID, time-linked ISN, 1000 Hz clock +100 ppm', async () => {
    const { events } = await replay([capture(8, 60)], { synDedup: 3600 });
    expect(ofType(events, 'tcp_syn_fingerprint')).toHaveLength(1);
    const [rep, ...more] = ofType(events, 'tcp_syn_repeat');
    expect(more).toEqual([]);
    expect(rep).toMatchObject({
      repeats: 7,
      behaviour_samples: 8,
      ip_id_class: 'incremental',
      isn_class: 'time_linked',
      tcp_clock_hz: 1000,
      clock_span_s: 420,
    });
    expect(Number(rep!.clock_skew_ppm)).toBeGreaterThan(97);
    expect(Number(rep!.clock_skew_ppm)).toBeLessThan(103);
  });

  it('more SYNs than slots: the first seven and the latest are kept, so the span covers the window', async () => {
    const { events } = await replay([capture(20, 30)], { synDedup: 3600 });
    const [rep] = ofType(events, 'tcp_syn_repeat');
    expect(rep).toMatchObject({ repeats: 19, behaviour_samples: 8, clock_span_s: 570, tcp_clock_hz: 1000 });
  });

  it('too few SYNs, or no timestamps: classes and clock stay null rather than guessed', async () => {
    const few = (await replay([capture(3, 60)], { synDedup: 3600 })).events;
    expect(ofType(few, 'tcp_syn_repeat')[0]).toMatchObject({
      behaviour_samples: 3,
      ip_id_class: null,
      isn_class: null,
      tcp_clock_hz: null,
    });
    const noTs = (await replay([capture(6, 60, { ts: false })], { synDedup: 3600 })).events;
    expect(ofType(noTs, 'tcp_syn_repeat')[0]).toMatchObject({
      ip_id_class: 'incremental',
      tcp_clock_hz: null,
    });
  });
});
