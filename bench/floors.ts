// npm run bench:floors — what this machine allows, measured on the bench capture's own events,
// beside the issue targets that rest on it. Each figure is the cost of one step that any design
// keeping the required formats must pay per event, on one core:
//   v8_utf8       a JSON line UTF-8-encoded into a reused buffer (a parser worker builds each
//                 event as a JS string and must at least encode it; the strings here are flat
//                 already, so this is below what a worker pays)
//   v8_stringify  the finished event as an object (JSON.parse of its line, untimed) turned into
//                 its line by JSON.stringify and encoded the same way: V8's own serializer on
//                 the output alone, no parsing of packets, no fingerprints
//   jsonb_in      the line parsed as jsonb by the database (the events table keeps a JSONB
//                 payload), alone: the lines are stored in a table first, untimed, then
//                 SELECT count(*) … WHERE l::jsonb IS NOT NULL
//   jsonb_store   the lines parsed as jsonb and stored, nothing else: one jsonb column, no index,
//                 no key (the least any table holding a JSONB payload per event writes)
//   keyed_store   the same with what exactly-once storage needs: each row keyed by (ts, event_id),
//                 a primary key checked ON CONFLICT (ts and id computed beforehand, untimed)
//   events_only   the writer's own events INSERT (src/db/ingest.ts INSERT_EVENTS) without any
//                 profile upsert: the events table alone
//   full          the writer's whole batch (events and every profile upsert), for reference
// The database steps run one backend (one core) on batches of BATCH_EVENTS lines, in a fresh
// schema (server, DATABASE_URL) or directory (PGlite); RUNS passes each, median reported.
//   node dist/bench/floors.js [--jsonl FILE] [--runs R] [--no-db]   writes bench/out/floors.json
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { openDb } from '../src/db/adapter.js';
import { INSERT_EVENTS, insertBatch, prepareSession } from '../src/db/ingest.js';
import { BATCH_EVENTS } from '../src/db/limits.js';
import { migrate } from '../src/db/migrate.js';
import { ensurePartitions } from '../src/db/partitions.js';
import { benchJsonl, freshDb, ROOT } from './inputs.js';

