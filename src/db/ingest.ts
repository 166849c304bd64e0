// One batch of JSON lines -> events and profile rows, in one transaction of a fixed sequence of
// statements. The lines travel as a single text parameter (no per-value escaping in JS); the
// database splits them (unnest of an array), hashes each line into its event_id, parses it once
// as jsonb and fills the typed columns. Events are inserted ON CONFLICT DO NOTHING and the rows
// actually inserted are kept in a temporary table; every profile upsert reads only those, so a
// retried or replayed batch counts nothing twice.
//
// Several sensors may write at once without deadlocks: each statement locks its rows in key
// order (events by (ts, event_id), profiles by their key, rows grouped so no key repeats), and
// every transaction runs the statements in the same order, so all lock acquisitions follow one
// global order. Updates are commutative: LEAST/GREATEST for first/last seen, sums of new events
// for counts, "the newest by packet time" for latest-value columns.

import type { Queryable, Tx } from './adapter.js';

/** Where a fingerprint kind comes from: events of `eventTypes`, field `field`, attributed to the
 *  host it describes (`src` = client, `dst` = server, `cert` = by the certificate's cert_role). */
export interface FingerprintSource {
  kind: string;
  eventTypes: readonly string[];
  field: string;
  host: 'src' | 'dst' | 'cert';
}

const CLIENT_HELLOS = ['tls_client_hello', 'quic_client_hello', 'dtls_client_hello'];
const SERVER_HELLOS = ['tls_session', 'quic_session', 'dtls_session'];

/** The fingerprint kinds written to attacker_fingerprints (docs/schema.md lists them). Server-side
 *  fingerprints describe the server (DECNET W12), so they are attributed to dst_ip. */
export const FINGERPRINT_SOURCES: readonly FingerprintSource[] = [
  { kind: 'ja3', eventTypes: CLIENT_HELLOS, field: 'ja3', host: 'src' },
  { kind: 'ja4', eventTypes: CLIENT_HELLOS, field: 'ja4', host: 'src' },
  { kind: 'ja3s', eventTypes: SERVER_HELLOS, field: 'ja3s', host: 'dst' },
  { kind: 'ja4s', eventTypes: SERVER_HELLOS, field: 'ja4s', host: 'dst' },
  { kind: 'ja4x', eventTypes: ['tls_certificate'], field: 'ja4x', host: 'cert' },
  { kind: 'cert_sha256', eventTypes: ['tls_certificate'], field: 'sha256', host: 'cert' },
  { kind: 'ja4t', eventTypes: ['tcp_syn_fingerprint'], field: 'ja4t', host: 'src' },
  { kind: 'ja4ts', eventTypes: ['tcp_synack_fingerprint'], field: 'ja4ts', host: 'dst' },
  { kind: 'p0f_sig', eventTypes: ['tcp_syn_fingerprint'], field: 'p0f_sig', host: 'src' },
  { kind: 'p0f_sig', eventTypes: ['tcp_synack_fingerprint'], field: 'p0f_sig', host: 'dst' },
  { kind: 'hassh', eventTypes: ['ssh_kexinit'], field: 'hassh', host: 'src' },
  { kind: 'hassh_server', eventTypes: ['ssh_kexinit'], field: 'hassh_server', host: 'dst' },
  { kind: 'ssh_banner', eventTypes: ['ssh_client_banner'], field: 'banner', host: 'src' },
  { kind: 'ssh_banner', eventTypes: ['ssh_server_banner'], field: 'banner', host: 'dst' },
  { kind: 'ja4h', eventTypes: ['http_request'], field: 'ja4h', host: 'src' },
  { kind: 'user_agent', eventTypes: ['http_request'], field: 'user_agent', host: 'src' },
  { kind: 'h2_settings', eventTypes: ['http2_preface'], field: 'settings_sig', host: 'src' },
];

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const SOURCE_ROWS = FINGERPRINT_SOURCES.flatMap((s) =>
  s.eventTypes.map((t) => `(${lit(t)}, ${lit(s.kind)}, ${lit(s.field)}, ${lit(s.host)})`),
).join(',\n      ');

