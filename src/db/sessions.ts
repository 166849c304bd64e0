// session_profile rows: the writer of `deckscope sessions ingest` and the SimHash neighbour search of
// `deckscope sessions similar`.
//
// The neighbour search is multi-index hashing (Norouzi, Punjani, Fleet, "Fast Search in Hamming
// Space with Multi-Index Hashing", CVPR 2012): the 64-bit SimHash is cut into three bands of 22, 21
// and 21 bits, stored tagged with their position in one integer[] column with a btree index per
// band. Two
// hashes within Hamming distance r differ in at most floor(r / 3) bits in at least one band
// (pigeonhole), so probing every band value within that radius of the query's bands finds every
// neighbour within r, and only the candidates the index returns are compared exactly. With r = 8
// (DECNET's linking threshold) that is 254 + 232 + 232 probe keys, and about 330 candidates among a
// million random hashes. Past MAX_INDEXED_DISTANCE the probes outnumber what a scan costs, so the
// search compares every row instead.

import type { Queryable, Tx } from './adapter.js';
import { boolArray, float8Array, int4Array, int8Array, textArray } from './binary.js';
import { ensureAttackers } from './profiles.js';

/** Widths of the bands the 64-bit SimHash is cut into, most significant first (bits). */
export const SIMHASH_BAND_BITS: readonly number[] = [22, 21, 21];
/** A band's tag: band i's keys are i × BAND_TAG + value (all below 2^31). */
const BAND_TAG = 1 << 22;
/** The largest distance searched through the index (3 probe bits per band: 1,794 + 2 × 1,562
 *  keys); beyond it, a full scan. */
export const MAX_INDEXED_DISTANCE = 11;
/** The largest --max-distance offered. */
export const MAX_SIMILAR_DISTANCE = 16;

/** One session_profile row as written: column name → value (jsonb columns as values, times as
 *  ISO-8601 strings, the SimHash as a signed 64-bit bigint or null). */
export interface SessionRow {
  session_id: string;
  attacker_ip: string | null;
  honeypot: string | null;
  service: string | null;
  source: string;
  sid: string | null;
  format: string;
  started_at: string | null;
  kd_digraph_simhash: bigint | null;
  schema_version: number;
  [column: string]: unknown;
}

/** The tagged band keys of a SimHash. */
export function simhashBands(hash: bigint): number[] {
  const u = BigInt.asUintN(64, hash);
  const out: number[] = [];
  let shift = 64;
  SIMHASH_BAND_BITS.forEach((bits, i) => {
    shift -= bits;
    out.push(i * BAND_TAG + Number((u >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n)));
  });
  return out;
}

/** Every `bits`-bit value within Hamming distance `radius` of `value`. */
function ball(value: number, bits: number, radius: number): number[] {
  const out = [value];
  const grow = (v: number, from: number, left: number) => {
    for (let bit = from; bit < bits; bit++) {
      const w = v ^ (1 << bit);
      out.push(w);
      if (left > 1) grow(w, bit + 1, left - 1);
    }
  };
  if (radius > 0) grow(value, 0, radius);
  return out;
}

/** The band keys to probe for every neighbour within `maxDistance` (≤ MAX_INDEXED_DISTANCE), per
 *  band. */
export function probeKeysByBand(hash: bigint, maxDistance: number): number[][] {
  const radius = Math.floor(maxDistance / SIMHASH_BAND_BITS.length);
  return simhashBands(hash).map((key, i) =>
    ball(key - i * BAND_TAG, SIMHASH_BAND_BITS[i]!, radius).map((v) => i * BAND_TAG + v),
  );
}

/** All the band keys to probe, in one list. */
export function probeKeys(hash: bigint, maxDistance: number): number[] {
  return probeKeysByBand(hash, maxDistance).flat();
}

