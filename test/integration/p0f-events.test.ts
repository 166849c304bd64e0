// p0f fields of SYN events from two senders with the same stack but different DSCP: p0f prints
// `tos:0xNN` in params= for the marked one only (p0f 3.09b, as in its log for corpus captures:
// "params=tos:0x30"), so a memo keyed on the raw signature alone would be wrong for one of them.
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

const SERVER = parseIp('198.18.0.80');
const T0 = 1_750_000_000_000_000;

function connection(client: string, tos: number, tUs: number): PacketRecord[] {
  const c = parseIp(client);
  const ip = (src: Uint8Array, dst: Uint8Array) => ({
    version: 4 as const,
    src,
    dst,
    ttl: 64,
    id: 1,
    df: true,
    tos,
  });
  const frame = (spec: Parameters<typeof buildPacket>[0]) => buildPacket(spec).slice();
  const options = [{ kind: 'mss' as const, value: 1460 }, { kind: 'sackPermitted' as const }];
  return [
    {
      ts: tUs,
      frame: frame({
        link: { type: LinkType.RAW },
        ip: ip(c, SERVER),
        l4: { proto: 'tcp', srcPort: 40000, dstPort: 80, seq: 1000, flags: 0x02, window: 29200, options },
      }),
    },
    {
      ts: tUs + 100,
      frame: frame({
        link: { type: LinkType.RAW },
        ip: ip(SERVER, c),
        l4: {
          proto: 'tcp',
          srcPort: 80,
          dstPort: 40000,
          seq: 5000,
          ack: 1001,
          flags: 0x12,
          window: 65160,
          options,
        },
      }),
    },
    {
      ts: tUs + 200,
      frame: frame({
        link: { type: LinkType.RAW },
        ip: ip(c, SERVER),
        l4: { proto: 'tcp', srcPort: 40000, dstPort: 80, seq: 1001, ack: 5001, flags: 0x18, window: 229 },
        payload: new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'),
      }),
    },
  ];
}

describe('p0f fields in SYN events', () => {
  it('the same signature with and without DSCP: params= says tos only for the marked sender', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'deckscope-p0f-')), 'tos.pcap');
    writeCaptureFile(f, [...connection('198.18.5.1', 0, T0), ...connection('198.18.5.2', 0xc0, T0 + 1000)], {
      format: 'pcap',
      linkType: LinkType.RAW,
    });
    const syns = ofType((await replay([f])).events, 'tcp_syn_fingerprint');
    expect(syns).toHaveLength(2);
    const [plain, marked] = syns.sort((a, b) => String(a.src_ip).localeCompare(String(b.src_ip)));
    expect(plain!.p0f_sig).toBe(marked!.p0f_sig);
    expect(String(plain!.p0f_params)).not.toContain('tos:');
    expect(String(marked!.p0f_params)).toContain('tos:0x30'); // DSCP = TOS 0xc0 >> 2
  });
});