/** Per-connection set-up: enough sort memory for a batch, and temporary tables emptied at every
 *  commit. */
export const SESSION_SQL = `
SET work_mem = '64MB';
CREATE TEMP TABLE IF NOT EXISTS deckscope_new_events (
  ts timestamptz, event_id uuid, event_type text, sensor_id text,
  src_ip inet, dst_ip inet, dst_port integer, transport text, payload jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS deckscope_new_links (
  ip inet, deckies integer, services integer, sensors integer
) ON COMMIT DELETE ROWS;`;

// `parsed` is MATERIALIZED so each line is parsed as jsonb once (an inlined CTE would repeat the
// parse for every column); jsonb_to_record then reads and casts all typed columns in one pass.
export const INSERT_EVENTS = `
WITH parsed AS MATERIALIZED (
  SELECT encode(substring(sha256(convert_to(l, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid AS event_id,
         l::jsonb AS e
  FROM unnest(string_to_array($1::text, E'\\n')) AS l
  WHERE l <> ''
), ins AS (
  INSERT INTO events (ts, event_id, event_type, sensor_id, flow_id, src_ip, src_port, dst_ip,
                      dst_port, transport, community_id, payload)
  SELECT r.ts, p.event_id, r.event_type, r.sensor_id, r.flow_id, r.src_ip, r.src_port, r.dst_ip,
         r.dst_port, r.transport, r.community_id, p.e
  FROM parsed p,
       jsonb_to_record(p.e) AS r(ts timestamptz, event_type text, sensor_id text, flow_id bigint,
                                 src_ip inet, src_port integer, dst_ip inet, dst_port integer,
                                 transport text, community_id text)
  ORDER BY 1, 2
  ON CONFLICT DO NOTHING
  RETURNING ts, event_id, event_type, sensor_id, src_ip, dst_ip, dst_port, transport, payload
)
INSERT INTO pg_temp.deckscope_new_events SELECT * FROM ins`;

const UPSERT_FINGERPRINTS = `
INSERT INTO attacker_fingerprints AS f (ip, kind, value, first_seen, last_seen, count)
SELECT h.ip, m.kind, v.value, min(n.ts), max(n.ts), count(*)
FROM pg_temp.deckscope_new_events n
JOIN (VALUES
      ${SOURCE_ROWS}
     ) AS m(event_type, kind, field, host) ON m.event_type = n.event_type
CROSS JOIN LATERAL (SELECT n.payload->>m.field AS value) v
CROSS JOIN LATERAL (SELECT CASE m.host
    WHEN 'src' THEN n.src_ip
    WHEN 'dst' THEN n.dst_ip
    ELSE CASE WHEN n.payload->>'cert_role' = 'client' THEN n.src_ip ELSE n.dst_ip END
  END AS ip) h
WHERE v.value IS NOT NULL AND v.value <> '' AND h.ip IS NOT NULL
GROUP BY h.ip, m.kind, v.value
ORDER BY h.ip, m.kind, v.value
ON CONFLICT (ip, kind, value) DO UPDATE SET
  first_seen = LEAST(f.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(f.last_seen, EXCLUDED.last_seen),
  count = f.count + EXCLUDED.count`;

/** A link-table upsert whose newly inserted rows (xmax = 0) are counted per source address into
 *  deckscope_new_links.<column>, so attackers.<column>_count grows by exactly the new rows. */
