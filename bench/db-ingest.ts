// Database ingest benchmark (run: npm run build:ts && node dist/bench/db-ingest.js; needs
// DATABASE_URL for the server scenarios). On the generator's busy-honeypot capture
// (scripts/gen-bench-pcap.ts, seed 1, BENCH_DB_PACKETS packets):
//   jsonl             the full pipeline to JSON lines (-o /dev/null): the baseline
//   writer-postgres   the PostgreSQL writer alone, fed the pipeline's JSON lines as fast as it
//                     takes them (sustained event ingest into the server), with the default
//                     --db-connections (two batches at once)
//   writer-postgres-1 the same with one connection (one batch at a time), for comparison
//   writer-pglite     the same into PGlite (in-process)
//   pipeline-postgres the full pipeline with --db (and no JSON lines): its ratio to jsonl is
//                     what writing to the database costs the capture
// Each scenario runs in a fresh process against a fresh schema (server) or directory (PGlite),
// BENCH_RUNS times; medians and ratios measured in this run go to stdout and
// bench/out/db-ingest.json. The CPU is shared with the database server: read figures as such.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresSink } from '../src/sinks/postgres.js';
import { benchJsonl, benchPcap, freshDb, ROOT } from './inputs.js';

const BIN = `${ROOT}bin/deckscope.js`;
const OUT = `${ROOT}bench/out`;
const PACKETS = Number(process.env.BENCH_DB_PACKETS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SERVER = process.env.DATABASE_URL;
/** Bytes per write() when feeding the writer: about one parser batch's output. */
const CHUNK_BYTES = 256 * 1024;

interface Measure {
  wall_s: number;
  events: number;
  events_per_s: number;
  written?: number;
  cpu_s?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Child process: feed the JSON lines file to the writer and time it from open to close. */
async function writerScenario(url: string, file: string, connections?: number): Promise<Measure> {
  const data = readFileSync(file);
  const sink = await PostgresSink.open({
    ...(connections === undefined ? {} : { connections }),
    db: url,
    spoolDir: mkdtempSync(join(tmpdir(), 'deckscope-bench-spool-')),
    spoolMaxBytes: 0,
    queueMaxBytes: 64 << 20,
    retentionDays: 0,
    backpressure: true,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let start = 0; start < data.length; ) {
    let end = data.indexOf(0x0a, Math.min(start + CHUNK_BYTES, data.length - 1));
    end = end === -1 ? data.length : end + 1;
    await sink.write(data.subarray(start, end));
    start = end;
  }
  await sink.close();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const m = sink.metrics();
  return {
    wall_s: wall,
    events: m.events,
    events_per_s: m.events / wall,
    written: m.written,
    cpu_s: (cpu.user + cpu.system) / 1e6,
  };
}

/** A deckscope run in a fresh process, measured from its --stats-json. */
function deckscope(pcap: string, extra: string[]): Measure {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-bench-'));
  const stats = join(dir, 'stats.json');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, '-q', '-r', pcap, '--stats-json', stats, ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const wall = (performance.now() - t0) / 1000;
  let s: {
    events: Record<string, number>;
    db?: { written: number };
    process: { cpu_user_s: number; cpu_system_s: number };
  };
  try {
    if (r.status !== 0) throw new Error(`deckscope exited ${r.status}`);
    s = JSON.parse(readFileSync(stats, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const events = Object.values(s.events).reduce((a, b) => a + b, 0);
  return {
    wall_s: wall,
    events,
    events_per_s: events / wall,
    ...(s.db ? { written: s.db.written } : {}),
    cpu_s: s.process.cpu_user_s + s.process.cpu_system_s,
  };
}

/** Runs one scenario in a child process (a fresh heap and a fresh database each time). */
function child(scenario: string, pcap: string, jsonl: string): Measure {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--scenario', scenario, pcap, jsonl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`${scenario} exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Measure;
}

async function runScenario(scenario: string, pcap: string, jsonl: string): Promise<Measure> {
  if (scenario === 'jsonl') return deckscope(pcap, ['-o', '/dev/null']);
  const db = await freshDb(scenario.endsWith('pglite') ? 'pglite' : 'postgres', SERVER);
  try {
    if (scenario === 'writer-postgres-1') return await writerScenario(db.url, jsonl, 1);
    if (scenario.startsWith('writer-')) return await writerScenario(db.url, jsonl);
    const spool = mkdtempSync(join(tmpdir(), 'deckscope-bench-spool-'));
    try {
      // --no-ptr: the capture's ~90k synthetic attacker addresses must not become reverse-DNS
      // queries leaving the machine (and the bench measures ingest, not the resolver).
      return deckscope(pcap, ['--db', db.url, '--db-spool', spool, '--no-ptr']);
    } finally {
      rmSync(spool, { recursive: true, force: true });
    }
  } finally {
    await db.drop();
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--scenario');
  if (i !== -1) {
    const [scenario, pcap, jsonl] = process.argv.slice(i + 1);
    process.stdout.write(`${JSON.stringify(await runScenario(scenario!, pcap!, jsonl!))}\n`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const pcap = benchPcap(PACKETS);
  const jsonl = benchJsonl(PACKETS);
  const scenarios = [
    'jsonl',
    'writer-pglite',
    ...(SERVER ? ['writer-postgres', 'writer-postgres-1', 'pipeline-postgres'] : []),
  ];
  if (!SERVER) console.error('DATABASE_URL is not set: the PostgreSQL scenarios are skipped');
  const results: Record<string, Measure & { runs: Measure[] }> = {};
  for (const s of scenarios) {
    const runs: Measure[] = [];
    for (let r = 0; r < RUNS; r++) runs.push(child(s, pcap, jsonl));
    const med = runs.find((m) => m.wall_s === median(runs.map((x) => x.wall_s)))!;
    results[s] = { ...med, runs };
    console.log(
      `${s.padEnd(18)} ${String(Math.round(med.events_per_s)).padStart(8)} events/s  ` +
        `${med.wall_s.toFixed(2)} s wall  ${med.cpu_s?.toFixed(2) ?? '-'} s CPU  ${med.events} events` +
        (med.written !== undefined ? `  ${med.written} written` : ''),
    );
  }
  const ratio =
    results['pipeline-postgres'] && results.jsonl
      ? results['pipeline-postgres'].events_per_s / results.jsonl.events_per_s
      : null;
  if (ratio !== null)
    console.log(
      `pipeline with --db postgres keeps ${(ratio * 100).toFixed(0)}% of its JSON-lines throughput`,
    );
  writeFileSync(
    `${OUT}/db-ingest.json`,
    `${JSON.stringify({ packets: PACKETS, runs: RUNS, cpus: cpus().length, results, pipeline_db_ratio: ratio }, null, 2)}\n`,
  );
}

await main();
