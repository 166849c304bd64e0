import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ASSEMBLER_RANGES, OffsetAssembler } from '../../../../src/parsers/quic/assembler.js';
import { parseInitialFrames } from '../../../../src/parsers/quic/frames.js';
import {
  parseQuicClientInitials,
  parseQuicServerInitials,
  QUIC_ANOMALIES,
  type QuicClientResult,
  type QuicServerResult,
} from '../../../../src/parsers/quic/initial.js';
import { deriveInitialKeys, type PacketKeys } from '../../../../src/parsers/quic/initial-secrets.js';
import {
  MAX_CRYPTO_STREAM_BYTES,
  MAX_DATAGRAMS_PER_DIRECTION,
  MAX_PACKETS_PER_DATAGRAM,
} from '../../../../src/parsers/quic/limits.js';
import { openPacket, parseLongHeader } from '../../../../src/parsers/quic/packet.js';
import { quicVersionParams } from '../../../../src/parsers/quic/versions.js';
import { CORPUS } from '../../../helpers/corpus.js';
import { mutate, mutation } from '../../../helpers/mutation.js';
import { readUdpFlows } from '../../../helpers/udp-datagrams.js';
import { type Bytes, clientFlight, concat, protectInitial, shuffleBy, splitAt } from './builders.js';
import { hex, RFC9001, RFC9369 } from './rfc-vectors.js';

const RUNS = 1000;

/** Hello parse errors parseClientHello / parseServerHello may add besides QUIC_ANOMALIES. */
const KNOWN = new Set([
  ...QUIC_ANOMALIES,
  'truncated_client_hello',
  'bad_cipher_suites_length',
  'truncated_server_hello',
]);

function checkResult(r: QuicClientResult | QuicServerResult): void {
  for (const a of r.anomalies) expect(KNOWN.has(a), a).toBe(true);
  expect(new Set(r.anomalies).size).toBe(r.anomalies.length);
  expect(r.packets + r.skippedPackets).toBeLessThanOrEqual(
    MAX_DATAGRAMS_PER_DIRECTION * MAX_PACKETS_PER_DATAGRAM,
  );
  if ('clientHello' in r && r.clientHello !== null) {
    expect(r.packets).toBeGreaterThan(0);
    expect(r.clientHello.extensions.length).toBeLessThan(MAX_CRYPTO_STREAM_BYTES / 4);
  }
  if ('serverHello' in r && r.serverHello !== null) expect(r.packets).toBeGreaterThan(0);
}

/** A real Initial packet with what it takes to open and re-protect it. */
interface RealInitial {
  name: string;
  datagram: Bytes;
  version: number;
  dcid: Bytes;
  scid: Bytes;
  token: Bytes;
  keys: PacketKeys;
  packetNumber: number;
  payload: Bytes;
}

function realInitial(
  name: string,
  datagram: Bytes,
  keyDcid: Bytes | null,
  side: 'client' | 'server',
): RealInitial {
  const parsed = parseLongHeader(datagram, 0);
  if (!parsed.ok || parsed.header.kind !== 'initial') throw new Error(`${name}: not an Initial`);
  const h = parsed.header;
  const all = deriveInitialKeys(quicVersionParams(h.version)!, keyDcid ?? h.dcid);
  const keys = side === 'client' ? all.client : all.server;
  const opened = openPacket(datagram, h, keys, -1);
  if (!opened.ok) throw new Error(`${name}: ${opened.error}`);
  return {
    name,
    datagram,
    version: h.version,
    dcid: h.dcid.slice(),
    scid: h.scid.slice(),
    token: h.token.slice(),
    keys,
    packetNumber: opened.packet.packetNumber,
    payload: opened.packet.payload,
  };
}

function firstFlow(capture: string) {
  return readUdpFlows(CORPUS + capture).find((f) => f.client.dstPort === 443)!;
}

const chrome = firstFlow('foxio-ja4/pcap/quic-with-several-tls-frames.pcapng');
const ooo = firstFlow('arkime/tests/pcap/quicietfooo.pcap');
const v2 = firstFlow('suricata-verify/tests/quic-v2-ja3/input.pcap');
const cloudflare = firstFlow('foxio-ja4/pcap/chrome-cloudflare-quic-with-secrets.pcapng');
const cloudflareDcid = parseLongHeader(cloudflare.client.payloads[0]!, 0);

const REAL: RealInitial[] = [
  realInitial('RFC 9001 client', hex(RFC9001.clientProtected), null, 'client'),
  realInitial('RFC 9369 client', hex(RFC9369.clientProtected), null, 'client'),
  realInitial('Chrome, several CRYPTO frames', chrome.client.payloads[0]!, null, 'client'),
  realInitial('quicietfooo', ooo.client.payloads[0]!, null, 'client'),
  realInitial('QUIC v2 (suricata)', v2.client.payloads[0]!, null, 'client'),
  realInitial(
    'Cloudflare server',
    cloudflare.server.payloads[0]!.subarray(0, parseEnd(cloudflare.server.payloads[0]!)),
    cloudflareDcid.ok ? cloudflareDcid.header.dcid : null,
    'server',
  ),
];

function parseEnd(d: Bytes): number {
  const h = parseLongHeader(d, 0);
  return h.ok ? h.header.end : d.length;
}