function linkUpsert(table: string, keys: string[], select: string, where: string, column: string): string {
  const k = keys.join(', ');
  const extra = table === 'attacker_sensors' ? 'event_count' : 'count';
  const others = ['deckies', 'services', 'sensors'].map((c) => (c === column ? 'count(*)' : '0')).join(', ');
  return `
WITH up AS (
  INSERT INTO ${table} AS t (${k}, first_seen, last_seen, ${extra})
  SELECT ${select}, min(ts), max(ts), count(*)
  FROM pg_temp.deckscope_new_events
  WHERE ${where}
  GROUP BY ${keys.map((_, i) => i + 1).join(', ')}
  ORDER BY ${keys.map((_, i) => i + 1).join(', ')}
  ON CONFLICT (${k}) DO UPDATE SET
    first_seen = LEAST(t.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(t.last_seen, EXCLUDED.last_seen),
    ${extra} = t.${extra} + EXCLUDED.${extra}
  RETURNING ip, (xmax = 0) AS inserted
)
INSERT INTO pg_temp.deckscope_new_links (ip, deckies, services, sensors)
SELECT ip, ${others} FROM up WHERE inserted GROUP BY ip`;
}

const UPSERT_DECKIES = linkUpsert(
  'attacker_deckies',
  ['ip', 'decky_ip'],
  'src_ip, dst_ip',
  'src_ip IS NOT NULL AND dst_ip IS NOT NULL',
  'deckies',
);
const UPSERT_SERVICES = linkUpsert(
  'attacker_services',
  ['ip', 'transport', 'dst_port'],
  'src_ip, transport, dst_port',
  'src_ip IS NOT NULL AND transport IS NOT NULL AND dst_port IS NOT NULL',
  'services',
);
const UPSERT_SENSORS = linkUpsert(
  'attacker_sensors',
  ['ip', 'sensor_id'],
  'src_ip, sensor_id',
  'src_ip IS NOT NULL',
  'sensors',
);

const UPSERT_ATTACKERS = `
INSERT INTO attackers AS a (ip, first_seen, last_seen, event_count, decky_count, service_count,
                            sensor_count, updated_at)
SELECT n.ip, n.first_seen, n.last_seen, n.events, COALESCE(l.deckies, 0), COALESCE(l.services, 0),
       COALESCE(l.sensors, 0), now()
FROM (SELECT src_ip AS ip, min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS events
      FROM pg_temp.deckscope_new_events WHERE src_ip IS NOT NULL GROUP BY src_ip) n
LEFT JOIN (SELECT ip, sum(deckies) AS deckies, sum(services) AS services, sum(sensors) AS sensors
           FROM pg_temp.deckscope_new_links GROUP BY ip) l ON l.ip = n.ip
ORDER BY n.ip
ON CONFLICT (ip) DO UPDATE SET
  first_seen = LEAST(a.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(a.last_seen, EXCLUDED.last_seen),
  event_count = a.event_count + EXCLUDED.event_count,
  decky_count = a.decky_count + EXCLUDED.decky_count,
  service_count = a.service_count + EXCLUDED.service_count,
  sensor_count = a.sensor_count + EXCLUDED.sensor_count,
  updated_at = now()`;

/** Distinct values kept in attacker_behavior.kex_order_raw and ssh_client_banners. */
export const SSH_LIST_CAP = 16;

/** Per address, the distinct non-null values of column `col` of UPSERT_BEHAVIOR's `r` as a jsonb
 *  list: by first packet time, then byte order, at most SSH_LIST_CAP. */
function batchList(col: string): string {
  return `(
  SELECT ip, jsonb_agg(${col} ORDER BY first, ${col} COLLATE "C") FILTER (WHERE n <= ${SSH_LIST_CAP}) AS list
  FROM (SELECT ip, ${col}, min(ts) AS first,
               row_number() OVER (PARTITION BY ip ORDER BY min(ts), ${col} COLLATE "C") AS n
        FROM r WHERE ${col} IS NOT NULL GROUP BY 1, 2) x
  GROUP BY ip
)`;
}

