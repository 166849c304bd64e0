// The PostgreSQL sink: JSON lines in batch order -> a bounded queue -> batches written by one
// flusher (src/db/ingest.ts), flushed on size or time; on a server, up to --db-connections batches
// at once, each on a connection of its own (every profile update commutes, so their commit order
// does not matter). When the database is down (or, for live
// capture, slower than the traffic), lines go to a local spool (src/db/spool.ts) and are
// replayed in order once it answers again; the spool is bounded too, past it live capture sheds
// and counts. write() never waits on the database, except that file replay waits for room in the
// queue or spool (back-pressure on a reader that can wait).

import { type Db, type DbLocation, openDb, parseDbUrl, type Tx } from '../db/adapter.js';
import { isDataError, writeInHalves } from '../db/errors.js';
import { type BatchResult, insertBatch, prepareSession } from '../db/ingest.js';
import {
  BATCH_BYTES,
  BATCH_EVENTS,
  CLOSE_TIMEOUT_MS,
  DB_LIMITS,
  FLUSH_MS,
  MAINTENANCE_MS,
  PARTITIONS_AHEAD_DAYS,
  QUERY_TIMEOUT_MS,
  RECONNECT_MAX_MS,
  RECONNECT_MIN_MS,
  WRITE_ATTEMPTS,
} from '../db/limits.js';
import { migrate } from '../db/migrate.js';
import { ensurePartitions, maintainPartitions, retentionCutoff, utcDay } from '../db/partitions.js';
import { type Segment, Spool } from '../db/spool.js';
import type { EventSink } from './sink.js';

export interface PostgresSinkOptions {
  /** --db value (postgres://… or pglite:DIR). */
  db: string;
  /** Spool directory. */
  spoolDir: string;
  spoolMaxBytes: number;
  queueMaxBytes: number;
  /** 0 keeps every event; otherwise days of events kept. */
  retentionDays: number;
  /** True for file replay: wait for room instead of shedding. */
  backpressure: boolean;
  batchEvents?: number;
  flushMs?: number;
  /** Event batches written at once on a server, each on a connection of its own (default
   *  DB_LIMITS.connections; PGlite: always 1). */
  connections?: number;
  closeTimeoutMs?: number;
  onWarning?: (w: { code: string; message: string }) => void;
  /** Opens a connection (default: openDb); tests and embedders may pass their own. */
  connect?: (loc: DbLocation, opts: { connectTimeoutMs?: number; queryTimeoutMs?: number }) => Promise<Db>;
}

/** What the writer did, for the run summary. */
export interface DbMetrics {
  db: string;
  /** Lines received from the pipeline. */
  events: number;
  /** Events newly inserted. */
  written: number;
  /** Events already in the database (a replay or a retry). */
  duplicates: number;
  /** Transactions committed. */
  batches: number;
  /** Failed batch writes that were tried again (at once, or later from the spool). */
  batchesRetried: number;
  /** Times the database went away. */
  outages: number;
  /** Events written to the spool. */
  spooled: number;
  /** Spooled events later committed. */
  replayed: number;
  /** Events dropped because queue and spool were full (live capture only). */
  shed: number;
  /** Lines the database refused (kept in the spool's rejected.jsonl). */
  rejected: number;
  /** Events older than --retention-days, not written. */
  expired: number;
  /** attacker_fingerprints / attackers rows inserted or updated. */
  fingerprintRows: number;
  attackerRows: number;
  /** Highest bytes queued in memory, and on disk in the spool; what the spool holds at the end. */
  queuePeakBytes: number;
  spoolPeakBytes: number;
  spoolBytesLeft: number;
  partitionsDropped: number;
}

interface LoadedSegment {
  seg: Segment;
  /** Entries of this segment not committed yet. */
  pending: number;
}

interface Entry {
  data: Buffer;
  lines: number;
  days: string[];
  /** Arrival time (ms), for the time-based flush. */
  at: number;
  /** The spool segment it was read from, or null when it came from the pipeline. */
  from: LoadedSegment | null;
}

const TS_PREFIX = Buffer.from('{"ts":"');

