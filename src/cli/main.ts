// deckscope's command line: wiring only (parse options, open the source and the sinks, run the
// pipeline, handle signals, print progress and the summary; `db migrate` and `report`).

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadAddon } from '../capture/addon.js';
import { openDb } from '../db/adapter.js';
import { DbError } from '../db/errors.js';
import { PARTITIONS_AHEAD_DAYS } from '../db/limits.js';
import { migrate } from '../db/migrate.js';
import { maintainPartitions } from '../db/partitions.js';
import { writeProfiles } from '../db/profiles.js';
import { loadP0fDatabase } from '../fingerprints/p0f/load.js';
import { Pipeline, type RunSummary } from '../pipeline.js';
import { ProfilerRuntime, ProfilerSink } from '../profiler/runtime.js';
import { JsonlSink } from '../sinks/jsonl.js';
import { openDbSink } from '../sinks/postgres.js';
import { type EventSink, TeeSink } from '../sinks/sink.js';
import { parseSyslogTarget, SyslogSink } from '../sinks/syslog.js';
import { DeckscopeError } from '../util/errors.js';
import { type CliOptions, type DbCommandOptions, parseCommand, USAGE } from './args.js';
import { openEnricher } from './enrich.js';
import { runIngest } from './ingest.js';
import { runReport } from './report.js';
import { runSessionsIngest, runSessionsSimilar } from './sessions.js';
import { formatSummary, summaryJson } from './summary.js';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

