// Properties: any packet fields give a well-formed signature and a verdict; any p0f.fp text (random
// or a mutated stock file) parses without throwing, with bounded diagnostics; and a printed
// signature, pasted into a database as p0f's README suggests, matches its own packet exactly.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_P0F_DB,
  loadP0fDatabase,
  matchP0f,
  P0F_DB_MAX_DIAGNOSTICS,
  type P0fInput,
  p0fFingerprint,
  p0fPacket,
  parseP0fDatabase,
  rawSignature,
} from '../../../../src/fingerprints/p0f/index.js';

const RUNS = 1000;

// Option bytes: a mix of plausible options and raw noise, at most 40 bytes (TCP's limit).
const option = fc.oneof(
  fc.constant([1]),
  fc.constant([0, 0, 0]),
  fc.integer({ min: 0, max: 0xffff }).map((v) => [2, 4, v >> 8, v & 0xff]),
  fc.integer({ min: 0, max: 255 }).map((v) => [3, 3, v]),
  fc.constant([4, 2]),
  fc
    .tuple(fc.nat(), fc.nat())
    .map(([a, b]) => [8, 10, a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255, b & 255, 0, 0, b & 1]),
  fc.uint8Array({ maxLength: 6 }).map((b) => [...b]),
);
const options = fc.array(option, { maxLength: 12 }).map((os) => Uint8Array.from(os.flat().slice(0, 40)));

const input: fc.Arbitrary<P0fInput> = fc.record({
  ipVersion: fc.constantFrom(4 as const, 6 as const),
  ttl: fc.integer({ min: 0, max: 255 }),
  tos: fc.integer({ min: 0, max: 255 }),
  ipFlags: fc.integer({ min: 0, max: 7 }),
  ipId: fc.integer({ min: 0, max: 0xffff }),
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  ipOptsLen: fc.integer({ min: 0, max: 40 }),
  seq: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  ack: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  tcpFlags: fc.integer({ min: 0, max: 0x1ff }).map((f) => f | 0x02),
  urgPtr: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
  window: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 1, max: 44 }).map((n) => n * 1460),
  ),
  options,
  payloadLen: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1500 })),
  synMss: fc.integer({ min: 0, max: 0xffff }),
});

const SIG_SHAPE =
  /^[46]:\d{1,3}\+(\d{1,2}|\?):\d{1,3}:(\d{1,5}|\*):(\d{1,5}|m(ss|tu)\*\d{1,5}),\d{1,3}:((eol\+\d+|nop|mss|ws|sok|sack|ts|\?\d{1,3})(,|(?=:)))*:([a-z0-9+-]+(,|(?=:)))*:[0+]$/;

describe('p0f properties', () => {
  it('any packet gives a well-formed, bounded signature and a verdict, without throwing', () => {
    const db = loadP0fDatabase();
    fc.assert(
      fc.property(input, (i) => {
        const r = p0fFingerprint(i, db);
        expect(r.sig).toMatch(SIG_SHAPE);
        expect(r.sig.length).toBeLessThan(300);
        expect(r.guess.distance).toBeGreaterThanOrEqual(0);
        expect(r.guess.distance).toBeLessThanOrEqual(255);
        expect(r.params).toMatch(/^(none|[a-z0-9_: ]+)$/);
      }),
      { numRuns: RUNS },
    );
  });

  it('a printed signature, used as a p0f.fp line, matches its own packet exactly', () => {
    fc.assert(
      fc.property(input, (i) => {
        const p = p0fPacket(i);
        const sig = rawSignature(p);
        // Not pasteable by p0f's own rules: an unguessable TTL (+?), a 4-digit multiplier (p0f takes ≤ 1000).
        fc.pre(!sig.includes('+?') && !/m(ss|tu)\*\d{4}/.test(sig));
        const [ver, ittl, ...rest] = sig.split(':');
        const [ttl, dist] = ittl!.split('+').map(Number) as [number, number];
        const line = [ver, String(ttl + dist), ...rest].join(':');
        const section = p.synAck ? 'tcp:response' : 'tcp:request';
        const db = parseP0fDatabase(
          `classes = unix\n[${section}]\nlabel = s:unix:Self:test\nsig = ${line}\n`,
        );
        expect(db.diagnostics).toEqual([]);
        expect(matchP0f(db, p)).toMatchObject({ label: 'Self test', fuzzy: false, distance: dist, line: 4 });
      }),
      { numRuns: RUNS },
    );
  });

  it('random text parses without throwing, with bounded diagnostics', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('[tcp:request]', '[tcp:response]', '[mtu]', '[http:request]', 'classes = unix,win'),
      fc.string({ maxLength: 40 }).map((s) => `label = ${s}`),
      fc.string({ maxLength: 60 }).map((s) => `sig = ${s}`),
      fc.string({ maxLength: 20 }).map((s) => `sys = ${s}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const db = parseP0fDatabase(lines.join('\n'));
        expect(db.diagnostics.length).toBeLessThanOrEqual(P0F_DB_MAX_DIAGNOSTICS);
        expect(db.errorCount).toBeLessThanOrEqual(lines.length);
        expect(db.signatures).toBeLessThanOrEqual(lines.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('a mutated stock p0f.fp parses without throwing and still matches packets', () => {
    const stock = readFileSync(DEFAULT_P0F_DB, 'latin1');
    const edit = fc.record({
      at: fc.nat({ max: stock.length - 1 }),
      cut: fc.nat({ max: 20 }),
      put: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(':', ',', '*', '+', '-', '\n', 'sig = ', 'label = '),
      ),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 30 }), input, (edits, i) => {
        let text = stock;
        for (const e of edits) text = text.slice(0, e.at) + e.put + text.slice(e.at + e.cut);
        const db = parseP0fDatabase(text);
        expect(db.diagnostics.length).toBeLessThanOrEqual(P0F_DB_MAX_DIAGNOSTICS);
        expect(db.signatures).toBeLessThanOrEqual(192 + edits.length);
        const g = matchP0f(db, p0fPacket(i));
        expect(g.distance).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});