/** The UTC day of a line written by the event builder ({"ts":"YYYY-MM-DDTHH:MM:SS.ffffffZ",…}),
 *  read from its bytes; other lines are parsed. Null when the line has no usable ts. */
function dayOf(buf: Buffer, start: number, end: number): string | null {
  if (
    end - start > 36 &&
    buf.compare(TS_PREFIX, 0, 7, start, start + 7) === 0 &&
    buf[start + 11] === 0x2d &&
    buf[start + 14] === 0x2d &&
    buf[start + 33] === 0x5a && // Z
    buf[start + 34] === 0x22
  )
    return buf.toString('latin1', start + 7, start + 17);
  try {
    const ts = (JSON.parse(buf.toString('utf8', start, end)) as { ts?: unknown }).ts;
    const ms = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
    return Number.isFinite(ms) ? utcDay(ms) : null;
  } catch {
    return null;
  }
}

interface Scanned {
  data: Buffer;
  lines: number;
  days: string[];
  expired: number;
  invalid: string[];
}

/** Counts the lines of a chunk and their days; drops lines before `cutoff` and lines without a
 *  timestamp (copying only when something was dropped). */
function scan(buf: Buffer, cutoff: string | null): Scanned {
  const days = new Set<string>();
  let lines = 0;
  let expired = 0;
  const invalid: string[] = [];
  let kept: Buffer[] | null = null;
  let runStart = 0;
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end === -1) end = buf.length;
    if (end > start) {
      const day = dayOf(buf, start, end);
      const drop = day === null || (cutoff !== null && day < cutoff);
      if (drop) {
        if (day === null) invalid.push(buf.toString('utf8', start, end));
        else expired++;
        kept ??= [];
        if (start > runStart) kept.push(buf.subarray(runStart, start));
        runStart = Math.min(end + 1, buf.length);
      } else {
        lines++;
        days.add(day);
      }
    }
    start = end + 1;
  }
  let data = buf;
  if (kept) {
    if (runStart < buf.length) kept.push(buf.subarray(runStart));
    data = Buffer.concat(kept);
  }
  if (data.length && data[data.length - 1] !== 0x0a) data = Buffer.concat([data, Buffer.from('\n')]);
  return { data, lines, days: [...days], expired, invalid };
}

