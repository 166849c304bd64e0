// Migrations from an empty database, idempotence, concurrency, refusal of a changed file; daily
// partitions created ahead and dropped whole by retention. On PGlite and on the server.
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { loadMigrations, migrate } from '../../src/db/migrate.js';
import { addDays, ensurePartitions, maintainPartitions, utcDay } from '../../src/db/partitions.js';
import { backends, noteServerSkip, rows } from './helpers.js';

noteServerSkip('test/db/migrate.test.ts');

const TABLES = [
  'attacker_behavior',
  'attacker_deckies',
  'attacker_fingerprints',
  'attacker_sensors',
  'attacker_services',
  'attackers',
  'events',
  'schema_migrations',
  'session_profile',
  'smtp_targets',
];
const VIEWS = ['v_new_fingerprints_today', 'v_shared_fingerprints', 'v_top_attackers'];

describe.each(backends())('migrations on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('creates the schema from empty, once', async () => {
    const db = await openDb(await backend.fresh());
    try {
      const files = loadMigrations();
      expect(files.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const first = await migrate(db);
      expect(first.applied.map((m) => m.name)).toEqual([
        'events',
        'profiles',
        'views',
        'profiler',
        'sessions',
        'ssh_lists',
        'session_documents',
      ]);
      expect(first.version).toBe(7);
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect(second.version).toBe(7);
      const rels = await rows(
        db,
        `SELECT c.relname, c.relkind FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v')
           AND c.relname NOT LIKE 'events\\_%'
         ORDER BY 1`,
      );
      expect(rels).toEqual([
        ...TABLES.map((t) => ({ relname: t, relkind: t === 'events' ? 'p' : 'r' })),
        ...VIEWS.map((v) => ({ relname: v, relkind: 'v' })),
      ]);
      expect(await rows(db, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1, name: 'events' },
        { version: 2, name: 'profiles' },
        { version: 3, name: 'views' },
        { version: 4, name: 'profiler' },
        { version: 5, name: 'sessions' },
        { version: 6, name: 'ssh_lists' },
        { version: 7, name: 'session_documents' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('007 turns the top digraphs written as objects into [digraph, count, mean_iat_ms] triples', async () => {
    const db = await openDb(await backend.fresh());
    try {
      const all = loadMigrations();
      await migrate(
        db,
        all.filter((m) => m.version <= 6),
      );
      // Rows as the writer of schema version 6 left them.
      await db.query(
        `INSERT INTO session_profile (session_id, source, format, schema_version, kd_top_digraphs) VALUES
         ('two', 's', 'asciicast-v2', 2,
          '[{"digraph": "ls", "count": 3, "mean_iat_ms": 120.5}, {"digraph": "\\"x", "count": 1, "mean_iat_ms": 80}]'),
         ('none', 's', 'asciicast-v2', 2, '[]'),
         ('null', 's', 'asciicast-v2', 2, NULL)`,
      );
      expect((await migrate(db, all)).applied.map((m) => m.version)).toEqual([7]);
      expect(await rows(db, 'SELECT session_id, kd_top_digraphs FROM session_profile ORDER BY 1')).toEqual([
        { session_id: 'none', kd_top_digraphs: [] },
        { session_id: 'null', kd_top_digraphs: null },
        {
          session_id: 'two',
          kd_top_digraphs: [
            ['ls', 3, 120.5],
            ['"x', 1, 80],
          ],
        },
      ]);
    } finally {
      await db.close();
    }
  });

  it('refuses a migration file changed after it was applied', async () => {
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      const changed = loadMigrations().map((m) => (m.version === 2 ? { ...m, checksum: 'x' } : m));
      await expect(migrate(db, changed)).rejects.toThrow(/002_profiles\.sql changed after it was applied/);
      const older = loadMigrations().slice(0, 2);
      await expect(migrate(db, older)).rejects.toThrow(
        /schema version 7, newer than this deckscope knows \(2\)/,
      );
    } finally {
      await db.close();
    }
  });

  it('creates day partitions ahead and on demand, and drops whole days by retention', async () => {
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      const now = Date.parse('2026-03-10T12:00:00Z');
      await maintainPartitions(db, { aheadDays: 3, retentionDays: 0, nowMs: now });
      await ensurePartitions(db, ['2024-01-01', '2026-03-01', '2026-03-01']);
      const parts = async () =>
        (
          await rows(
            db,
            `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass ORDER BY 1`,
          )
        ).map((r) => (r as { relname: string }).relname);
      expect(await parts()).toEqual([
        'events_20240101',
        'events_20260301',
        'events_20260309',
        'events_20260310',
        'events_20260311',
        'events_20260312',
        'events_20260313',
      ]);
      // A row lands in its day's partition; a day boundary is UTC.
      await db.query(
        `INSERT INTO events (ts, event_id, event_type, sensor_id, payload) VALUES
         ('2026-03-09T23:59:59.999999Z', gen_random_uuid(), 't', 's', '{}'),
         ('2026-03-10T00:00:00Z', gen_random_uuid(), 't', 's', '{}')`,
      );
      expect(await rows(db, `SELECT tableoid::regclass::text AS part FROM events ORDER BY ts`)).toEqual([
        { part: 'events_20260309' },
        { part: 'events_20260310' },
      ]);
      // 2 days of retention on 2026-03-10 keep the 9th and the 10th.
      const r = await maintainPartitions(db, { aheadDays: 3, retentionDays: 2, nowMs: now });
      expect(r).toEqual({ cutoff: '2026-03-09', dropped: 2 });
      expect(await parts()).toEqual([
        'events_20260309',
        'events_20260310',
        'events_20260311',
        'events_20260312',
        'events_20260313',
      ]);
      expect(await rows(db, 'SELECT count(*)::int AS n FROM events')).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });

  it('gives int8 and numeric as numbers, timestamptz as Date, inet as text on both back ends', async () => {
    const db = await openDb(await backend.fresh());
    try {
      const r = await db.query(
        `SELECT 9007199254740991::int8 AS big, count(*) AS n, 1.5::numeric AS num,
                '2024-05-01T12:00:00.123456Z'::timestamptz AS ts, '10.0.0.1'::inet AS ip,
                '{"a":[1]}'::jsonb AS j, ARRAY['10.0.0.1'::inet] AS ips`,
      );
      expect(r.rows[0]).toEqual({
        big: 9007199254740991,
        n: 1,
        num: 1.5,
        ts: new Date('2024-05-01T12:00:00.123Z'),
        ip: '10.0.0.1',
        j: { a: [1] },
        ips: ['10.0.0.1'],
      });
    } finally {
      await db.close();
    }
  });
});

describe.runIf(backends().length > 1)('migrations on the server, concurrently', () => {
  const backend = backends()[1]!;
  afterAll(() => backend.cleanup());

  it('lets several sensors start at once (advisory lock): one applies, the others find it done', async () => {
    const url = await backend.fresh();
    const dbs = await Promise.all([1, 2, 3].map(() => openDb(url)));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 7]);
      await Promise.all(
        dbs.map((db) => ensurePartitions(db, [utcDay(Date.now()), addDays(utcDay(Date.now()), 1)])),
      );
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
