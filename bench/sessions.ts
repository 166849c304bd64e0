// Sessions benchmark (issue 7), run by `npm run bench` (ingest) and `npm run bench:sessions`
// (ingest and similarity):
//  - ingest: synthetic honeypot recordings of ≈ 200 keystrokes (scripts/gen-sessions.ts), (1) parsed
//    and profiled in this thread, (2) through `deckscope sessions ingest DIR --db pglite:…`, one
//    process whose only busy thread does parsing, profiling and PGlite (one core), three times
//    into fresh databases, the median by the rate after start-up;
//  - similar (--similar): session_profile filled with ROWS SimHashes (a quarter of them near-copies
//    of 1,000 campaign centroids, 0–3 bits apart), then `sessions similar` lookups timed, and their
//    answers checked against a full scan.
// Prints JSON on stdout; progress on stderr.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { syntheticSession } from '../scripts/gen-sessions.js';
import { type Db, openDb } from '../src/db/adapter.js';
import { migrate } from '../src/db/migrate.js';
import { findSimilarSessions } from '../src/db/sessions.js';
import { profileSession } from '../src/sessions/profile.js';
import { parseRecordings } from '../src/sessions/recording.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function ingestInProcess(texts: string[]): { sessions_per_s: number; us_per_session: number } {
  const run = () => {
    let n = 0;
    for (const t of texts) {
      const r = parseRecordings(t);
      if (r.ok) for (const s of r.sessions) if (profileSession(s).schema_version > 0) n++;
    }
    return n;
  };
  run(); // warm-up: JIT
  const t0 = process.hrtime.bigint();
  const n = run();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { sessions_per_s: Math.round(n / s), us_per_session: Number(((s / n) * 1e6).toFixed(1)) };
}

function ingestCliOnce(dir: string, n: number) {
  const dbDir = mkdtempSync(join(tmpdir(), 'deckscope-bench-sessions-'));
  try {
    return ingestCliInto(`pglite:${dbDir}/db`, dir, n);
  } finally {
    rmSync(dbDir, { recursive: true, force: true });
  }
}

function ingestCliInto(db: string, dir: string, n: number) {
  // Migrations first, so the timed run measures ingestion only.
  execFileSync(process.execPath, [`${ROOT}bin/deckscope.js`, 'db', 'migrate', '--db', db]);
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %U %S %M',
      process.execPath,
      `${ROOT}bin/deckscope.js`,
      'sessions',
      'ingest',
      dir,
      '--db',
      db,
      '--no-ptr', // the bench measures ingestion, and sends no DNS queries off the machine
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`sessions ingest failed: ${r.stderr}`);
  const [wall, user, sys, rssKiB] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  // The command's own rate: from when the database and the datasets are ready to the last write.
  const steady = Number(/\((\d+) sessions\/s after start-up\)/.exec(r.stderr)?.[1] ?? 0);
  return {
    sessions: n,
    sessions_per_s_after_startup: steady,
    wall_s: wall,
    cpu_s: Number((user + sys).toFixed(2)),
    sessions_per_s: Math.round(n / wall),
    peak_rss_mib: Number((rssKiB / 1024).toFixed(1)),
  };
}

/** `sessions ingest` three times, each into a fresh database: the run with the median rate after
 *  start-up, and every run's rate (this machine's runs differ by 10-20 %). */
function ingestCli(dir: string, n: number) {
  const runs = [0, 1, 2].map(() => ingestCliOnce(dir, n));
  const sorted = [...runs].sort((a, b) => a.sessions_per_s_after_startup - b.sessions_per_s_after_startup);
  return { ...sorted[1]!, runs_after_startup: runs.map((r) => r.sessions_per_s_after_startup) };
}

/** ROWS session_profile rows with SimHashes made in SQL (deterministic: hashtextextended). */
async function fill(db: Db, rows: number): Promise<void> {
  const chunk = 250_000;
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    await db.query(`
      INSERT INTO session_profile (session_id, source, format, schema_version, kd_total_keystrokes,
                                   started_at, kd_digraph_simhash, kd_simhash_bands)
      SELECT 'bench-' || g, 'bench', 'asciicast-v2', 1, 200, timestamptz '2026-11-01' + g * interval '1 second',
             h, ARRAY[((h >> 42) & 4194303)::int, 4194304 + ((h >> 21) & 2097151)::int,
                      8388608 + (h & 2097151)::int]
      FROM (
        SELECT g, CASE WHEN g % 4 = 0
          THEN hashtextextended('centroid' || (g % 1000), 0)
               # (1::bigint << (hashtext('a' || g) & 63)) # (1::bigint << (hashtext('b' || g) & 63))
               # (1::bigint << (hashtext('c' || g) & 63))
          ELSE hashtextextended('session' || g, 0) END AS h
        FROM generate_series(${from}, ${to}) g
      ) s`);
    process.stderr.write(`  filled ${to} rows\n`);
  }
  await db.query('ANALYZE session_profile');
}

