// `deckscope sessions ingest PATH...` and `deckscope sessions similar SID`.
//
// Ingest: recordings (asciicast v2/v3, DECNET's multi-session day shards) from files, directories
// (recursively: *.cast, *.jsonl, *.json, *.ndjson) or, with --watch, a recordings directory kept
// under watch -> one keystroke profile per session (src/sessions/profile.ts) -> session_profile rows
// in batches, each linked to its attacker (the attackers row is created when missing). A session's
// id is deterministic, so re-ingesting a file, or a shard that grew, replaces its rows.

import { createHash } from 'node:crypto';
import {
  closeSync,
  type FSWatcher,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  watch,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Db, openDb } from '../db/adapter.js';
import { writeSettingAside } from '../db/errors.js';
import { migrate } from '../db/migrate.js';
import {
  findSimilarSessions,
  SESSION_COLUMNS,
  type SessionRow,
  writeSessionProfiles,
} from '../db/sessions.js';
import { type DigraphStat, profileSession, type SessionProfile } from '../sessions/profile.js';
import { parseRecordings, type Recording } from '../sessions/recording.js';
import { DeckscopeError } from '../util/errors.js';
import type { SessionsIngestOptions, SessionsSimilarOptions } from './args.js';
import { openEnricher } from './enrich.js';

/** Profiles written per transaction (rows). */
const SESSION_BATCH_ROWS = 500;
/** A watched file is ingested once it has not changed for this long (ms), or at the latest this
 *  long after its first unsettled change (a day shard appended to all the time). */
const WATCH_SETTLE_MS = 1000;
const WATCH_MAX_WAIT_MS = 30_000;
/** Between retries of a batch the database refused, in watch mode (ms). */
const WATCH_RETRY_MS = 5000;
/** Recordings larger than this are refused (bytes): a day shard of a busy honeypot is tens of MiB. */
export const MAX_RECORDING_BYTES = 512 * 1024 * 1024;
const RECORDING_EXTENSIONS = /\.(cast|jsonl|json|ndjson)$/i;

export interface SessionsIngestSummary {
  files: number;
  sessions: number;
  written: number;
  /** Sessions the database refused (a value it cannot store), skipped with a warning. */
  refused: number;
  /** Files not ingested, by reason. */
  skippedFiles: Record<string, number>;
  /** Event lines the parser skipped, and its anomaly counters. */
  skippedLines: number;
  anomalies: Record<string, number>;
  wallSeconds: number;
  /** Wall time from when the database and the offline datasets were ready to the last write (the
   *  rate is over this: it leaves out start-up and the wait for reverse-DNS answers at exit). */
  ingestSeconds: number;
}

/** The session_profile id of a recording. With a session id (a DECNET shard's, or one from the
 *  file name) it is `sid:` plus a hash of honeypot, service and sid, since sids are unique per
 *  honeypot, not across a fleet; otherwise a hash of the file's path and header line, which stay
 *  the same while a recording grows (so --watch replaces, never duplicates). */
export function sessionId(rec: Recording, path: string, fileText: string): string {
  const h = createHash('sha256');
  if (rec.sid !== null && rec.sid !== '') {
    h.update(`${rec.honeypot ?? ''}\0${rec.service ?? ''}\0${rec.sid}`);
    return `sid:${h.digest('hex').slice(0, 32)}`;
  }
  const nl = fileText.indexOf('\n');
  h.update(`${resolve(path)}\n${nl < 0 ? fileText : fileText.slice(0, nl)}`);
  return `sha256:${h.digest('hex').slice(0, 32)}`;
}

/** The top digraphs as the table holds them (migration 007): `[digraph, count, mean_iat_ms]`,
 *  the mean to 1 µs (the precision of the recordings' times). Arrays rather than objects halve
 *  what the column costs to write. */
export function digraphTriples(digraphs: readonly DigraphStat[]): [string, number, number][] {
  return digraphs.map((d) => [d.digraph, d.count, Math.round(d.mean_iat_ms * 1000) / 1000]);
}

