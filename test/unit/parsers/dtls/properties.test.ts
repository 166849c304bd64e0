import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DtlsResult, parseDtlsDatagrams } from '../../../../src/parsers/dtls/datagrams.js';
import { dtlsClientHelloFields, dtlsServerHelloFields } from '../../../../src/parsers/dtls/fields.js';
import { MAX_DTLS_DATAGRAMS, MAX_DTLS_HELLOS } from '../../../../src/parsers/dtls/limits.js';
import { looksLikeDtls } from '../../../../src/parsers/dtls/record.js';
import { CORPUS } from '../../../helpers/corpus.js';
import { mutate, mutation } from '../../../helpers/mutation.js';
import { readUdpFlows } from '../../../helpers/udp-datagrams.js';
import { concat } from '../tls/builders.js';
import { HELLO_ANOMALIES } from '../tls/hello-anomalies.js';
import { type Bytes, dtlsRecord, handshakeFragment } from './builders.js';

const RUNS = 2000;

/** Every code parseDtlsDatagrams may report (its doc comment lists them). */
const KNOWN_ANOMALIES = new Set([
  'non_dtls_datagram',
  'not_dtls',
  'unknown_content_type',
  'bad_record_version',
  'record_too_long',
  'truncated_record',
  'empty_handshake_record',
  'truncated_handshake_fragment',
  'bad_fragment_bounds',
  'inconsistent_fragment',
  'message_seq_too_high',
  'handshake_too_long',
  'too_many_pending_messages',
  'too_many_fragments',
  'incomplete_hello',
  'bad_hello_verify_request',
  'too_many_hellos',
  'too_many_datagrams',
  ...HELLO_ANOMALIES,
]);