/** The CRYPTO stream (the ClientHello message) of a real client Initial. */
function cryptoStream(r: RealInitial): Bytes {
  const a = new OffsetAssembler(MAX_CRYPTO_STREAM_BYTES);
  parseInitialFrames(r.payload, a, []);
  return a.prefix().slice();
}

/** Concentrates edits on the first bytes (the header) half of the time. */
const edits = fc.array(
  fc.oneof(
    mutation,
    mutation.map((m) => ({ ...m, at: m.at % 64 })),
  ),
  { minLength: 1, maxLength: 6 },
);

describe('QUIC Initial parsing never throws and stays bounded', () => {
  it('random datagrams', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 20 }), (datagrams) => {
        checkResult(parseQuicClientInitials(datagrams));
        checkResult(parseQuicServerInitials(datagrams, datagrams[0] ?? new Uint8Array(8), 1));
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes behind a valid v1/v2 long-header prefix', () => {
    const prefix = fc.constantFrom(
      hex('c00000000108'),
      hex('d06b3343cf08'),
      hex('e00000000100'),
      hex('f06b3343cf00'),
    );
    fc.assert(
      fc.property(
        prefix,
        fc.uint8Array({ maxLength: 1400 }),
        fc.integer({ min: 1, max: 3 }),
        (p, body, n) => {
          const datagrams = new Array<Bytes>(n).fill(concat(p, body));
          checkResult(parseQuicClientInitials(datagrams));
          checkResult(parseQuicServerInitials(datagrams, body.subarray(0, 8), 0x6b3343cf));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(REAL)('mutated protected datagrams: $name', (real) => {
    fc.assert(
      fc.property(edits, (e) => {
        const d = mutate(real.datagram, e);
        checkResult(parseQuicClientInitials([d]));
        checkResult(parseQuicServerInitials([d], real.dcid, real.version));
      }),
      { numRuns: 300 },
    );
  });

  it.each(REAL)('mutated decrypted payloads, re-protected (frames and hello under attack): $name', (real) => {
    const isServer = real.name.includes('server');
    fc.assert(
      fc.property(edits, (e) => {
        const packet = protectInitial({
          version: real.version,
          dcid: real.dcid,
          scid: real.scid,
          token: real.token,
          packetNumber: real.packetNumber,
          payload: mutate(real.payload, e),
          keys: real.keys,
        });
        const r = isServer
          ? parseQuicServerInitials(
              [packet],
              cloudflareDcid.ok ? cloudflareDcid.header.dcid : real.dcid,
              real.version,
            )
          : parseQuicClientInitials([packet]);
        checkResult(r);
        expect(r.anomalies).not.toContain('decryption_failed');
      }),
      { numRuns: 300 },
    );
  });
});

describe('CRYPTO reassembly: splits, shuffles and retransmissions give the same ClientHello', () => {
  const hellos = REAL.filter((r) => !r.name.includes('server')).map((r) => ({
    name: r.name,
    real: r,
    stream: cryptoStream(r),
  }));

  it.each(hellos)('$name', ({ real, stream }) => {
    const whole = parseQuicClientInitials([real.datagram]).clientHello;
    expect(whole).not.toBeNull();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (sizes, order, resend, packets, interleave) => {
          // At most MAX_ASSEMBLER_RANGES pieces, so the range cap cannot bite (see the next property).
          const minSize = Math.ceil(stream.length / MAX_ASSEMBLER_RANGES);
          const pieces = splitAt(
            stream,
            sizes.map((n) => Math.max(n, minSize)),
          );
          const resent = resend.map((i) => pieces[i % pieces.length]!);
          const datagrams = clientFlight({
            version: real.version,
            dcid: real.dcid,
            scid: real.scid,
            keys: real.keys,
            pieces: shuffleBy([...pieces, ...resent], order),
            packets,
            interleave,
          });
          const r = parseQuicClientInitials(datagrams);
          expect(r.anomalies).toEqual([]);
          expect(r.packets).toBe(packets);
          expect(r.clientHello).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(hellos)(
    'too many tiny pieces: the same hello or none, never a different one: $name',
    ({ real, stream }) => {
      const whole = parseQuicClientInitials([real.datagram]).clientHello;
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
          fc.array(fc.nat(), { maxLength: 40 }),
          fc.integer({ min: 1, max: 3 }),
          (sizes, order, packets) => {
            const pieces = shuffleBy(splitAt(stream, sizes), order);
            const r = parseQuicClientInitials(
              clientFlight({
                version: real.version,
                dcid: real.dcid,
                scid: real.scid,
                keys: real.keys,
                pieces,
                packets,
              }),
            );
            checkResult(r);
            if (r.clientHello !== null) expect(r.clientHello).toEqual(whole);
            else expect(r.anomalies).toEqual(['crypto_truncated', 'incomplete_client_hello']);
          },
        ),
        { numRuns: 100 },
      );
    },
  );

  it('a hello cut anywhere is incomplete, never wrong', () => {
    const { real, stream } = hellos[2]!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: stream.length - 1 }), (cut) => {
        const pieces = [{ offset: 0, data: stream.subarray(0, cut) }];
        const r = parseQuicClientInitials(
          clientFlight({
            version: real.version,
            dcid: real.dcid,
            scid: real.scid,
            keys: real.keys,
            pieces,
            packets: 1,
          }),
        );
        expect(r.clientHello).toBeNull();
        expect(r.anomalies).toEqual(['incomplete_client_hello']);
      }),
      { numRuns: 200 },
    );
  });
});