// The newest SYN fingerprint (by packet time) wins os_guess / hop_distance / tcp_fingerprint;
// retransmits and flows are sums over new tcp_flow_timing events; kex_order_raw and
// ssh_client_banners gain the batch's distinct client KEX lists (the events' kex_order_raw,
// comma-joined as DECNET stores them) and client banners, in order of packet time, up to SSH_LIST_CAP
// (deckscope_merge_distinct, migration 006). The rest of the row belongs to the profiler.
const UPSERT_BEHAVIOR = `
WITH r AS MATERIALIZED (
  -- One pass over the new events: only what this statement reads, from the rows it reads.
  SELECT src_ip AS ip, event_type, ts, event_id,
         CASE WHEN event_type = 'tcp_syn_fingerprint' THEN payload END AS syn,
         CASE WHEN event_type = 'tcp_flow_timing' THEN COALESCE((payload->>'retransmits')::bigint, 0) END AS retransmits,
         CASE WHEN event_type = 'ssh_kexinit' AND payload->>'direction' = 'client'
              THEN NULLIF(payload->>'kex_order_raw', '') END AS kex,
         CASE WHEN event_type = 'ssh_client_banner'
              THEN COALESCE(NULLIF(payload->>'ssh_version', ''), NULLIF(payload->>'banner', '')) END AS banner
  FROM pg_temp.deckscope_new_events
  WHERE event_type IN ('tcp_syn_fingerprint', 'tcp_flow_timing', 'ssh_kexinit', 'ssh_client_banner')
    AND src_ip IS NOT NULL
)
INSERT INTO attacker_behavior AS b (attacker_uuid, ip, os_guess, hop_distance, tcp_fingerprint,
                                    tcp_fingerprint_at, retransmit_count, flow_count, kex_order_raw,
                                    ssh_client_banners, updated_at)
SELECT a.uuid, a.ip, s.os_guess, s.hop_distance, COALESCE(s.fp, '{}'::jsonb), s.ts,
       COALESCE(t.retransmits, 0), COALESCE(t.flows, 0),
       k.list, c.list, now()
FROM (SELECT DISTINCT ip FROM r) i
JOIN attackers a ON a.ip = i.ip
LEFT JOIN (
  SELECT DISTINCT ON (ip) ip, ts, syn->>'os_guess' AS os_guess,
         (syn->>'hop_distance')::integer AS hop_distance,
         jsonb_strip_nulls(jsonb_build_object(
           'window', syn->'window', 'wscale', syn->'wscale', 'mss', syn->'mss',
           'options_sig', syn->'options_sig', 'quirks', syn->'quirks',
           'ttl', syn->'ttl', 'initial_ttl', syn->'initial_ttl', 'df', syn->'df',
           'ecn', syn->'ecn', 'tos', syn->'tos', 'ja4t', syn->'ja4t',
           'p0f_sig', syn->'p0f_sig')) AS fp
  FROM r
  WHERE event_type = 'tcp_syn_fingerprint'
  ORDER BY ip, ts DESC, event_id DESC
) s ON s.ip = i.ip
LEFT JOIN (
  SELECT ip, sum(retransmits) AS retransmits, count(*) AS flows
  FROM r WHERE event_type = 'tcp_flow_timing' GROUP BY ip
) t ON t.ip = i.ip
LEFT JOIN ${batchList('kex')} k ON k.ip = i.ip
LEFT JOIN ${batchList('banner')} c ON c.ip = i.ip
ORDER BY a.uuid
ON CONFLICT (attacker_uuid) DO UPDATE SET
  os_guess = CASE WHEN EXCLUDED.tcp_fingerprint_at > b.tcp_fingerprint_at OR b.tcp_fingerprint_at IS NULL
                  THEN COALESCE(EXCLUDED.os_guess, b.os_guess) ELSE b.os_guess END,
  hop_distance = CASE WHEN EXCLUDED.tcp_fingerprint_at > b.tcp_fingerprint_at OR b.tcp_fingerprint_at IS NULL
                  THEN COALESCE(EXCLUDED.hop_distance, b.hop_distance) ELSE b.hop_distance END,
  tcp_fingerprint = CASE WHEN EXCLUDED.tcp_fingerprint_at > b.tcp_fingerprint_at OR b.tcp_fingerprint_at IS NULL
                  THEN EXCLUDED.tcp_fingerprint ELSE b.tcp_fingerprint END,
  tcp_fingerprint_at = GREATEST(b.tcp_fingerprint_at, EXCLUDED.tcp_fingerprint_at),
  retransmit_count = b.retransmit_count + EXCLUDED.retransmit_count,
  flow_count = b.flow_count + EXCLUDED.flow_count,
  -- The merge only where the batch brought values (a SQL function call per row costs).
  kex_order_raw = CASE WHEN EXCLUDED.kex_order_raw IS NULL THEN b.kex_order_raw
    ELSE deckscope_merge_distinct(b.kex_order_raw, EXCLUDED.kex_order_raw, ${SSH_LIST_CAP}) END,
  ssh_client_banners = CASE WHEN EXCLUDED.ssh_client_banners IS NULL THEN b.ssh_client_banners
    ELSE deckscope_merge_distinct(b.ssh_client_banners, EXCLUDED.ssh_client_banners, ${SSH_LIST_CAP}) END,
  updated_at = now()`;

