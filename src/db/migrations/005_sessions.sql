-- Keystroke profiles of recorded terminal sessions (`deckscope sessions ingest`), one row per
-- session, and the enrichment state of attackers (reverse DNS, GeoIP, ASN). Columns:
-- docs/schema.md "session_profile". No raw input is stored: the digraph table and SimHash are built
-- from echoed printable characters only, and keys typed at a no-echo prompt are only counted.

CREATE TABLE session_profile (
  -- Deterministic: re-ingesting the same recording replaces its row (src/cli/sessions.ts).
  session_id              text        PRIMARY KEY,
  attacker_uuid           uuid        REFERENCES attackers (uuid) ON DELETE SET NULL,
  attacker_ip             inet,
  honeypot                text,
  service                 text,
  source                  text        NOT NULL,
  sid                     text,
  format                  text        NOT NULL,
  started_at              timestamptz,
  duration_s              double precision,
  -- DECNET's keystroke-dynamics columns (times in milliseconds, rates per keystroke).
  kd_total_keystrokes     integer     NOT NULL DEFAULT 0,
  kd_iki_mean_ms          double precision,
  kd_iki_stdev_ms         double precision,
  kd_iki_p50_ms           double precision,
  kd_iki_p95_ms           double precision,
  kd_enter_latency_p50_ms double precision,
  kd_enter_latency_p95_ms double precision,
  kd_burst_ratio          double precision,
  kd_think_ratio          double precision,
  kd_backspace_rate       double precision,
  kd_ctrl_w_rate          double precision,
  kd_ctrl_u_rate          double precision,
  kd_ctrl_c_rate          double precision,
  kd_ctrl_d_rate          double precision,
  kd_arrow_rate           double precision,
  kd_tab_rate             double precision,
  kd_digraph_simhash      bigint,
  kd_top_digraphs         jsonb,
  kd_start_latency_ms     double precision,
  kd_pause_hist           jsonb,
  kd_max_pause_s          double precision,
  -- Ours.
  kd_pause_hist_rel       jsonb,
  kd_paste_count          integer,
  kd_paste_chars          integer,
  kd_multichar_reads      integer,
  kd_timing_obfuscated    boolean,
  kd_timing_grid_ms       double precision,
  kd_timing_source        text,
  kd_noecho_lines    integer,
  verdict                 text,
  verdict_evidence        jsonb,
  -- The SimHash cut into bands of 22, 21 and 21 bits, each tagged with its position
  -- (band * 2^22 + value):
  -- the multi-index hashing key of `deckscope sessions similar` (src/db/sessions.ts).
  kd_simhash_bands        integer[],
  schema_version          integer     NOT NULL,
  ingested_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_profile_attacker_ip ON session_profile (attacker_ip);
CREATE INDEX session_profile_started_at ON session_profile (started_at);
-- One btree per band (not one GIN over the array: its selectivity estimate for a long probe list
-- sends the planner to a full scan).
CREATE INDEX session_profile_simhash_band1 ON session_profile ((kd_simhash_bands[1]));
CREATE INDEX session_profile_simhash_band2 ON session_profile ((kd_simhash_bands[2]));
CREATE INDEX session_profile_simhash_band3 ON session_profile ((kd_simhash_bands[3]));

-- Enrichment: NULL ptr_status = never tried; otherwise the outcome of the one lookup this sensor
-- made (ok, nxdomain, nodata, timeout, servfail, refused, error, skipped, disabled), so "tried and
-- failed" stays distinct from "never tried". ptr_record keeps the last name found.
ALTER TABLE attackers
  ADD COLUMN ptr_status varchar(16),
  ADD COLUMN ptr_at     timestamptz;
-- AS numbers are 32-bit unsigned (RFC 6793): 4200000000-4294967294 (private use) overflow integer.
-- v_top_attackers (003) reads the column, so it is dropped and created again around the change.
DROP VIEW v_top_attackers;
ALTER TABLE attackers ALTER COLUMN asn TYPE bigint;
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