/** The row of one session. */
export function sessionRow(rec: Recording, fileText: string, source: string): SessionRow {
  // The profile is this row's own: its columns are added to it rather than spread into a new
  // object (a spread of its ~60 keys was 4 % of ingesting a session in a CPU profile).
  const profile = profileSession(rec) as SessionProfile & Record<string, unknown>;
  return Object.assign(profile, {
    kd_top_digraphs: digraphTriples(profile.kd_top_digraphs),
    session_id: sessionId(rec, source, fileText),
    attacker_ip: rec.attackerIp,
    honeypot: rec.honeypot,
    service: rec.service,
    source,
    sid: rec.sid,
    format: rec.format,
    started_at: rec.startedAt === null ? null : new Date(rec.startedAt * 1000).toISOString(),
  });
}

/** A row as `--json` prints it: the table's columns in order, the SimHash as a decimal string. */
function rowJson(row: SessionRow): string {
  const out: Record<string, unknown> = {};
  for (const c of SESSION_COLUMNS) {
    if (c === 'kd_simhash_bands') continue;
    const v = row[c];
    out[c] = typeof v === 'bigint' ? v.toString() : (v ?? null);
  }
  return JSON.stringify(out);
}

/** Files under `path` (itself when it is a file). Explicit files are taken whatever their name. */
function recordingFiles(path: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DeckscopeError(
      code === 'EACCES' ? 'E_FILE_PERMISSION' : 'E_NO_SUCH_FILE',
      code === 'EACCES'
        ? `${path}: permission denied: run as a user who can read the recordings`
        : `${path}: no such file or directory: give a recording file or a directory of recordings`,
    );
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && RECORDING_EXTENSIONS.test(e.name)) out.push(p);
    }
  };
  walk(path);
  return out;
}

/** Read buffer of readRecording for recordings up to its size (1 MiB), reused across files; a
 *  larger file gets a buffer of its own, freed with it. */
const readBuffer = Buffer.allocUnsafe(1 << 20);

/** The text of a recording (UTF-8), or null when it is larger than `max` bytes. One open,
 *  fstat and read to the end (a file that grows meanwhile is read as far as it goes, never past
 *  the limit); a stat by path plus readFileSync cost a quarter more per file. */
export function readRecording(path: string, max = MAX_RECORDING_BYTES): string | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) return null;
    // One byte more than the file, so that its end is seen without growing the buffer.
    let buf = size < readBuffer.length ? readBuffer : Buffer.allocUnsafe(size + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > max) return null;
        const larger = Buffer.allocUnsafe(Math.min(2 * n, max + 1));
        buf.copy(larger, 0, 0, n);
        buf = larger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reads, parses and profiles one file; problems are counted in `s`, never thrown. */
function profileFile(path: string, s: SessionsIngestSummary, warn: (m: string) => void): SessionRow[] {
  const skip = (why: string, message: string) => {
    s.skippedFiles[why] = (s.skippedFiles[why] ?? 0) + 1;
    warn(`${path}: ${message}`);
    return [];
  };
  let text: string;
  try {
    const read = readRecording(path);
    if (read === null)
      return skip('too_large', `larger than ${MAX_RECORDING_BYTES >> 20} MiB: split it or raise the limit`);
    text = read;
  } catch (err) {
    return skip('unreadable', (err as Error).message);
  }
  const parsed = parseRecordings(text, path);
  if (!parsed.ok) return skip('not_a_recording', parsed.error);
  s.files++;
  s.skippedLines += parsed.skippedLines;
  for (const [k, v] of Object.entries(parsed.anomalies)) s.anomalies[k] = (s.anomalies[k] ?? 0) + v;
  const rows = parsed.sessions.map((rec) => sessionRow(rec, text, path));
  s.sessions += rows.length;
  return rows;
}