// Recipients' domains of new smtp_envelope events; count = recipients (DECNET P5 counted ticks).
const UPSERT_SMTP = `
INSERT INTO smtp_targets AS s (attacker_uuid, ip, domain, first_seen, last_seen, count)
SELECT a.uuid, a.ip, d.domain, min(n.ts), max(n.ts), count(*)
FROM pg_temp.deckscope_new_events n
CROSS JOIN LATERAL (
  SELECT lower(trim(BOTH '.' FROM x)) AS domain
  FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(n.payload->'rcpt_domains') = 'array'
                                      THEN n.payload->'rcpt_domains' ELSE '[]'::jsonb END) AS x
) d
JOIN attackers a ON a.ip = n.src_ip
WHERE n.event_type = 'smtp_envelope' AND d.domain <> ''
GROUP BY a.uuid, a.ip, d.domain
ORDER BY a.uuid, d.domain
ON CONFLICT (attacker_uuid, domain) DO UPDATE SET
  first_seen = LEAST(s.first_seen, EXCLUDED.first_seen),
  last_seen = GREATEST(s.last_seen, EXCLUDED.last_seen),
  count = s.count + EXCLUDED.count`;

export interface BatchResult {
  /** Lines in the batch. */
  lines: number;
  /** Events newly inserted (the others were already there). */
  inserted: number;
  /** attacker_fingerprints rows inserted or updated. */
  fingerprints: number;
  /** attackers rows inserted or updated. */
  attackers: number;
}

/** Creates the session's temporary tables; call once per connection before insertBatch. */
export async function prepareSession(db: Queryable & { exec?(sql: string): Promise<void> }): Promise<void> {
  for (const stmt of SESSION_SQL.split(';').filter((s) => s.trim())) await db.query(stmt);
}

/** Writes one batch (complete JSON lines, each ending in '\n') in the caller's transaction. */
export async function insertBatch(tx: Tx, body: string, lines: number): Promise<BatchResult> {
  const T = process.env.DECKSCOPE_DB_TRACE
    ? (l: string, t: number) => console.error(l, Math.round(performance.now() - t))
    : null;
  let t = performance.now();
  const inserted = (await tx.query(INSERT_EVENTS, [body])).rowCount;
  T?.('events', t);
  t = performance.now();
  if (inserted === 0) return { lines, inserted, fingerprints: 0, attackers: 0 };
  const fingerprints = (await tx.query(UPSERT_FINGERPRINTS)).rowCount;
  T?.('fp', t);
  t = performance.now();
  await tx.query(UPSERT_DECKIES);
  T?.('deckies', t);
  t = performance.now();
  await tx.query(UPSERT_SERVICES);
  T?.('services', t);
  t = performance.now();
  await tx.query(UPSERT_SENSORS);
  T?.('sensors', t);
  t = performance.now();
  const attackers = (await tx.query(UPSERT_ATTACKERS)).rowCount;
  T?.('attackers', t);
  t = performance.now();
  await tx.query(UPSERT_BEHAVIOR);
  T?.('behavior', t);
  t = performance.now();
  await tx.query(UPSERT_SMTP);
  T?.('smtp', t);
  t = performance.now();
  return { lines, inserted, fingerprints, attackers };
}
