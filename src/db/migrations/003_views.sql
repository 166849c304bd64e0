-- Views an analyst starts from (and `deckscope report` reads). Columns: docs/schema.md.

-- Sources by number of events, with their fingerprints grouped by kind (most frequent first).
CREATE VIEW v_top_attackers AS
SELECT
  a.ip,
  a.first_seen,
  a.last_seen,
  a.event_count,
  a.decky_count,
  a.service_count,
  a.sensor_count,
  a.country_code,
  a.asn,
  a.as_name,
  a.ptr_record,
  b.os_guess,
  b.hop_distance,
  (SELECT count(*) FROM attacker_fingerprints f WHERE f.ip = a.ip) AS fingerprint_count,
  COALESCE((
    SELECT jsonb_object_agg(k.kind, k.vals ORDER BY k.kind)
    FROM (
      SELECT f.kind, jsonb_agg(f.value ORDER BY f.count DESC, f.value) AS vals
      FROM attacker_fingerprints f
      WHERE f.ip = a.ip
      GROUP BY f.kind
    ) k
  ), '{}'::jsonb) AS fingerprints
FROM attackers a
LEFT JOIN attacker_behavior b ON b.attacker_uuid = a.uuid
ORDER BY a.event_count DESC, a.ip;

-- Fingerprints presented by more than one host: one JA4 or HASSH across many sources usually
-- means one tool or one botnet.
CREATE VIEW v_shared_fingerprints AS
SELECT
  f.kind,
  f.value,
  count(*) AS ip_count,
  sum(f.count) AS event_count,
  min(f.first_seen) AS first_seen,
  max(f.last_seen) AS last_seen,
  (array_agg(f.ip ORDER BY f.count DESC, f.ip))[1:10] AS sample_ips
FROM attacker_fingerprints f
GROUP BY f.kind, f.value
HAVING count(*) > 1
ORDER BY ip_count DESC, event_count DESC, f.kind, f.value;

-- Fingerprints first seen (packet time) since midnight UTC today.
CREATE VIEW v_new_fingerprints_today AS
SELECT
  f.kind,
  f.value,
  min(f.first_seen) AS first_seen,
  max(f.last_seen) AS last_seen,
  count(*) AS ip_count,
  sum(f.count) AS event_count
FROM attacker_fingerprints f
GROUP BY f.kind, f.value
HAVING min(f.first_seen) >= (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
ORDER BY first_seen DESC, f.kind, f.value;
