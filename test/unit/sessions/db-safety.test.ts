// Property: whatever the text, parseRecordings + profileSession give values PostgreSQL accepts
// (text / jsonb without U+0000 or lone surrogates, timestamptz in range, inet without zone ids).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/enrich/addresses.js';
import { profileSession } from '../../../src/sessions/profile.js';
import { MAX_TIMESTAMP_S, parseRecordings } from '../../../src/sessions/recording.js';

/** U+0000 or an unpaired surrogate code unit. */
const BAD_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** The same, escaped in JSON text (jsonb rejects \u0000 and lone-surrogate escapes). */
const BAD_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

const json = (p: unknown): string => JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) strings(x, out.concat(k));
  return out;
}

const hostileUnit = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00', '\x1b', '\r', '%'),
  fc.constantFrom('a', '1', '.', ':', ' ', '[', ']', '~', '2', '0'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostileString = fc.oneof(
  fc.string({ unit: hostileUnit, maxLength: 24 }),
  fc.constantFrom('fe80::1%eth0', '::ffff:1.2.3.4', '[fe80::1%eth0]:22', '203.0.113.7:22', '1.2.3.4 5 22'),
  fc.constantFrom('\x1b[200~', '\x1b[201~', '\x1b[?2004h', '\x1b[?2004l', 'ab\rcd', '\ud800\r'),
);
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, 1e9, 1.7e9, 1.7e12, 1e13, 1e300, -1e300, 253_402_300_799, 253_402_300_800, 315_360_001),
);
const hostileValue = fc.oneof(hostileString, hostileNumber);
const metaKeys = fc.constantFrom(
  'sid',
  'session_id',
  'timestamp',
  'ts',
  'attacker_ip',
  'peer',
  'src_ip',
  'honeypot',
  'decky',
  'hostname',
  'service',
);
const meta = fc.dictionary(metaKeys, hostileValue, { maxKeys: 6 });
const sids = fc.oneof(fc.constantFrom('s', 't', 1, 's\u0000', '\ud800'), hostileString);

const header = fc.oneof(
  meta.map((m) => JSON.stringify({ version: 2, width: 80, height: 24, ...m })),
  meta.map((m) => JSON.stringify({ version: 3, term: { cols: 80, rows: 24 }, ...m })),
  fc.tuple(sids, meta).map(([sid, m]) => JSON.stringify({ sid, hdr: m })),
  fc
    .tuple(meta, meta)
    .map(([m, e]) => JSON.stringify({ version: 2, ...m, env: { ...e, SSH_CLIENT: e.peer } })),
);
const code = fc.constantFrom('i', 'o', 'x', 'm', 'r');
const body = fc.oneof(
  fc.tuple(hostileNumber, code, hostileString).map((t) => JSON.stringify(t)),
  fc.record({ sid: sids, t: hostileNumber, ch: code, d: hostileString }).map((o) => JSON.stringify(o)),
  fc.tuple(sids, meta).map(([sid, m]) => JSON.stringify({ sid, hdr: m })),
  hostileString,
);

describe('database safety (property)', () => {
  it('parseRecordings + profileSession: no NUL / lone surrogate, dates in range', () => {
    fc.assert(
      fc.property(header, fc.array(body, { maxLength: 25 }), fc.option(hostileString), (h, lines, name) => {
        const r = parseRecordings([h, ...lines].join('\n'), name ?? undefined);
        if (!r.ok) {
          expect(BAD_CHAR.test(r.error)).toBe(false);
          return;
        }
        for (const rec of r.sessions) {
          for (const s of [rec.sid, rec.honeypot, rec.service, rec.attackerIp, rec.format])
            if (s !== null) expect(BAD_CHAR.test(s), JSON.stringify(s)).toBe(false);
          if (rec.attackerIp !== null) {
            expect(rec.attackerIp).not.toContain('%');
            expect(parseAddress(rec.attackerIp)?.text).toBe(rec.attackerIp);
          }
          const start = rec.startedAt;
          if (start !== null) {
            expect(Number.isFinite(start)).toBe(true);
            expect(start).toBeGreaterThanOrEqual(0);
            expect(start).toBeLessThanOrEqual(MAX_TIMESTAMP_S);
          }
          const p = profileSession(rec);
          const text = json(p);
          for (const s of strings(p)) expect(BAD_CHAR.test(s), JSON.stringify(s)).toBe(false);
          expect(BAD_CHAR.test(text)).toBe(false);
          expect(BAD_ESCAPE.test(text), text).toBe(false);
          expect(() => new Date((start ?? 0) * 1000 + p.duration_s * 1000).toISOString()).not.toThrow();
          if (start !== null) expect(start + p.duration_s).toBeLessThanOrEqual(MAX_TIMESTAMP_S);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a recording of hostile input lines yields clean digraphs (lone surrogates are not printable)', () => {
    const reads = fc.array(fc.string({ unit: hostileUnit, minLength: 1, maxLength: 3 }), { maxLength: 40 });
    fc.assert(
      fc.property(reads, (rs) => {
        const lines = [JSON.stringify({ version: 2, width: 80, height: 24 })];
        rs.forEach((d, i) => {
          lines.push(JSON.stringify([i * 0.2, 'i', d]), JSON.stringify([i * 0.2 + 0.0001, 'o', d]));
        });
        const r = parseRecordings(lines.join('\n'));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const p = profileSession(r.sessions[0]!);
        for (const d of p.kd_top_digraphs) expect(BAD_CHAR.test(d.digraph)).toBe(false);
        expect(BAD_ESCAPE.test(json(p))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