/** The columns a SessionRow carries besides the ones this module fills, in table order. */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['session_id', 'text'],
  ['attacker_ip', 'inet'],
  ['honeypot', 'text'],
  ['service', 'text'],
  ['source', 'text'],
  ['sid', 'text'],
  ['format', 'text'],
  ['started_at', 'timestamptz'],
  ['duration_s', 'double precision'],
  ['kd_total_keystrokes', 'integer'],
  ['kd_iki_mean_ms', 'double precision'],
  ['kd_iki_stdev_ms', 'double precision'],
  ['kd_iki_p50_ms', 'double precision'],
  ['kd_iki_p95_ms', 'double precision'],
  ['kd_enter_latency_p50_ms', 'double precision'],
  ['kd_enter_latency_p95_ms', 'double precision'],
  ['kd_burst_ratio', 'double precision'],
  ['kd_think_ratio', 'double precision'],
  ['kd_backspace_rate', 'double precision'],
  ['kd_ctrl_w_rate', 'double precision'],
  ['kd_ctrl_u_rate', 'double precision'],
  ['kd_ctrl_c_rate', 'double precision'],
  ['kd_ctrl_d_rate', 'double precision'],
  ['kd_arrow_rate', 'double precision'],
  ['kd_tab_rate', 'double precision'],
  ['kd_digraph_simhash', 'bigint'],
  ['kd_top_digraphs', 'json'],
  ['kd_start_latency_ms', 'double precision'],
  ['kd_pause_hist', 'json'],
  ['kd_max_pause_s', 'double precision'],
  ['kd_pause_hist_rel', 'json'],
  ['kd_paste_count', 'integer'],
  ['kd_paste_chars', 'integer'],
  ['kd_multichar_reads', 'integer'],
  ['kd_timing_obfuscated', 'boolean'],
  ['kd_timing_grid_ms', 'double precision'],
  ['kd_timing_source', 'text'],
  ['kd_noecho_lines', 'integer'],
  ['verdict', 'text'],
  ['verdict_evidence', 'json'],
  ['kd_simhash_bands', 'integer[]'],
  ['schema_version', 'integer'],
];

/** The session_profile columns this writer fills, for `--json` output and the tests. */
export const SESSION_COLUMNS: readonly string[] = COLUMNS.map(([c]) => c);

const ENSURE_UNTIMED_ATTACKERS = `
INSERT INTO attackers (ip, first_seen, last_seen, updated_at)
SELECT ip, now(), now(), now() FROM unnest($1::inet[]) AS ip
ON CONFLICT (ip) DO NOTHING`;

/** How each column travels: in a binary array of its own type (binary.ts), or as text cast by the
 *  server (inet, timestamptz and json: their text forms are what the row carries, and the
 *  server's parser is the judge of them); the bands are three int4 arrays made into one. */
const ENCODERS: Record<string, (values: unknown[]) => Buffer> = {
  text: textArray,
  inet: textArray,
  timestamptz: textArray,
  'double precision': float8Array,
  integer: int4Array,
  bigint: (v) => int8Array(v as (bigint | null)[]),
  // json: the text, checked by the server's json parser (migration 007).
  json: (v) => textArray(v.map((x) => (x === null || x === undefined ? null : JSON.stringify(x)))),
  boolean: boolArray,
};
const SCALAR_COLUMNS = COLUMNS.filter(([c]) => c !== 'kd_simhash_bands');
const BAND_PARAMS = SCALAR_COLUMNS.length; // $n of band 1 minus 1
const SELECT_EXPR: Record<string, string> = {
  inet: '::inet',
  timestamptz: '::timestamptz',
  json: '::json',
};
/** The parameter type of a column: what SELECT_EXPR casts travels as text. */
const paramType = (t: string): string => (t in SELECT_EXPR ? 'text' : t);

const UPSERT_SESSIONS = `
INSERT INTO session_profile AS s (attacker_uuid, ${SESSION_COLUMNS.join(', ')}, ingested_at)
SELECT a.uuid, ${COLUMNS.map(([c, t]) =>
  c === 'kd_simhash_bands'
    ? 'CASE WHEN r.band1 IS NULL THEN NULL ELSE ARRAY[r.band1, r.band2, r.band3] END'
    : `r.${c}${SELECT_EXPR[t] ?? ''}`,
).join(', ')}, now()
FROM unnest(${SCALAR_COLUMNS.map(([, t], i) => `$${i + 1}::${paramType(t)}[]`).join(', ')},
            $${BAND_PARAMS + 1}::integer[], $${BAND_PARAMS + 2}::integer[], $${BAND_PARAMS + 3}::integer[])
     AS r(${SCALAR_COLUMNS.map(([c]) => c).join(', ')}, band1, band2, band3)
LEFT JOIN attackers a ON a.ip = r.attacker_ip::inet
ORDER BY r.session_id
ON CONFLICT (session_id) DO UPDATE SET
  attacker_uuid = EXCLUDED.attacker_uuid,
  ${SESSION_COLUMNS.filter((c) => c !== 'session_id')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(',\n  ')},
  ingested_at = now()`;

