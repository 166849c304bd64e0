// session_profile (src/db/sessions.ts): rows are upserted by session id and linked to their
// attacker, and the multi-index SimHash search finds exactly the sessions within the distance.
// Neighbours are made by flipping chosen bits of a query hash, so their distances are known by
// construction; the search must return every one of them within the radius and nothing beyond.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { writeSettingAside } from '../../src/db/errors.js';
import { migrate } from '../../src/db/migrate.js';
import {
  findSimilarSessions,
  probeKeys,
  type SessionRow,
  simhashBands,
  writeSessionProfiles,
} from '../../src/db/sessions.js';
import { backends, noteServerSkip } from './helpers.js';

noteServerSkip('test/db/sessions.test.ts');

const Q = -0x0123_4567_89ab_cdefn; // a signed 64-bit value, as PostgreSQL bigint holds it

/** `hash` with the given bit positions (0 = least significant) flipped, as a signed 64-bit value. */
function flip(hash: bigint, bits: number[]): bigint {
  let u = BigInt.asUintN(64, hash);
  for (const b of bits) u ^= 1n << BigInt(b);
  return BigInt.asIntN(64, u);
}

const row = (id: string, hash: bigint | null, over: Partial<SessionRow> = {}): SessionRow => ({
  session_id: id,
  attacker_ip: '198.51.100.7',
  honeypot: 'decky-01',
  service: 'ssh',
  source: `/recordings/${id}.cast`,
  sid: null,
  format: 'asciicast-v2',
  started_at: '2026-11-01T10:00:00.000Z',
  duration_s: 60,
  kd_total_keystrokes: 200,
  kd_digraph_simhash: hash,
  kd_top_digraphs: [['ls', 3, 120]],
  verdict: 'human',
  schema_version: 1,
  ...over,
});

