// Daily partitions of `events`: created ahead of time and on demand for the days a batch holds
// (replayed captures are old), dropped whole when older than the retention window. Days are UTC.

import type { Queryable } from './adapter.js';

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' of a time, in UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `n` days after `day` ('YYYY-MM-DD', UTC). */
export function addDays(day: string, n: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

/** Creates the partitions of `days` that are missing (each call is one short transaction). */
export async function ensurePartitions(db: Queryable, days: Iterable<string>): Promise<void> {
  for (const day of [...new Set(days)].sort())
    await db.query('SELECT deckscope_ensure_events_partition($1::date)', [day]);
}

export interface MaintenanceResult {
  /** Oldest day kept ('YYYY-MM-DD'), or null when retention is off. */
  cutoff: string | null;
  dropped: number;
}

/** Start-up and hourly upkeep: partitions for yesterday through `aheadDays` ahead, and, when
 *  `retentionDays` > 0, drops partitions of days before today − retentionDays + 1. */
export async function maintainPartitions(
  db: Queryable,
  opts: { aheadDays: number; retentionDays: number; nowMs?: number },
): Promise<MaintenanceResult> {
  const today = utcDay(opts.nowMs ?? Date.now());
  const days: string[] = [];
  for (let i = -1; i <= opts.aheadDays; i++) days.push(addDays(today, i));
  const cutoff = retentionCutoff(opts.retentionDays, opts.nowMs);
  await ensurePartitions(
    db,
    days.filter((d) => cutoff === null || d >= cutoff),
  );
  if (cutoff === null) return { cutoff, dropped: 0 };
  const r = await db.query<{ n: number }>('SELECT deckscope_drop_events_before($1::date) AS n', [cutoff]);
  return { cutoff, dropped: r.rows[0]?.n ?? 0 };
}

/** First day kept with `retentionDays` of retention (today counts as one), or null when 0 (keep
 *  everything). */
export function retentionCutoff(retentionDays: number, nowMs = Date.now()): string | null {
  return retentionDays > 0 ? addDays(utcDay(nowMs), 1 - retentionDays) : null;
}