const OUT = `${ROOT}bench/out`;
const { values } = parseArgs({
  options: {
    /** Default: the JSON lines of the bench capture's 1 M-packet cut (made once, bench/inputs.ts). */
    jsonl: { type: 'string' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    /** The V8 steps only. */
    'no-db': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const SERVER = process.env.DATABASE_URL;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** µs per item to turn each into its JSON line with `line` and UTF-8-encode that into one reused
 *  buffer, on this thread. */
function v8Lines<T>(items: T[], line: (item: T) => string): number {
  const buf = Buffer.allocUnsafe(64 << 20);
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let at = 0;
    const t = performance.now();
    for (const item of items) {
      const l = line(item);
      if (at + l.length * 3 + 1 > buf.length) at = 0;
      at += buf.write(l, at, 'utf8');
      buf[at++] = 0x0a;
    }
    runs.push(((performance.now() - t) * 1000) / items.length);
  }
  return median(runs);
}

type Step = 'jsonb_in' | 'jsonb_store' | 'keyed_store' | 'events_only' | 'full';

const JSONB_IN = `SELECT count(*) FROM unnest(string_to_array($1::text, E'\\n')) AS l WHERE l <> '' AND l::jsonb IS NOT NULL`;
const WARM_UP_BATCHES = 5;

/** µs per line of one database step over all the lines, in batches, one backend; every pass on a
 *  fresh database (so no pass meets rows a previous one wrote). */
async function dbStep(kind: 'postgres' | 'pglite', step: Step, lines: string[]): Promise<number> {
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += BATCH_EVENTS)
    bodies.push(`${lines.slice(i, i + BATCH_EVENTS).join('\n')}\n`);
  const days = new Set(lines.map((l) => l.slice(7, 17)));
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const fresh = await freshDb(kind, SERVER);
    const db = await openDb(fresh.url);
    try {
      await migrate(db);
      await prepareSession(db);
      await ensurePartitions(db, days);
      // Warm-up, untimed: PGlite's WebAssembly is compiled in tiers as it runs, and the first
      // batches of a server backend fill its caches.
      for (const body of bodies.slice(0, WARM_UP_BATCHES)) await db.query(JSONB_IN, [body]);
      const parseOnly = step === 'jsonb_in' || step === 'jsonb_store' || step === 'keyed_store';
      if (parseOnly) {
        // The lines are stored first (untimed), with their key, then parsed (and stored).
        await db.query('CREATE TEMP TABLE floors_lines (ts timestamptz, id uuid, l text)');
        for (const body of bodies) {
          await db.query(
            `INSERT INTO floors_lines
             SELECT (l::jsonb->>'ts')::timestamptz, md5(l)::uuid, l
             FROM unnest(string_to_array($1::text, E'\\n')) AS l WHERE l <> ''`,
            [body],
          );
        }
      }
      const t = performance.now();
      if (step === 'jsonb_in') await db.query('SELECT count(*) FROM floors_lines WHERE l::jsonb IS NOT NULL');
      if (step === 'jsonb_store') {
        await db.query('CREATE TABLE floors_store (payload jsonb NOT NULL)');
        await db.query('INSERT INTO floors_store SELECT l::jsonb FROM floors_lines');
      }
      if (step === 'keyed_store') {
        await db.query(
          'CREATE TABLE floors_keyed (ts timestamptz, event_id uuid, payload jsonb NOT NULL, PRIMARY KEY (ts, event_id))',
        );
        await db.query(
          'INSERT INTO floors_keyed SELECT ts, id, l::jsonb FROM floors_lines ORDER BY 1, 2 ON CONFLICT DO NOTHING',
        );
      }
      for (const body of parseOnly ? [] : bodies) {
        if (step === 'events_only') {
          await db.transaction((tx) => tx.query(INSERT_EVENTS, [body]));
        } else {
          await db.transaction((tx) => insertBatch(tx, body, 0));
        }
      }
      runs.push(((performance.now() - t) * 1000) / lines.length);
    } finally {
      await db.close();
      await fresh.drop();
    }
  }
  return median(runs);
}

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1) {
    console.error(`--runs must be a whole number of at least 1 (got ${values.runs})`);
    process.exit(2);
  }
  const lines = readFileSync(values.jsonl ?? benchJsonl(1_000_000), 'utf8')
    .split('\n')
    .filter(Boolean);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const result: Record<string, unknown> = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    lines: lines.length,
    mean_line_bytes: Math.round(bytes / lines.length),
    runs: RUNS,
    us_per_event: {} as Record<string, number>,
  };
  const us = result.us_per_event as Record<string, number>;
  us.v8_utf8 = v8Lines(lines, (l) => l);
  us.v8_stringify = v8Lines(
    lines.map((l) => JSON.parse(l) as unknown),
    (e) => JSON.stringify(e),
  );
  const kinds: Array<'pglite' | 'postgres'> = values['no-db']
    ? []
    : SERVER
      ? ['pglite', 'postgres']
      : ['pglite'];
  if (!SERVER && !values['no-db'])
    console.error('DATABASE_URL is not set: the PostgreSQL server steps are skipped');
  for (const kind of kinds) {
    for (const step of ['jsonb_in', 'jsonb_store', 'keyed_store', 'events_only', 'full'] as const) {
      console.error(`${kind} ${step}...`);
      us[`${kind}_${step}`] = await dbStep(kind, step, lines);
    }
  }
  const r = (x: number) => Math.round(x * 100) / 100;
  for (const k of Object.keys(us)) us[k] = r(us[k]!);
  console.log(
    `${lines.length} events of the bench capture (mean ${result.mean_line_bytes} bytes a line), one core each:`,
  );
  console.log('| step | µs an event | events/s on one core |');
  console.log('|---|---|---|');
  for (const [k, v] of Object.entries(us)) console.log(`| ${k} | ${v} | ${Math.round(1e6 / v)} |`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/floors.json`, `${JSON.stringify(result, null, 2)}\n`);
}

await main();