describe('SimHash bands and probes', () => {
  it('cuts the unsigned 64-bit value into bands of 22, 21 and 21 bits, most significant first', () => {
    // 0x123456789abcdef0 = 0b0001001000110100010101 | 100111100010011010101 | 111001101111011110000
    expect(simhashBands(0x1234_5678_9abc_def0n)).toEqual([
      0b0001001000110100010101,
      (1 << 22) + 0b100111100010011010101,
      (2 << 22) + 0b111001101111011110000,
    ]);
    expect(simhashBands(-1n)).toEqual([(1 << 22) - 1, (1 << 22) + (1 << 21) - 1, (2 << 22) + (1 << 21) - 1]);
  });

  it('probes 1 + 22 + 231 and twice 1 + 21 + 210 keys for distance 8 (a band radius of 2)', () => {
    expect(new Set(probeKeys(Q, 8)).size).toBe(254 + 2 * 232);
    expect(probeKeys(Q, 2)).toHaveLength(3); // radius 0: the bands themselves
  });

  it('every hash within the distance shares a probed band key (pigeonhole)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.integer({ min: 0, max: 11 }),
        fc.array(fc.integer({ min: 0, max: 63 }), { maxLength: 11 }),
        (h, d, bits) => {
          const distinct = [...new Set(bits)].slice(0, d);
          const other = simhashBands(flip(h, distinct));
          const probes = new Set(probeKeys(h, d));
          return other.some((k) => probes.has(k));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe.each(backends())('session_profile on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('sets aside a row the database refuses and writes the others', async () => {
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      const full = {
        kd_iki_mean_ms: 0.1 + 0.2, // every bit of the double survives
        kd_paste_count: -2147483648,
        kd_timing_obfuscated: true,
        kd_timing_source: 'input',
        kd_pause_hist: { burst: 1, think: 2, distracted: 0 },
        verdict_evidence: [{ signal: 'corrections', value: 2, supports: 'human' }],
        sid: 'a "quoted", \\ unicode ✓ sid',
      };
      const rows = [
        row('good-1', -1n, full),
        row('bad-zone', Q, { attacker_ip: 'fe80::1%eth0' }), // inet takes no zone id
        row('bad-year', Q, { started_at: '+011476-01-01T00:00:00.000Z' }),
        row('bad-count', Q, { kd_paste_count: 2 ** 40 }), // beyond integer: refused before it is sent
        // Not a number: NULL, and -0 is 0, as JSON would have them.
        row('good-2', Q, {
          kd_iki_mean_ms: Number.NaN,
          kd_paste_chars: Number.POSITIVE_INFINITY,
          kd_max_pause_s: -0,
        }),
      ];
      const r = await writeSettingAside(rows, (batch) =>
        db.transaction((tx) => writeSessionProfiles(tx, batch)),
      );
      expect(r.results.reduce((a, b) => a + b, 0)).toBe(2);
      expect(r.refused.map((x) => x.row.session_id)).toEqual(['bad-zone', 'bad-year', 'bad-count']);
      expect(r.refused[2]!.reason).toMatch(/out of range for type integer/);
      const ids = await db.query<{
        session_id: string;
        kd_iki_mean_ms: number | null;
        kd_top_digraphs: unknown;
      }>('SELECT session_id, kd_iki_mean_ms, kd_top_digraphs FROM session_profile ORDER BY 1');
      expect(ids.rows).toEqual([
        { session_id: 'good-1', kd_iki_mean_ms: 0.1 + 0.2, kd_top_digraphs: [['ls', 3, 120]] },
        { session_id: 'good-2', kd_iki_mean_ms: null, kd_top_digraphs: [['ls', 3, 120]] },
      ]);
      const back = await db.query(
        `SELECT kd_digraph_simhash::text AS h, kd_simhash_bands AS bands, ${Object.keys(full).join(', ')}
         FROM session_profile WHERE session_id = 'good-1'`,
      );
      expect(back.rows[0]).toEqual({ h: '-1', bands: simhashBands(-1n), ...full });
      const odd = await db.query<{ paste: number | null; pause: number }>(
        "SELECT kd_paste_chars AS paste, kd_max_pause_s AS pause FROM session_profile WHERE session_id = 'good-2'",
      );
      expect(odd.rows[0]!.paste).toBeNull();
      expect(Object.is(odd.rows[0]!.pause, 0)).toBe(true);
      // No start time: the attackers row exists for the link, its first/last seen are not moved.
      await db.transaction((tx) => writeSessionProfiles(tx, [row('untimed', Q, { started_at: null })]));
      const a = await db.query<{ first_seen: Date; last_seen: Date }>(
        'SELECT first_seen, last_seen FROM attackers',
      );
      expect(a.rows).toEqual([
        { first_seen: new Date('2026-11-01T10:00:00.000Z'), last_seen: new Date('2026-11-01T10:01:00.000Z') },
      ]);
    } finally {
      await db.close();
    }
  });

  it('upserts by session id, links the attacker and finds exactly the neighbours within the distance', async () => {
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      const near = [
        row('d1', flip(Q, [0])),
        row('d3', flip(Q, [1, 20, 63])),
        row('d8', flip(Q, [0, 9, 17, 25, 33, 41, 49, 57])), // one bit in each byte: every band differs
        row('d9', flip(Q, [0, 1, 2, 3, 4, 5, 6, 7, 8])),
        row(
          'd30',
          flip(
            Q,
            Array.from({ length: 30 }, (_, i) => i * 2),
          ),
        ),
      ];
      const rows = [row('q', Q), ...near, row('none', null, { attacker_ip: null })];
      await db.transaction((tx) => writeSessionProfiles(tx, rows));
      // Written again with a change: replaced, not duplicated.
      await db.transaction((tx) =>
        writeSessionProfiles(tx, [row('d1', flip(Q, [0]), { verdict: 'scripted' })]),
      );

      const count = await db.query<{ n: number; linked: number }>(
        'SELECT count(*)::int AS n, count(attacker_uuid)::int AS linked FROM session_profile',
      );
      expect(count.rows[0]).toEqual({ n: 7, linked: 6 });
      const attacker = await db.query<{ ip: string; first_seen: Date; last_seen: Date }>(
        'SELECT ip, first_seen, last_seen FROM attackers',
      );
      expect(attacker.rows).toEqual([
        {
          ip: '198.51.100.7',
          first_seen: new Date('2026-11-01T10:00:00.000Z'),
          last_seen: new Date('2026-11-01T10:01:00.000Z'),
        },
      ]);
      const stored = await db.query<{ h: string; verdict: string }>(
        "SELECT kd_digraph_simhash::text AS h, verdict FROM session_profile WHERE session_id = 'd1'",
      );
      expect(stored.rows[0]).toEqual({ h: flip(Q, [0]).toString(), verdict: 'scripted' });

      const r8 = await findSimilarSessions(db, 'q', { maxDistance: 8, limit: 20 });
      expect(r8.status).toBe('ok');
      if (r8.status !== 'ok') return;
      expect(r8.query.simhash).toBe(Q.toString());
      expect(r8.neighbours.map((n) => [n.session_id, n.distance])).toEqual([
        ['d1', 1],
        ['d3', 3],
        ['d8', 8],
      ]);
      const r16 = await findSimilarSessions(db, 'q', { maxDistance: 16, limit: 2 });
      expect(r16.status === 'ok' && r16.neighbours.map((n) => n.session_id)).toEqual(['d1', 'd3']);
      const r0 = await findSimilarSessions(db, 'd9', { maxDistance: 9, limit: 20 });
      // d9 is 8 bits from d1 (bits 1..8), 9 from q, 10 from d3, 15 from d8.
      expect(r0.status === 'ok' && r0.neighbours.map((n) => [n.session_id, n.distance])).toEqual([
        ['d1', 8],
        ['q', 9],
      ]);
      expect(await findSimilarSessions(db, 'missing', { maxDistance: 8, limit: 5 })).toEqual({
        status: 'no-such-session',
      });
      expect(await findSimilarSessions(db, 'none', { maxDistance: 8, limit: 5 })).toEqual({
        status: 'no-simhash',
      });
    } finally {
      await db.close();
    }
  });
});