function startProgress(p: Pipeline, quiet: boolean): () => void {
  if (quiet || !process.stderr.isTTY) return () => {};
  let last = { t: Date.now(), packets: 0, bytes: 0 };
  const timer = setInterval(() => {
    const s = p.stats();
    const now = Date.now();
    const dt = (now - last.t) / 1000 || 1;
    const pps = (s.capture.packets - last.packets) / dt;
    const mbps = ((s.capture.wireBytes - last.bytes) * 8) / dt / 1e6;
    const events = Object.values(s.events).reduce((a, b) => a + b, 0);
    process.stderr.write(
      `\r\x1b[K${s.capture.packets} packets  ${Math.round(pps)} pkt/s  ${mbps.toFixed(1)} Mbit/s  ${s.capture.flowsOpen} flows  ${events} events`,
    );
    last = { t: now, packets: s.capture.packets, bytes: s.capture.wireBytes };
  }, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

async function run(o: CliOptions): Promise<number> {
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (o.version) {
    const addon = loadAddon();
    process.stdout.write(`deckscope ${pkg.version}\n${addon.libVersion()}\nnode ${process.version}\n`);
    return 0;
  }
  if (o.listInterfaces) {
    for (const d of loadAddon().listInterfaces()) {
      const flags = [d.up ? 'up' : 'down', d.running ? 'running' : '', d.loopback ? 'loopback' : ''].filter(
        Boolean,
      );
      process.stdout.write(`${d.name}${d.description ? ` (${d.description})` : ''} [${flags.join(', ')}]\n`);
    }
    return 0;
  }
  const warn = (w: { message: string }) => {
    if (!o.quiet) process.stderr.write(`deckscope: warning: ${w.message}\n`);
  };
  // The p0f database the workers match SYNs against: a missing, unreadable or empty file stops the
  // run here, before the database is opened or a packet read, rather than failing every batch.
  if (o.mode === 'full') loadP0fDatabase(o.p0fDb);
  // The database first: a bad URL, password or database fails before anything is read.
  const dbSink = o.db ? await openDbSink({ ...o, db: o.db }, warn) : null;
  let sink: EventSink;
  let syslogSink: SyslogSink | null = null;
  let profiler: ProfilerSink | null = null;
  let enricher: ReturnType<typeof openEnricher> = null;
  try {
    if (o.syslog !== undefined) syslogSink = await SyslogSink.open(parseSyslogTarget(o.syslog));
    const jsonl = (!dbSink && !syslogSink) || o.outputGiven ? await JsonlSink.open(o.output) : null;
    // With --db the profiler sees every line on its way to the database, and writes its snapshots
    // (and the enricher its rows) beside the event batches: on a server through a second
    // connection, on PGlite through the writer's, before the writer closes (ProfilerSink.close).
    enricher = dbSink ? openEnricher(o, { transaction: (fn) => dbSink.sideTransaction(fn) }, warn) : null;
    profiler = dbSink
      ? new ProfilerSink(
          new ProfilerRuntime({
            sensorId: o.sensorId,
            write: (rows) => dbSink.sideTransaction((tx) => writeProfiles(tx, rows)),
            onWarning: warn,
            ...(enricher ? { enricher } : {}),
          }),
          dbSink,
        )
      : null;
    profiler?.runtime.start();
    const sinks = [jsonl, profiler, syslogSink].filter((x): x is NonNullable<typeof x> => x !== null);
    sink = sinks.length === 1 ? sinks[0]! : new TeeSink(sinks[0]!, ...sinks.slice(1));
  } catch (err) {
    await syslogSink?.close();
    await dbSink?.close();
    throw err;
  }
  let pipeline: Pipeline;
  try {
    pipeline = openPipeline(o, sink, profiler !== null);
  } catch (err) {
    await sink.close(); // releases the PGlite and spool locks
    throw err;
  }
  let interrupts = 0;
  let draining = false;
  const onStop = (sig: NodeJS.Signals) => {
    interrupts++;
    if (sig === 'SIGINT' && interrupts > 1) process.exit(130);
    // Once capture has ended, a stop asks the database writer to spool what is left and exit.
    if (draining) dbSink?.hurry();
    else pipeline.stop();
  };
  const onStats = () => process.stderr.write(`${JSON.stringify(pipeline.stats())}\n`);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGUSR2', onStats);
  const stopProgress = startProgress(pipeline, o.quiet);
  let summary: RunSummary;
  try {
    summary = await pipeline.run(warn);
    draining = true;
    await sink.close();
  } finally {
    stopProgress();
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.off('SIGUSR2', onStats);
  }
  if (dbSink) summary.db = dbSink.metrics();
  if (profiler) summary.profiler = { ...profiler.runtime.stats };
  if (enricher) summary.enrichment = { ...enricher.stats, ptr: { ...enricher.stats.ptr } };
  if (syslogSink) summary.syslog = { ...syslogSink.stats(), unparsable: syslogSink.unparsable };
  if (!o.quiet) process.stderr.write(`${formatSummary(summary)}\n`);
  if (o.statsJson) {
    const json = `${JSON.stringify(summaryJson(summary))}\n`;
    if (o.statsJson === '-') process.stderr.write(json);
    else writeFileSync(o.statsJson, json);
  }
  return summary.batchesFailed > 0 ? 1 : 0;
}

/** The capture pipeline for the command line's options, writing to `sink`. */
function openPipeline(o: CliOptions, sink: EventSink, profilerLines: boolean): Pipeline {
  return new Pipeline({
    ...(o.files.length ? { files: o.files } : {}),
    ...(o.interface ? { interface: o.interface } : {}),
    ...(o.filter ? { filter: o.filter } : {}),
    snaplen: o.snaplen,
    bufferKiB: o.bufferKiB,
    promisc: o.promisc,
    count: o.count,
    mode: o.mode,
    maxFlows: o.maxFlows,
    idleTimeout: o.idleTimeout,
    streamBytes: o.streamBytes,
    reassemblyBudget: o.reassemblyBudget,
    maxScanSources: o.maxScanSources,
    synDedup: o.synDedup,
    honeypots: o.honeypots,
    sensorId: o.sensorId,
    ja4plus: o.ja4plus,
    ...(o.p0fDb !== undefined ? { p0fDb: o.p0fDb } : {}),
    ...(o.workers ? { workers: o.workers } : {}),
    sink,
    profilerLines,
  });
}

/** `deckscope db migrate`: applies the migrations and creates the partitions ahead. */
async function runMigrate(o: DbCommandOptions): Promise<number> {
  const db = await openDb(o.db);
  try {
    const r = await migrate(db);
    await maintainPartitions(db, { aheadDays: PARTITIONS_AHEAD_DAYS, retentionDays: 0 });
    process.stdout.write(
      r.applied.length
        ? `${db.label}: applied ${r.applied.map((m) => m.file).join(', ')}; schema version ${r.version}\n`
        : `${db.label}: schema is up to date (version ${r.version})\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

/** Entry point: runs the CLI and exits with 0 (ok), 1 (runtime error) or 2 (usage error). */
export async function runCli(argv = process.argv.slice(2)): Promise<void> {
  try {
    const cmd = parseCommand(argv);
    if (cmd.command === 'capture') process.exitCode = await run(cmd.options);
    else if (cmd.command === 'ingest' && cmd.options.help) process.stdout.write(`${USAGE}\n`);
    else if (cmd.command === 'ingest') process.exitCode = await runIngest(cmd.options);
    else if (cmd.options.help) process.stdout.write(`${USAGE}\n`);
    else if (cmd.command === 'sessions-ingest') process.exitCode = await runSessionsIngest(cmd.options);
    else if (cmd.command === 'sessions-similar') process.exitCode = await runSessionsSimilar(cmd.options);
    else if (cmd.command === 'db-migrate') process.exitCode = await runMigrate(cmd.options);
    else process.exitCode = await runReport(cmd.options);
  } catch (err) {
    if (err instanceof DeckscopeError || err instanceof DbError) {
      process.stderr.write(`deckscope: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`deckscope: internal error: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
  }
}
