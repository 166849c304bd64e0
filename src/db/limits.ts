// Limits of the database writer, with unit and reason; the CLI accepts the [min, max] ranges.
// (Same shape as src/config/limits.ts.)

export const DB_LIMITS = {
  /** Events held in memory for the database (bytes of JSON lines, plus the one batch being
   *  written). Bounds memory when the database is slower than capture; past it, live capture
   *  spools and file replay waits. */
  queueMiB: { default: 64, min: 1, max: 4096, unit: 'MiB' },
  /** On-disk spool for events the database cannot take (down or slow). Past it, live capture
   *  sheds and counts, file replay waits. 0 turns the spool off. */
  spoolMiB: { default: 1024, min: 0, max: 1 << 20, unit: 'MiB' },
  /** Days of events kept (whole daily partitions are dropped); 0 keeps everything. */
  retentionDays: { default: 0, min: 0, max: 36500, unit: 'days' },
  /** Event batches written at once to a PostgreSQL server, each on a connection of its own (one
   *  server backend parses a batch's JSON on one core; two use the second core). PGlite serves
   *  one client per process: always 1 there. */
  connections: { default: 2, min: 1, max: 16, unit: 'connections' },
} as const;

/** Events per INSERT batch: large enough that per-statement costs vanish, small enough that a
 *  batch's parameter (~1 KiB per event) and sort stay a few MiB. */
export const BATCH_EVENTS = 5000;
/** Bytes of JSON lines per batch at most (a batch of large events stops early). */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** A partial batch is written after waiting this long (ms) for more events. */
export const FLUSH_MS = 250;
/** Daily partitions created ahead of today. */
export const PARTITIONS_AHEAD_DAYS = 3;
/** Partition upkeep (ahead, retention) runs this often (ms). */
export const MAINTENANCE_MS = 3_600_000;
/** Attempts at one batch before the database counts as away and the writer spools. */
export const WRITE_ATTEMPTS = 3;
/** Reconnection back-off while the database is away (ms): doubles from min to max. */
export const RECONNECT_MIN_MS = 250;
export const RECONNECT_MAX_MS = 5_000;
/** A writer statement that has not answered after this long (ms) counts as a lost connection
 *  (a batch takes well under a second; a vanished server may never answer). */
export const QUERY_TIMEOUT_MS = 120_000;
/** How long close() keeps writing what is queued or spooled before leaving it in the spool for
 *  the next start (ms). */
export const CLOSE_TIMEOUT_MS = 30_000;