/** Splits complete lines into pieces of at most `max` lines. */
function splitLines(buf: Buffer, max: number): Array<{ data: Buffer; lines: number }> {
  const out: Array<{ data: Buffer; lines: number }> = [];
  let start = 0;
  let pos = 0;
  let n = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    pos = nl === -1 ? buf.length : nl + 1;
    n++;
    if (n === max || pos >= buf.length) {
      out.push({ data: buf.subarray(start, pos), lines: n });
      start = pos;
      n = 0;
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class PostgresSink implements EventSink {
  readonly closed = false;
  private readonly queue: Entry[] = [];
  private queueBytes = 0;
  private queueLines = 0;
  private state: 'up' | 'down' = 'up';
  private closing = false;
  private hurried = false;
  private closeDeadline = Number.POSITIVE_INFINITY;
  private wakeLoop: (() => void) | null = null;
  private wakeBackoff: (() => void) | null = null;
  private changeWaiters: Array<() => void> = [];
  private readonly knownDays = new Set<string>();
  private lastMaintenance = Date.now();
  private readonly loop: Promise<void>;
  private readonly warned = new Set<string>();
  private readonly batchEvents: number;
  private readonly flushMs: number;
  private readonly m: DbMetrics;
  /** Serialises the writer's statements with other users of the connection (the profiler's
   *  ticks): on one pg connection, a statement sent outside a transaction would run inside it. */
  private exclusiveChain: Promise<unknown> = Promise.resolve();
  /** Batch writers: lane 0 writes on the main connection (shared with the profiler, through
   *  exclusive()); each further lane on a connection of its own, opened on first use. */
  private readonly lanes: Array<{ busy: boolean; db: Db | null; restUntil: number }>;
  /** Batch writes in flight, one per busy lane. */
  private readonly inflight = new Set<Promise<void>>();
  /** The spool segment whose pieces are queued or being written: the spool keeps it until the
   *  last piece commits, and it must not be read a second time meanwhile. */
  private loadedSeg: Segment | null = null;

  private constructor(
    private db: Db,
    private readonly loc: DbLocation,
    private readonly spool: Spool,
    private readonly opts: PostgresSinkOptions,
    dropped: number,
  ) {
    this.batchEvents = opts.batchEvents ?? BATCH_EVENTS;
    this.flushMs = opts.flushMs ?? FLUSH_MS;
    const lanes = loc.kind === 'postgres' ? (opts.connections ?? DB_LIMITS.connections.default) : 1;
    this.lanes = Array.from({ length: Math.max(1, lanes) }, () => ({ busy: false, db: null, restUntil: 0 }));
    this.m = {
      db: loc.label,
      events: 0,
      written: 0,
      duplicates: 0,
      batches: 0,
      batchesRetried: 0,
      outages: 0,
      spooled: 0,
      replayed: 0,
      shed: 0,
      rejected: 0,
      expired: 0,
      fingerprintRows: 0,
      attackerRows: 0,
      queuePeakBytes: 0,
      spoolPeakBytes: 0,
      spoolBytesLeft: 0,
      partitionsDropped: dropped,
    };
    this.loop = this.run();
  }

  /** Connects (throwing a DbError that names the remedy when it cannot), brings the schema up to
   *  date, creates partitions ahead, applies retention, and opens the spool. */
  static async open(opts: PostgresSinkOptions): Promise<PostgresSink> {
    const loc = parseDbUrl(opts.db);
    const spool = Spool.open(opts.spoolDir, opts.spoolMaxBytes);
    let db: Db | null = null;
    try {
      db = await (opts.connect ?? openDb)(loc, { queryTimeoutMs: QUERY_TIMEOUT_MS });
      await migrate(db);
      const { dropped } = await maintainPartitions(db, {
        aheadDays: PARTITIONS_AHEAD_DAYS,
        retentionDays: opts.retentionDays,
      });
      await prepareSession(db);
      return new PostgresSink(db, loc, spool, opts, dropped);
    } catch (err) {
      spool.close();
      await db?.close();
      throw err;
    }
  }

  /** Lines received so far. */
  get lines(): number {
    return this.m.events;
  }

  /** Counters so far (final after close()). */
  metrics(): DbMetrics {
    return { ...this.m, spoolPeakBytes: this.spool.peakBytes, spoolBytesLeft: this.spool.bytes };
  }

  private warn(code: string, message: string): void {
    if (this.warned.has(code)) return;
    this.warned.add(code);
    this.opts.onWarning?.({ code, message });
  }

  private signal(): void {
    this.wakeLoop?.();
    this.wakeLoop = null;
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when the queue, the spool or the state changes (or after a second, to re-check). */
  private changed(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 1000);
      this.changeWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Takes complete JSON lines; returns at once unless file replay has to wait for room. */
  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength === 0) return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const s = scan(buf, retentionCutoff(this.opts.retentionDays));
    this.m.events += s.lines + s.expired + s.invalid.length;
    this.m.expired += s.expired;
    for (const line of s.invalid) await this.reject(line);
    if (s.lines === 0) return;
    const entry: Entry = { data: s.data, lines: s.lines, days: s.days, at: Date.now(), from: null };
    for (;;) {
      if (this.state === 'up' && this.spool.empty) {
        if (this.queueBytes === 0 || this.queueBytes + entry.data.length <= this.opts.queueMaxBytes) {
          this.enqueue(entry);
          return;
        }
        if (this.opts.backpressure) {
          await this.changed();
          continue;
        }
      }
      // The database is away, or the spool is in use (later lines queue behind it), or live
      // capture outran the database: to disk.
      if (this.spool.maxBytes > 0 && this.spool.fits(entry.data.length)) {
        try {
          await this.spool.append(entry.data);
          this.m.spooled += entry.lines;
          this.signal();
        } catch (err) {
          this.m.shed += entry.lines;
          this.warn('E_DB_SPOOL', `cannot write the spool in ${this.spool.dir}: ${(err as Error).message}`);
        }
        return;
      }
      if (this.opts.backpressure && !this.closing) {
        await this.changed();
        continue;
      }
      this.m.shed += entry.lines;
      this.warn(
        'E_DB_SHED',
        `database queue and spool are full: dropping events (counted); raise --db-spool-max or check ${this.m.db}`,
      );
      return;
    }
  }

  private enqueue(e: Entry): void {
    this.queue.push(e);
    this.queueBytes += e.data.length;
    this.queueLines += e.lines;
    if (this.queueBytes > this.m.queuePeakBytes) this.m.queuePeakBytes = this.queueBytes;
    if (this.queueLines >= this.batchEvents || this.queue.length === 1) this.signal();
  }

  private async reject(line: string): Promise<void> {
    this.m.rejected++;
    this.warn(
      'E_DB_REJECTED',
      `the database refused an event line; kept in ${this.spool.dir}/rejected.jsonl (counted as rejected)`,
    );
    await this.spool.reject(line).catch(() => {});
  }

  /** Makes close() stop writing at once: what is left goes to the spool (a second SIGINT). */
  hurry(): void {
    this.hurried = true;
    this.closeDeadline = Math.min(this.closeDeadline, Date.now());
    this.wakeBackoff?.();
    this.signal();
  }

  /** Writes everything queued or spooled (until the close timeout), then disconnects. Lines not
   *  written by then stay in the spool for the next start. */
  async close(): Promise<void> {
    this.closing = true;
    this.closeDeadline = this.hurried
      ? Date.now()
      : Date.now() + (this.opts.closeTimeoutMs ?? CLOSE_TIMEOUT_MS);
    this.signal();
    this.wakeBackoff?.(); // try the database once more now, then until the deadline
    await this.loop;
    await this.toSpoolAhead(this.queue.splice(0));
    this.queueBytes = 0;
    this.queueLines = 0;
    this.m.spoolPeakBytes = this.spool.peakBytes;
    this.m.spoolBytesLeft = this.spool.bytes;
    if (this.m.spoolBytesLeft > 0)
      this.warn(
        'E_DB_PENDING',
        `${this.m.spoolBytesLeft} bytes of events wait in ${this.spool.dir}; they are written at the next start`,
      );
    await this.sideChain;
    await this.side?.close().catch(() => {});
    this.side = null;
    for (const lane of this.lanes) {
      await lane.db?.close().catch(() => {});
      lane.db = null;
    }
    await this.db.close();
    this.spool.close();
  }

  private get overdue(): boolean {
    return this.closing && Date.now() >= this.closeDeadline;
  }

  /** The flusher; returns when closed (or overdue) with no batch in flight. */
  private async run(): Promise<void> {
    try {
      await this.flusher();
    } finally {
      while (this.inflight.size) await Promise.all(this.inflight);
    }
  }

  private async flusher(): Promise<void> {
    let backoff = RECONNECT_MIN_MS;
    for (;;) {
      if (this.overdue) return;
      if (this.state === 'down') {
        await this.backoff(backoff * (0.75 + Math.random() / 2));
        backoff = Math.min(backoff * 2, RECONNECT_MAX_MS);
        if (await this.reconnect()) backoff = RECONNECT_MIN_MS;
        continue;
      }
      if (Date.now() - this.lastMaintenance >= MAINTENANCE_MS) await this.maintain();
      if (this.queue.length === 0) {
        if (!this.spool.empty) {
          await this.load();
          continue;
        }
        if (this.closing) {
          // Done once the batches in flight are: one that fails is spooled, and this loop then
          // retries it until the close deadline.
          if (this.inflight.size === 0) return;
          await Promise.race(this.inflight);
          continue;
        }
        await this.idle(MAINTENANCE_MS);
        continue;
      }
      const age = Date.now() - this.queue[0]!.at;
      if (!this.closing && this.queueLines < this.batchEvents && age < this.flushMs) {
        await this.idle(this.flushMs - age);
        continue;
      }
      const now = Date.now();
      const lane = this.lanes.findIndex((l) => !l.busy && l.restUntil <= now);
      if (lane === -1) {
        await Promise.race(this.inflight);
        continue;
      }
      this.start(lane, this.take());
    }
  }

  /** Writes a batch on `lane` in the background; the lane is free again when it is done. */
  private start(lane: number, entries: Entry[]): void {
    this.lanes[lane]!.busy = true;
    const p: Promise<void> = this.writeBatch(entries, lane)
      .catch((err: Error) => this.goDown(entries, err)) // writeBatch handles its errors; defensive
      .finally(() => {
        this.lanes[lane]!.busy = false;
        this.inflight.delete(p);
        this.signal();
      });
    this.inflight.add(p);
  }

  /** Waits `ms` between reconnection attempts; only close() and hurry() cut it short (new
   *  events arriving must not turn the back-off into a busy loop). */
  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.wakeBackoff = null;
        resolve();
      }
      this.wakeBackoff = done;
    });
  }

  /** Waits until signalled or `ms` passed. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeLoop = done;
    });
  }

  /** Takes queued entries up to one batch. */
  private take(): Entry[] {
    const out: Entry[] = [];
    let lines = 0;
    let bytes = 0;
    while (this.queue.length) {
      const e = this.queue[0]!;
      if (out.length && (lines + e.lines > this.batchEvents || bytes + e.data.length > BATCH_BYTES)) break;
      this.queue.shift();
      lines += e.lines;
      bytes += e.data.length;
      out.push(e);
    }
    this.queueBytes -= bytes;
    this.queueLines -= lines;
    this.signal();
    return out;
  }

  /** Reads the oldest spool segment into the queue (the queue is empty: it is older than the
   *  spool). */
  private async load(): Promise<void> {
    const seg = this.spool.takeOldest();
    if (!seg) return;
    if (seg === this.loadedSeg && this.inflight.size) {
      // Its last pieces are being written: it goes when they commit.
      await Promise.race(this.inflight);
      return;
    }
    this.loadedSeg = seg;
    let data: Buffer;
    try {
      data = await this.spool.read(seg);
    } catch (err) {
      this.warn('E_DB_SPOOL', `cannot read ${seg.path}: ${(err as Error).message}; skipped`);
      await this.removeSegment(seg);
      return;
    }
    const s = scan(data, retentionCutoff(this.opts.retentionDays));
    this.m.expired += s.expired;
    for (const line of s.invalid) await this.reject(line);
    const pieces = s.lines ? splitLines(s.data, this.batchEvents) : [];
    if (pieces.length === 0) {
      await this.removeSegment(seg);
      return;
    }
    const from: LoadedSegment = { seg, pending: pieces.length };
    const now = Date.now() - this.flushMs; // due at once
    for (const p of pieces) {
      const days = [...new Set(scan(p.data, null).days)];
      this.enqueue({ data: p.data, lines: p.lines, days, at: now, from });
    }
  }

  /** Runs `fn` when no other user of the connection is inside a statement sequence. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.exclusiveChain.then(fn);
    this.exclusiveChain = next.catch(() => {});
    return next;
  }

  /** A second connection for the profiler's and the enricher's writes, on a server: they then run
   *  beside the event batches (on the server's other cores) instead of between them. */
  private side: Db | null = null;
  private sideChain: Promise<unknown> = Promise.resolve();

  /**
   * Runs `fn` in one transaction beside the event batches: on a server, on a connection of its
   * own (opened on first use, reopened after it broke; one transaction at a time); on PGlite,
   * which serves one client per process, as transaction() does. Rejects while the database is
   * away; the caller retries later. Both connections lock profile rows in the same order
   * (attackers by address, then attacker_behavior by uuid), so they cannot deadlock each other.
   */
  sideTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.loc.kind !== 'postgres') return this.transaction(fn);
    const next = this.sideChain.then(async () => {
      if (this.state === 'down') throw new Error(`the database ${this.m.db} is not answering`);
      if (this.side?.broken) {
        await this.side.close().catch(() => {});
        this.side = null;
      }
      if (this.side === null) {
        this.side = await (this.opts.connect ?? openDb)(this.loc, { queryTimeoutMs: QUERY_TIMEOUT_MS });
      }
      return this.side.transaction(fn);
    });
    this.sideChain = next.catch(() => {});
    return next;
  }

  /** Runs `fn` in one transaction on the writer's connection, between the writer's batches (the
   *  profiler shares the connection: PGlite serves one client per process). Rejects while the
   *  database is away; the caller retries later. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.exclusive(() => {
      if (this.state === 'down' || this.db.broken)
        return Promise.reject(new Error(`the database ${this.m.db} is not answering`));
      return this.db.transaction(fn);
    });
  }

  private maintain(): Promise<void> {
    return this.exclusive(() => this.maintainNow());
  }

  private async maintainNow(): Promise<void> {
    this.lastMaintenance = Date.now();
    try {
      const r = await maintainPartitions(this.db, {
        aheadDays: PARTITIONS_AHEAD_DAYS,
        retentionDays: this.opts.retentionDays,
      });
      this.m.partitionsDropped += r.dropped;
      if (r.cutoff) for (const d of this.knownDays) if (d < r.cutoff) this.knownDays.delete(d);
    } catch (err) {
      this.warn('E_DB_MAINTENANCE', `partition upkeep failed: ${(err as Error).message}`);
    }
  }

  private async writeBatch(entries: Entry[], lane: number): Promise<void> {
    const data = entries.length === 1 ? entries[0]!.data : Buffer.concat(entries.map((e) => e.data));
    const lines = entries.reduce((n, e) => n + e.lines, 0);
    const days = new Set(entries.flatMap((e) => e.days));
    const text = data.toString('utf8');
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.commit(text, lines, days, lane);
        await this.done(entries, r);
        return;
      } catch (err) {
        if (isDataError(err)) {
          await this.done(entries, await this.bisect(text.split('\n').filter(Boolean), days));
          return;
        }
        this.m.batchesRetried++;
        if (lane > 0) {
          await this.handBack(lane, entries, err);
          return;
        }
        if (attempt >= WRITE_ATTEMPTS || this.overdue) {
          await this.goDown(entries, err);
          return;
        }
        await sleep(100 * attempt * attempt);
        if (lane === 0 && this.db.broken && !(await this.reconnect())) {
          await this.goDown(entries, err);
          return;
        }
      }
    }
  }

  /**
   * A further lane failed: its connection is dropped and the lane rests for a while, and the batch
   * goes back to the head of the queue for the main connection, whose failures alone decide that
   * the database is away (a further connection can fail on its own: too many clients, a connection
   * limit, a dropped socket). While the database is away already, the batch goes to the spool.
   */
  private async handBack(lane: number, entries: Entry[], err: unknown): Promise<void> {
    const l = this.lanes[lane]!;
    l.restUntil = Date.now() + RECONNECT_MAX_MS;
    await l.db?.close().catch(() => {});
    l.db = null;
    this.warn(
      'E_DB_LANE',
      `a further connection to ${this.m.db} failed (${(err as Error).message}); its batches go to the main connection`,
    );
    if (this.state === 'down' || this.overdue) {
      await this.goDown(entries, err);
      return;
    }
    for (const e of entries) {
      this.queueBytes += e.data.length;
      this.queueLines += e.lines;
    }
    this.queue.unshift(...entries);
    this.signal();
  }

  private commit(text: string, lines: number, days: Iterable<string>, lane = 0): Promise<BatchResult> {
    if (lane === 0) return this.exclusive(() => this.commitOn(this.db, text, lines, days));
    return this.laneDb(lane).then((db) => this.commitOn(db, text, lines, days));
  }

  /** Lane `lane`'s own connection (lane > 0), opened (and prepared) when missing or broken. */
  private async laneDb(lane: number): Promise<Db> {
    const l = this.lanes[lane]!;
    if (l.db?.broken) {
      await l.db.close().catch(() => {});
      l.db = null;
    }
    l.db ??= await this.openWriterConnection();
    return l.db;
  }

  private async commitOn(db: Db, text: string, lines: number, days: Iterable<string>): Promise<BatchResult> {
    const missing = [...days].filter((d) => !this.knownDays.has(d));
    if (missing.length) {
      await ensurePartitions(db, missing);
      for (const d of missing) this.knownDays.add(d);
    }
    return db.transaction((tx) => insertBatch(tx, text, lines));
  }

  /** Writes a batch the database refused in halves until the refused lines are isolated; those
   *  go to rejected.jsonl. */
  private async bisect(lines: string[], days: Set<string>): Promise<BatchResult> {
    const total: BatchResult = { lines: lines.length, inserted: 0, fingerprints: 0, attackers: 0 };
    const { results, refused } = await writeInHalves(lines, (part) =>
      this.commit(`${part.join('\n')}\n`, part.length, days),
    );
    for (const r of results) {
      total.inserted += r.inserted;
      total.fingerprints += r.fingerprints;
      total.attackers += r.attackers;
    }
    for (const x of refused) await this.reject(x.row);
    return total;
  }

  private async done(entries: Entry[], r: BatchResult): Promise<void> {
    this.m.batches++;
    this.m.written += r.inserted;
    this.m.duplicates += Math.max(0, r.lines - r.inserted);
    this.m.fingerprintRows += r.fingerprints;
    this.m.attackerRows += r.attackers;
    for (const e of entries) {
      if (!e.from) continue;
      this.m.replayed += e.lines;
      if (--e.from.pending === 0) await this.removeSegment(e.from.seg);
    }
    this.signal();
  }

  private async removeSegment(seg: Segment): Promise<void> {
    if (seg === this.loadedSeg) this.loadedSeg = null;
    await this.spool.remove(seg);
  }

  /** The database is away: what is only in memory goes to the spool ahead of what is there (it
   *  is older); what came from the spool is still there and is read again later. */
  private async goDown(entries: Entry[], err: unknown): Promise<void> {
    this.loadedSeg = null;
    if (this.state === 'up') this.m.outages++;
    this.state = 'down';
    this.warn(
      'E_DB_DOWN',
      `the database ${this.m.db} stopped answering (${(err as Error).message}); spooling to ${this.spool.dir} ` +
        'and retrying',
    );
    const pending = [...entries, ...this.queue.splice(0)];
    this.queueBytes = 0;
    this.queueLines = 0;
    await this.toSpoolAhead(pending);
    this.signal();
  }

  private async toSpoolAhead(entries: Entry[]): Promise<void> {
    const mem = entries.filter((e) => !e.from);
    if (mem.length === 0) return;
    const lines = mem.reduce((n, e) => n + e.lines, 0);
    try {
      await this.spool.prepend(mem.map((e) => e.data));
      this.m.spooled += lines;
    } catch (err) {
      this.m.shed += lines;
      this.warn('E_DB_SPOOL', `cannot write the spool in ${this.spool.dir}: ${(err as Error).message}`);
    }
  }

  /** A new server connection with the writer's session set-up. */
  private async openWriterConnection(): Promise<Db> {
    const db = await (this.opts.connect ?? openDb)(this.loc, {
      connectTimeoutMs: 5_000,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
    });
    try {
      await prepareSession(db);
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    return db;
  }

  /** Opens a new connection when the old one is gone; true when the database answers. */
  private async reconnect(): Promise<boolean> {
    try {
      // A PGlite database lives in this process: there is nothing to reconnect to.
      if (this.loc.kind === 'postgres' && (this.db.broken || this.state === 'down')) {
        const db = await this.openWriterConnection();
        const old = this.db;
        this.db = db;
        await old.close().catch(() => {});
      }
      await this.db.query('SELECT 1');
      this.state = 'up';
      this.signal();
      return true;
    } catch {
      return false;
    }
  }
}

/** The command-line options every `--db` command shares. */
export interface DbCliOptions {
  db: string;
  dbSpool: string;
  dbSpoolMaxBytes: number;
  dbQueueMaxBytes: number;
  dbConnections: number;
  retentionDays: number;
  files: readonly string[];
}

/** Opens the database sink for a command line's options (files wait on a full queue; live
 *  capture and listeners shed). */
export function openDbSink(
  o: DbCliOptions,
  onWarning: (w: { message: string }) => void,
): Promise<PostgresSink> {
  return PostgresSink.open({
    db: o.db,
    spoolDir: o.dbSpool,
    spoolMaxBytes: o.dbSpoolMaxBytes,
    queueMaxBytes: o.dbQueueMaxBytes,
    connections: o.dbConnections,
    retentionDays: o.retentionDays,
    backpressure: o.files.length > 0,
    onWarning,
  });
}