/** The parameters of UPSERT_SESSIONS: one binary array per column. */
function upsertParams(rows: readonly SessionRow[]): Buffer[] {
  const params = SCALAR_COLUMNS.map(([c, t]) => ENCODERS[t]!(rows.map((r) => r[c])));
  const bands = rows.map((r) =>
    r.kd_digraph_simhash === null || r.kd_digraph_simhash === undefined
      ? null
      : simhashBands(r.kd_digraph_simhash),
  );
  for (let i = 0; i < SIMHASH_BAND_BITS.length; i++) params.push(int4Array(bands.map((b) => b?.[i] ?? null)));
  return params;
}

/** Writes one batch of profiles in the caller's transaction: the attackers they name exist
 *  afterwards (first/last seen widened by the sessions' times), and each session's row is inserted
 *  or replaced. Session ids must be unique within the batch. Returns the rows written. */
export async function writeSessionProfiles(tx: Tx, rows: readonly SessionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  // A session without a start time still gets its attackers row (to link to), but moves no
  // first/last seen: re-ingesting old recordings must not make an attacker look recent.
  const timed: Array<{ ip: string; first_seen: string; last_seen: string }> = [];
  const untimed: string[] = [];
  for (const r of rows) {
    if (r.attacker_ip === null) continue;
    if (r.started_at === null) {
      untimed.push(r.attacker_ip);
      continue;
    }
    const duration = typeof r.duration_s === 'number' && Number.isFinite(r.duration_s) ? r.duration_s : 0;
    const last = new Date(Date.parse(r.started_at) + duration * 1000);
    timed.push({
      ip: r.attacker_ip,
      first_seen: r.started_at,
      last_seen: Number.isNaN(last.getTime()) ? r.started_at : last.toISOString(),
    });
  }
  await ensureAttackers(tx, timed);
  if (untimed.length) await tx.query(ENSURE_UNTIMED_ATTACKERS, [[...new Set(untimed)].sort()]);
  return (await tx.query(UPSERT_SESSIONS, upsertParams(rows))).rowCount;
}

/** One neighbour of `deckscope sessions similar`. */
export interface SimilarSession {
  session_id: string;
  distance: number;
  attacker_ip: string | null;
  honeypot: string | null;
  started_at: Date | null;
  kd_total_keystrokes: number;
  verdict: string | null;
  simhash: string;
}

export type SimilarResult =
  | { status: 'ok'; query: { session_id: string; simhash: string }; neighbours: SimilarSession[] }
  | { status: 'no-such-session' }
  | { status: 'no-simhash' };

const QUERY_SESSION = `
SELECT session_id, kd_digraph_simhash::text AS simhash FROM session_profile WHERE session_id = $1`;

// The candidates the band index returns (or, past MAX_INDEXED_DISTANCE, every row), compared
// exactly: popcount of the xor's eight bytes.
const neighbours = (indexed: boolean) => `
SELECT session_id, host(attacker_ip) AS attacker_ip, honeypot, started_at, kd_total_keystrokes, verdict,
       kd_digraph_simhash::text AS simhash, d.distance
FROM session_profile,
     LATERAL (SELECT bit_count(int8send(kd_digraph_simhash # $2::bigint))::int AS distance) d
WHERE ${
  indexed
    ? '(kd_simhash_bands[1] = ANY($5::integer[]) OR kd_simhash_bands[2] = ANY($6::integer[]) OR kd_simhash_bands[3] = ANY($7::integer[]))'
    : 'kd_digraph_simhash IS NOT NULL'
}
  AND session_id <> $1 AND d.distance <= $3
ORDER BY d.distance, started_at DESC NULLS LAST, session_id
LIMIT $4`;

/** Sessions whose SimHash is within `maxDistance` bits of session `sessionId`'s, nearest first. */
export async function findSimilarSessions(
  db: Queryable,
  sessionId: string,
  opts: { maxDistance: number; limit: number },
): Promise<SimilarResult> {
  const q = (await db.query<{ session_id: string; simhash: string | null }>(QUERY_SESSION, [sessionId]))
    .rows[0];
  if (!q) return { status: 'no-such-session' };
  if (q.simhash === null) return { status: 'no-simhash' };
  const indexed = opts.maxDistance <= MAX_INDEXED_DISTANCE;
  const params: unknown[] = [sessionId, q.simhash, opts.maxDistance, opts.limit];
  if (indexed) params.push(...probeKeysByBand(BigInt(q.simhash), opts.maxDistance));
  const rows = await db.query<SimilarSession>(neighbours(indexed), params);
  return {
    status: 'ok',
    query: { session_id: q.session_id, simhash: q.simhash },
    neighbours: rows.rows.map((r) => ({ ...r, distance: Number(r.distance) })),
  };
}
