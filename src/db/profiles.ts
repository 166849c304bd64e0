// The profiler's flush: one batch of attacker snapshots -> attackers (existence, first/last seen,
// traversal path, commands) and attacker_behavior (the profiler's columns), in one transaction.
// The rows travel as one json array parameter, one element per address (the caller deduplicates
// and sorts them by ip), and each element is parsed as jsonb on its own: on a server, jsonb_in over
// one multi-MiB document costs about five times as much per byte as over its elements one by one.
//
// Commutative, in the style of ingest.ts: attackers rows are locked first, in ip order (the same
// order as the event writer's UPSERT_ATTACKERS), with LEAST/GREATEST first/last seen; then
// attacker_behavior rows in attacker_uuid order. A snapshot replaces the stored one only when it is
// greater by (profile_at, profile_events, profile_sensor), a total order, so several sensors, retried
// ticks and replays converge on the same row whatever the order of their writes (the greatest
// snapshot wins); the attackers columns that belong to the snapshot follow it.

import type { Tx } from './adapter.js';
import { textArray } from './binary.js';

/** A jsonb value already serialised (the profiler serialises each snapshot column once). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** One attacker's snapshot as written (times as ISO-8601 UTC strings, jsonb columns as values or
 *  as RawJson). */
export interface ProfileRow {
  ip: string;
  first_seen: string;
  last_seen: string;
  profile_at: string;
  profile_events: number;
  profile_sensor: string;
  behavior_class: string;
  beacon_interval_s: number | null;
  beacon_jitter_pct: number | null;
  c2_framework: string | null;
  tool_guesses: unknown;
  timing_stats: unknown;
  phase_sequence: unknown;
  classification: unknown;
  c2_attribution: unknown;
  scan_stats: unknown;
  auth_attempts: number;
  auth_failures: number;
  command_count: number;
  traversal_path: string | null;
  is_traversal: boolean;
  commands: unknown;
}

const ENSURE_ATTACKERS = `
INSERT INTO attackers AS a (ip, first_seen, last_seen, updated_at)
SELECT r.ip::inet, min(r.first_seen::timestamptz), max(r.last_seen::timestamptz), now()
FROM unnest($1::text[], $2::text[], $3::text[]) AS r(ip, first_seen, last_seen)
GROUP BY r.ip::inet
ORDER BY r.ip::inet
ON CONFLICT (ip) DO UPDATE SET
  first_seen = LEAST(a.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen)
WHERE EXCLUDED.first_seen < a.first_seen OR EXCLUDED.last_seen > a.last_seen`;

/** Makes sure an attackers row exists for each address, widening first/last seen (ISO-8601)
 *  commutatively, in address order; an address may appear more than once. Shared by every writer
 *  that creates attackers (profiles, sessions). The rows travel as three binary text arrays
 *  (binary.ts), each value parsed by the server as before. */