const JA4_RE = /^d[0-9a-z]{2}[di]\d{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;
const JA4S_RE = /^d[0-9a-z]{2}\d{2}[0-9A-Za-z]{2}_[0-9a-f]{4}_[0-9a-f]{12}$/;
const MD5_RE = /^[0-9a-f]{32}$/;

/** Invariants of every result: bounded, consistent, and the field builders succeed on every hello. */
function checkResult(datagrams: readonly Bytes[], r: DtlsResult): void {
  const n = Math.min(datagrams.length, MAX_DTLS_DATAGRAMS);
  const bytes = datagrams.slice(0, n).reduce((s, d) => s + d.length, 0);
  expect(r.clientHellos.length + r.serverHellos.length).toBeLessThanOrEqual(MAX_DTLS_HELLOS);
  expect(r.clientHelloEnds).toHaveLength(r.clientHellos.length);
  expect(r.serverHelloEnds).toHaveLength(r.serverHellos.length);
  for (const ends of [r.clientHelloEnds, r.serverHelloEnds]) {
    for (let i = 0; i < ends.length; i++) {
      expect(ends[i]).toBeGreaterThanOrEqual(i === 0 ? 1 : ends[i - 1]!);
      expect(ends[i]).toBeLessThanOrEqual(n);
    }
  }
  for (const a of r.anomalies) expect(KNOWN_ANOMALIES.has(a), a).toBe(true);
  expect(new Set(r.anomalies).size).toBe(r.anomalies.length);
  expect(r.encryptedRecords).toBeLessThanOrEqual(bytes);
  expect(r.retransmittedFragments).toBeLessThanOrEqual(bytes);
  if (!r.isDtls) expect(r.clientHellos.length + r.serverHellos.length).toBe(0);
  if (r.helloVerifyRequest) expect(r.isDtls).toBe(true);
  for (const ch of r.clientHellos) {
    const f = dtlsClientHelloFields(ch, { ja4plus: true });
    expect(f.ja4).toMatch(JA4_RE);
    expect(f.ja3).toMatch(MD5_RE);
    expect(String(f.ja3_full).split(',')).toHaveLength(5);
  }
  for (const sh of r.serverHellos) {
    const f = dtlsServerHelloFields(sh, { ja4plus: true });
    expect(f.ja4s).toMatch(JA4S_RE);
    expect(f.ja3s).toMatch(MD5_RE);
  }
}

/** Real traffic: both directions of every DTLS flow of two corpus captures. */
const REAL: Bytes[][] = ['arkime/tests/pcap/wireshark-dtls12.pcap', 'arkime/tests/pcap/cloudshark-dtls1.pcap']
  .flatMap((p) => readUdpFlows(CORPUS + p))
  .filter((f) => looksLikeDtls(f.client.payloads[0]!))
  .flatMap((f) => [f.client.payloads, f.server.payloads]);

/**
 * The second ClientHello of wireshark-dtls12.pcap (after HelloVerifyRequest: message_seq 1, 8-byte cookie),
 * as its handshake body: client datagram 2 is one record holding one unfragmented message.
 */
const REAL_CH_DATAGRAM = readUdpFlows(CORPUS + 'arkime/tests/pcap/wireshark-dtls12.pcap')[0]!.client
  .payloads[1]!;
const REAL_CH_BODY = REAL_CH_DATAGRAM.subarray(13 + 12);

describe('parseDtlsDatagrams properties', () => {
  it('never throws on random datagrams', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 8 }), (datagrams) => {
        checkResult(datagrams, parseDtlsDatagrams(datagrams));
        looksLikeDtls(datagrams[0] ?? new Uint8Array(0));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on random bytes behind DTLS record and handshake headers', () => {
    const datagram = fc
      .record({
        type: fc.integer({ min: 20, max: 26 }),
        epoch: fc.constantFrom(0, 0, 0, 1),
        version: fc.constantFrom(0xfeff, 0xfefd, 0xfefc, 0x0100),
        msgType: fc.integer({ min: 0, max: 4 }),
        seq: fc.integer({ min: 0, max: 20 }),
        body: fc.uint8Array({ maxLength: 600 }),
        offset: fc.nat({ max: 700 }),
        tail: fc.uint8Array({ maxLength: 40 }),
      })
      // A fragment at `offset` of a message whose declared length is offset + body.length.
      .map(({ type, epoch, version, msgType, seq, body, offset, tail }) =>
        concat(
          dtlsRecord(type, handshakeFragment(msgType, seq, concat(new Uint8Array(offset), body), offset), {
            version,
            epoch,
          }),
          tail,
        ),
      );
    fc.assert(
      fc.property(fc.array(datagram, { maxLength: 8 }), (datagrams) => {
        checkResult(datagrams, parseDtlsDatagrams(datagrams));
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated, dropped, repeated and reordered real datagrams', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.record({ pick: fc.nat(), edits: fc.array(mutation, { maxLength: 4 }) }), {
          maxLength: 10,
        }),
        (which, plan) => {
          const real = REAL[which % REAL.length]!;
          const datagrams = plan.map(({ pick, edits }) => mutate(real[pick % real.length]!, edits));
          checkResult(datagrams, parseDtlsDatagrams(datagrams));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('accepts many datagrams without growing its output', () => {
    const many = Array.from({ length: 3 * MAX_DTLS_DATAGRAMS }, () => REAL_CH_DATAGRAM);
    const r = parseDtlsDatagrams(many);
    checkResult(many, r);
    expect(r.clientHellos).toHaveLength(1);
    expect(r.retransmittedFragments).toBe(MAX_DTLS_DATAGRAMS - 1);
    expect(r.anomalies).toEqual(['too_many_datagrams']);
  });
});

describe('fragmentation of a real ClientHello', () => {
  const whole = parseDtlsDatagrams([REAL_CH_DATAGRAM]);
  const wholeFields = dtlsClientHelloFields(whole.clientHellos[0]!, { ja4plus: true });
  const L = REAL_CH_BODY.length;

  it('the unfragmented hello parses cleanly', () => {
    expect(whole.anomalies).toEqual([]);
    expect(whole.clientHellos).toHaveLength(1);
    expect(wholeFields.ja4).toBe('dd2i030300_f7e428980f70_6c817ce3d217'); // Arkime, wireshark-dtls12
  });

  it('any split, overlap, order, duplication and packing yields the same ClientHello', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: L - 1 }), { maxLength: 30 }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 31 }), // overlap: extra bytes before each piece
        fc.array(fc.nat(), { maxLength: 31 }), // sort keys: delivery order
        fc.array(fc.boolean(), { maxLength: 31 }), // send this piece twice (at the end)
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 40 }), // fragments per record
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 40 }), // records per datagram
        (cuts, overlaps, keys, dups, perRecord, perDatagram) => {
          const bounds = [0, ...cuts.sort((a, b) => a - b), L];
          let pieces = bounds.slice(1).map((end, i) => {
            const start = Math.max(0, bounds[i]! - (overlaps[i] ?? 0));
            return { start, end, key: keys[i] ?? i };
          });
          pieces.sort((a, b) => a.key - b.key);
          pieces = [...pieces, ...pieces.filter((_, i) => dups[i] === true)];

          // Expected: the hello completes with the first piece after which every byte has arrived.
          const covered = new Uint8Array(L);
          let left = L;
          let completing = -1;
          pieces.forEach((p, i) => {
            for (let b = p.start; b < p.end; b++) {
              if (covered[b] === 0) left--;
              covered[b] = 1;
            }
            if (left === 0 && completing < 0) completing = i;
          });

          const fragments = pieces.map((p) =>
            handshakeFragment(1, 1, REAL_CH_BODY, p.start, p.end - p.start),
          );
          const records: Bytes[] = [];
          const recordOfFragment: number[] = [];
          for (let i = 0, r = 0; i < fragments.length; r++) {
            const k = perRecord[r] ?? 1;
            for (let j = 0; j < k && i + j < fragments.length; j++) recordOfFragment.push(records.length);
            records.push(dtlsRecord(22, concat(...fragments.slice(i, i + k))));
            i += k;
          }
          const datagrams: Bytes[] = [];
          const datagramOfRecord: number[] = [];
          for (let i = 0, d = 0; i < records.length; d++) {
            const k = perDatagram[d] ?? 1;
            for (let j = 0; j < k && i + j < records.length; j++) datagramOfRecord.push(datagrams.length);
            datagrams.push(concat(...records.slice(i, i + k)));
            i += k;
          }

          const r = parseDtlsDatagrams(datagrams);
          expect(r.anomalies).toEqual([]);
          expect(r.clientHellos).toHaveLength(1);
          expect(dtlsClientHelloFields(r.clientHellos[0]!, { ja4plus: true })).toEqual(wholeFields);
          expect(r.clientHellos[0]!.cookie).toEqual(whole.clientHellos[0]!.cookie);
          expect(r.clientHelloEnds).toEqual([datagramOfRecord[recordOfFragment[completing]!]! + 1]);
          expect(r.retransmittedFragments).toBe(pieces.length - completing - 1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