/** A server database gets a schema of its own for the run (dropped afterwards), so the bench never
 *  touches the tables of the database it is pointed at. */
const BENCH_SCHEMA = 'deckscope_bench_sessions';

async function similar(url: string, rows: number, lookups: number) {
  const server = url.startsWith('postgres');
  if (server) {
    const admin = await openDb(url);
    await admin.exec(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE; CREATE SCHEMA ${BENCH_SCHEMA}`);
    await admin.close();
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${BENCH_SCHEMA}`);
    url = u.toString();
  }
  const db = await openDb(url);
  try {
    await migrate(db);
    const t0 = Date.now();
    await fill(db, rows);
    const fillS = (Date.now() - t0) / 1000;
    // Half of the queries are campaign members (g % 4 = 0: neighbours within 6 bits), half loners.
    const ids = Array.from({ length: lookups }, (_, i) =>
      i % 2 === 0
        ? `bench-${4 * (1 + ((i * 7919) % (rows / 4 - 1)))}`
        : `bench-${1 + 4 * ((i * 104_729) % (rows / 4 - 1))}`,
    );
    for (const id of ids.slice(0, 20)) await findSimilarSessions(db, id, { maxDistance: 8, limit: 20 });
    const ms: number[] = [];
    let found = 0;
    for (const id of ids) {
      const t = process.hrtime.bigint();
      const r = await findSimilarSessions(db, id, { maxDistance: 8, limit: 20 });
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status === 'ok') found += r.neighbours.length;
    }
    ms.sort((a, b) => a - b);
    // Exactness: the index's answer equals a full scan's for a few queries.
    let exact = 0;
    const checks = ids.slice(0, 5);
    for (const id of checks) {
      const r = await findSimilarSessions(db, id, { maxDistance: 8, limit: 1000 });
      const scan = await db.query<{ session_id: string }>(
        `SELECT s.session_id FROM session_profile s, session_profile q
         WHERE q.session_id = $1 AND s.session_id <> q.session_id
           AND bit_count(int8send(s.kd_digraph_simhash # q.kd_digraph_simhash)) <= 8
         ORDER BY s.session_id`,
        [id],
      );
      const got = r.status === 'ok' ? r.neighbours.map((n) => n.session_id).sort() : [];
      if (JSON.stringify(got) === JSON.stringify(scan.rows.map((x) => x.session_id))) exact++;
    }
    return {
      backend: db.kind,
      rows,
      fill_s: Number(fillS.toFixed(1)),
      lookups,
      max_distance: 8,
      median_ms: Number(ms[Math.floor(ms.length / 2)]!.toFixed(2)),
      p95_ms: Number(ms[Math.floor(ms.length * 0.95)]!.toFixed(2)),
      max_ms: Number(ms[ms.length - 1]!.toFixed(2)),
      mean_neighbours: Number((found / lookups).toFixed(1)),
      exact_vs_full_scan: `${exact}/${checks.length}`,
    };
  } finally {
    if (server) await db.query(`DROP SCHEMA ${BENCH_SCHEMA} CASCADE`).catch(() => {});
    await db.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string', default: '5000' },
      similar: { type: 'boolean' },
      rows: { type: 'string', default: '1000000' },
      lookups: { type: 'string', default: '200' },
      db: { type: 'string', multiple: true },
    },
  });
  const n = Number(values.sessions);
  process.stderr.write(`sessions bench: ${n} synthetic recordings of ≈ 200 keystrokes\n`);
  const texts = Array.from({ length: n }, (_, i) => syntheticSession(i + 1));
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-bench-casts-'));
  mkdirSync(dir, { recursive: true });
  for (const [i, t] of texts.entries()) writeFileSync(join(dir, `session-${i}.cast`), t);
  const out: Record<string, unknown> = {
    recording_bytes_mean: Math.round(texts.reduce((a, t) => a + t.length, 0) / n),
    parse_and_profile_one_thread: ingestInProcess(texts),
    cli_ingest_pglite: ingestCli(dir, n),
  };
  rmSync(dir, { recursive: true, force: true });
  if (values.similar) {
    const urls = values.db ?? [
      `pglite:${mkdtempSync(join(tmpdir(), 'deckscope-bench-similar-'))}/db`,
      ...(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : []),
    ];
    out.similar = [];
    for (const url of urls) {
      process.stderr.write(`similarity over ${values.rows} rows on ${url.replace(/:[^:@/]*@/, ':***@')}\n`);
      (out.similar as unknown[]).push(await similar(url, Number(values.rows), Number(values.lookups)));
    }
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