export async function ensureAttackers(
  tx: Tx,
  rows: readonly { ip: string; first_seen: string; last_seen: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(ENSURE_ATTACKERS, [
    textArray(rows.map((r) => r.ip)),
    textArray(rows.map((r) => r.first_seen)),
    textArray(rows.map((r) => r.last_seen)),
  ]);
}

const UPSERT_SNAPSHOTS = `
WITH r AS (
  SELECT r.* FROM json_array_elements($1::json) AS d(doc), jsonb_to_record(d.doc::jsonb) AS r(
    ip inet, profile_at timestamptz, profile_events bigint, profile_sensor text,
    behavior_class text, beacon_interval_s double precision, beacon_jitter_pct double precision,
    c2_framework text, tool_guesses jsonb, timing_stats jsonb, phase_sequence jsonb,
    classification jsonb, c2_attribution jsonb, scan_stats jsonb, auth_attempts integer,
    auth_failures integer, command_count integer, traversal_path text, is_traversal boolean,
    commands jsonb)
), up AS (
  INSERT INTO attacker_behavior AS b (
    attacker_uuid, ip, behavior_class, beacon_interval_s, beacon_jitter_pct, tool_guesses,
    timing_stats, phase_sequence, profile_at, profile_events, profile_sensor, classification,
    c2_framework, c2_attribution, scan_stats, auth_attempts, auth_failures, command_count, updated_at)
  SELECT a.uuid, a.ip, r.behavior_class, r.beacon_interval_s, r.beacon_jitter_pct, r.tool_guesses,
         COALESCE(r.timing_stats, '{}'::jsonb), COALESCE(r.phase_sequence, '{}'::jsonb), r.profile_at,
         r.profile_events, r.profile_sensor, r.classification, r.c2_framework, r.c2_attribution,
         r.scan_stats, r.auth_attempts, r.auth_failures, r.command_count, now()
  FROM r JOIN attackers a ON a.ip = r.ip
  ORDER BY a.uuid
  ON CONFLICT (attacker_uuid) DO UPDATE SET
    behavior_class = EXCLUDED.behavior_class,
    beacon_interval_s = EXCLUDED.beacon_interval_s,
    beacon_jitter_pct = EXCLUDED.beacon_jitter_pct,
    tool_guesses = EXCLUDED.tool_guesses,
    timing_stats = EXCLUDED.timing_stats,
    phase_sequence = EXCLUDED.phase_sequence,
    profile_at = EXCLUDED.profile_at,
    profile_events = EXCLUDED.profile_events,
    profile_sensor = EXCLUDED.profile_sensor,
    classification = EXCLUDED.classification,
    c2_framework = EXCLUDED.c2_framework,
    c2_attribution = EXCLUDED.c2_attribution,
    scan_stats = EXCLUDED.scan_stats,
    auth_attempts = EXCLUDED.auth_attempts,
    auth_failures = EXCLUDED.auth_failures,
    command_count = EXCLUDED.command_count,
    updated_at = now()
  WHERE b.profile_at IS NULL
     OR (EXCLUDED.profile_at, EXCLUDED.profile_events, EXCLUDED.profile_sensor)
      > (b.profile_at, b.profile_events, b.profile_sensor)
  RETURNING attacker_uuid
), paths AS (
  -- Only rows whose values change: rewriting an attackers row is the costly part of a tick.
  UPDATE attackers AS a SET
    traversal_path = r.traversal_path,
    is_traversal = r.is_traversal,
    commands = COALESCE(r.commands, '[]'::jsonb)
  FROM up, r
  WHERE a.uuid = up.attacker_uuid AND a.ip = r.ip
    AND (a.traversal_path IS DISTINCT FROM r.traversal_path
         OR a.is_traversal IS DISTINCT FROM r.is_traversal
         OR a.commands IS DISTINCT FROM COALESCE(r.commands, '[]'::jsonb))
)
SELECT count(*)::int AS written FROM up`;

/** Writes one batch of snapshots (unique ips, sorted) in the caller's transaction; returns the
 *  attacker_behavior rows inserted or replaced (older snapshots than the stored ones are skipped). */
export async function writeProfiles(tx: Tx, rows: readonly ProfileRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  await ensureAttackers(tx, rows);
  const r = await tx.query<{ written: number }>(UPSERT_SNAPSHOTS, [rowsJson(rows)]);
  return Number(r.rows[0]?.written ?? 0);
}

/** JSON.stringify of the rows, with RawJson values spliced in as they are. */
function rowsJson(rows: readonly ProfileRow[]): string {
  const out: string[] = [];
  for (const r of rows) {
    const fields: string[] = [];
    for (const [k, v] of Object.entries(r)) {
      if (v === undefined) continue;
      fields.push(`${JSON.stringify(k)}:${v instanceof RawJson ? v.text : JSON.stringify(v)}`);
    }
    out.push(`{${fields.join(',')}}`);
  }
  return `[${out.join(',')}]`;
}