async function openMigrated(url: string): Promise<Db> {
  const db = await openDb(url);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

function formatSummary(s: SessionsIngestSummary): string {
  const skipped = Object.entries(s.skippedFiles)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rate = s.ingestSeconds > 0 ? Math.round(s.sessions / s.ingestSeconds) : s.sessions;
  return [
    `files      ${s.files} read${skipped ? `, skipped: ${skipped}` : ''}`,
    `sessions   ${s.sessions} profiled, ${s.written} rows written${s.refused ? `, ${s.refused} refused` : ''} (${rate} sessions/s after start-up)`,
    s.skippedLines ? `lines      ${s.skippedLines} event lines skipped` : '',
    `wall       ${s.wallSeconds.toFixed(2)} s`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Runs `deckscope sessions ingest`; resolves with the exit status. */
export async function runSessionsIngest(o: SessionsIngestOptions): Promise<number> {
  const started = process.hrtime.bigint();
  const s: SessionsIngestSummary = {
    files: 0,
    sessions: 0,
    written: 0,
    refused: 0,
    skippedFiles: {},
    skippedLines: 0,
    anomalies: {},
    wallSeconds: 0,
    ingestSeconds: 0,
  };
  const warn = (m: string) => {
    if (!o.quiet) process.stderr.write(`deckscope: warning: ${m}\n`);
  };
  // Every path must exist before the database is opened.
  const files = o.paths.flatMap(recordingFiles);
  if (o.watch) for (const p of o.paths) if (!statSync(p).isDirectory()) throw notADirectory(p);
  const db = await openMigrated(o.db);
  let enricher: ReturnType<typeof openEnricher>;
  try {
    enricher = openEnricher(o, db, (w) => warn(w.message));
  } catch (err) {
    await db.close();
    throw err;
  }
  enricher?.start();
  const opened = process.hrtime.bigint(); // the database and the offline datasets are ready
  // Rows waiting for the database, by session id: a file profiled again replaces its rows.
  const pending = new Map<string, SessionRow>();
  // One batch is written while the next files are parsed (with a server, on another core); a
  // batch that fails goes back to `pending` unless a newer profile of its sessions arrived.
  let writing: Promise<void> = Promise.resolve();
  const writeBatch = async (batch: SessionRow[]) => {
    try {
      const r = await writeSettingAside(batch, (rows) =>
        db.transaction((tx) => writeSessionProfiles(tx, rows)),
      );
      const refused = new Set(r.refused.map((x) => x.row));
      for (const x of r.refused) {
        s.refused++;
        warn(
          `${x.row.source}: session ${x.row.session_id} was refused by the database (${x.reason}); skipped`,
        );
      }
      const ok = batch.filter((row) => !refused.has(row));
      s.written += ok.length;
      if (o.json) process.stdout.write(ok.map((row) => `${rowJson(row)}\n`).join(''));
      if (enricher)
        for (const row of ok)
          if (row.attacker_ip !== null)
            enricher.see(row.attacker_ip, row.started_at ?? new Date().toISOString());
    } catch (err) {
      for (const row of batch) if (!pending.has(row.session_id)) pending.set(row.session_id, row);
      throw err;
    }
  };
  /** Starts writing the next batch once the previous write is done. */
  const startBatch = async () => {
    await writing;
    const batch = [...pending.values()].slice(0, SESSION_BATCH_ROWS);
    for (const row of batch) pending.delete(row.session_id);
    writing = writeBatch(batch);
    // Awaited by the next batch or the flush, which see its error; until then it must not count
    // as an unhandled rejection (that would end the process before the error is reported).
    writing.catch(() => {});
  };
  const flush = async () => {
    await writing;
    while (pending.size) {
      await startBatch();
      await writing;
    }
  };
  const take = async (path: string) => {
    for (const row of profileFile(path, s, warn)) {
      pending.delete(row.session_id); // the newest profile goes last
      pending.set(row.session_id, row);
    }
    if (pending.size >= SESSION_BATCH_ROWS) await startBatch();
  };
  try {
    for (const f of files) await take(f);
    await flush();
    if (o.watch) await watchDirectories(o.paths, take, flush, warn);
    s.ingestSeconds = Number(process.hrtime.bigint() - opened) / 1e9;
  } finally {
    try {
      await enricher?.close();
    } finally {
      await db.close();
    }
  }
  s.wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!o.quiet) process.stderr.write(`${formatSummary(s)}\n`);
  return 0;
}

function notADirectory(p: string): DeckscopeError {
  return new DeckscopeError('E_USAGE', `--watch: ${p} is not a directory: give the recordings directory`);
}

/** Watches the directories until SIGINT/SIGTERM: a file that was created or changed is ingested once
 *  it has been quiet for WATCH_SETTLE_MS. A batch the database refuses is kept and retried. */
function watchDirectories(
  dirs: string[],
  take: (path: string) => Promise<void>,
  flush: () => Promise<void>,
  warn: (m: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const timers = new Map<string, NodeJS.Timeout>();
    const watchers: FSWatcher[] = [];
    let chain = Promise.resolve();
    let stopping = false;
    let retry: NodeJS.Timeout | null = null;
    const run = (job: () => Promise<void>) => {
      chain = chain.then(job).catch((err: Error) => {
        warn(`database write failed (${err.message}); retrying in ${WATCH_RETRY_MS / 1000} s`);
        if (!retry && !stopping)
          retry = setTimeout(() => {
            retry = null;
            run(flush);
          }, WATCH_RETRY_MS);
      });
    };
    const firstChange = new Map<string, number>();
    const ingest = (path: string) => {
      timers.delete(path);
      firstChange.delete(path);
      run(async () => {
        try {
          if (!statSync(path).isFile()) return;
        } catch {
          return; // removed before it settled
        }
        await take(path);
        await flush();
      });
    };
    const changed = (dir: string, name: string | null) => {
      if (!name || !RECORDING_EXTENSIONS.test(name)) return;
      const path = join(dir, name);
      const first = firstChange.get(path) ?? Date.now();
      firstChange.set(path, first);
      clearTimeout(timers.get(path));
      const wait = Math.max(0, Math.min(WATCH_SETTLE_MS, first + WATCH_MAX_WAIT_MS - Date.now()));
      timers.set(
        path,
        setTimeout(() => ingest(path), wait),
      );
    };
    for (const dir of dirs) watchers.push(watch(dir, { recursive: true }, (_e, name) => changed(dir, name)));
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const w of watchers) w.close();
      for (const t of timers.values()) clearTimeout(t);
      if (retry) clearTimeout(retry);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // What was already read is written before the exit; a failure here is reported.
      chain = chain.then(flush).catch((err: Error) => warn(`database write failed at exit: ${err.message}`));
      void chain.then(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    warn(`watching ${dirs.map((d) => basename(d) || d).join(', ')} for recordings (SIGINT to stop)`);
  });
}

/** Runs `deckscope sessions similar`; resolves with the exit status. */
export async function runSessionsSimilar(o: SessionsSimilarOptions): Promise<number> {
  const db = await openMigrated(o.db);
  try {
    const r = await findSimilarSessions(db, o.sessionId, { maxDistance: o.maxDistance, limit: o.limit });
    if (r.status === 'no-such-session')
      throw new DeckscopeError(
        'E_INPUT',
        `no session '${o.sessionId}' in ${db.label}: ingest it first (deckscope sessions ingest PATH)`,
      );
    if (r.status === 'no-simhash')
      throw new DeckscopeError(
        'E_INPUT',
        `session '${o.sessionId}' has no digraph SimHash (fewer than 8 distinct digraphs or 20 samples of echoed typing)`,
      );
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ query: r.query, neighbours: r.neighbours })}\n`);
      return 0;
    }
    process.stdout.write(
      `${r.neighbours.length} session(s) within ${o.maxDistance} bits of ${r.query.session_id} (simhash ${r.query.simhash})\n`,
    );
    for (const n of r.neighbours) {
      const when = n.started_at ? n.started_at.toISOString().replace('.000Z', 'Z') : '-';
      process.stdout.write(
        `${String(n.distance).padStart(3)}  ${n.session_id}  ${n.attacker_ip ?? '-'}  ${n.honeypot ?? '-'}  ${when}  ${n.kd_total_keystrokes} keys  ${n.verdict ?? '-'}\n`,
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}
