// The first datagrams of each direction of a UDP flow reach the parsers together, framed, in one
// record per direction (the input QUIC and DTLS fingerprinting need).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPacket, LinkType, parseIp, writeCaptureFile } from '../../scripts/pcapgen/index.js';
import {
  RecordType,
  readRecords,
  StreamFlag,
  type StreamRecord,
  splitDatagrams,
} from '../../src/batch/format.js';
import { loadAddon } from '../../src/capture/addon.js';

const tmp = mkdtempSync(join(tmpdir(), 'deckscope-udp-'));

function udp(fromClient: boolean, payload: Uint8Array) {
  const c = parseIp('198.18.8.1');
  const s = parseIp('198.18.0.53');
  return buildPacket({
    link: { type: LinkType.ETHERNET },
    ip: {
      version: 4,
      src: fromClient ? c : s,
      dst: fromClient ? s : c,
      ttl: 64,
      tos: 0,
      id: 1,
      df: false,
      mf: false,
      reservedFlag: false,
      fragOffset: 0,
      options: undefined,
      forceChecksum: undefined,
    },
    l4: { proto: 'udp', srcPort: fromClient ? 50000 : 443, dstPort: fromClient ? 443 : 50000 } as never,
    payload,
  });
}

async function records(file: string): Promise<StreamRecord[]> {
  const addon = loadAddon();
  const cap = new addon.Capture({ files: [file] });
  const out: StreamRecord[] = [];
  await new Promise<void>((resolve) =>
    cap.start((kind, buf) => {
      if (kind === 'batch') {
        for (const r of readRecords(buf as ArrayBuffer)) if (r.type === RecordType.datagram) out.push(r);
        cap.ack();
      } else if (kind === 'end') resolve();
    }),
  );
  return out;
}

describe('UDP datagram records', () => {
  it('sends the first three client datagrams, framed, and the reply with them as peer', async () => {
    const payloads = [1200, 1250, 700, 99].map((n, i) => new Uint8Array(n).fill(0x10 + i));
    const reply = new Uint8Array(1300).fill(0x77);
    const frames = [
      udp(true, payloads[0]!),
      udp(true, payloads[1]!),
      udp(false, reply),
      udp(true, payloads[2]!),
      udp(true, payloads[3]!),
    ];
    const file = join(tmp, 'udp.pcap');
    writeCaptureFile(
      file,
      frames.map((frame, i) => ({ ts: 1_700_000_000_000_000 + i * 1000, frame })),
      { linkType: LinkType.ETHERNET },
    );
    const recs = await records(file);
    const client = recs.filter((r) => !(r.flags & StreamFlag.serverToClient));
    const server = recs.filter((r) => r.flags & StreamFlag.serverToClient);
    // At the reply (a turn) the two client datagrams so far; at the third, the limit: all three.
    expect(client.map((r) => splitDatagrams(r.data).map((d) => d.length))).toEqual([
      [1200, 1250],
      [1200, 1250, 700],
    ]);
    expect(client[1]!.prevLen).toBe(client[0]!.data.length);
    expect([...splitDatagrams(client[1]!.data)[2]!]).toEqual([...payloads[2]!]);
    expect(server).toHaveLength(1);
    expect(splitDatagrams(server[0]!.data).map((d) => d.length)).toEqual([1300]);
    // Sent at the client's next datagram (the turn), after the client's final record: the peer
    // bytes are all three client datagrams.
    expect(splitDatagrams(server[0]!.peer).map((d) => d.length)).toEqual([1200, 1250, 700]);
    expect(server[0]!.flow).toMatchObject({ transport: 17, clientPort: 50000, serverPort: 443 });
  });
});
