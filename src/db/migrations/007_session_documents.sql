-- session_profile's document columns, made cheaper to write (a session's row was written at about
-- half the speed its profile is computed on PGlite):
-- * kd_top_digraphs holds `[digraph, count, mean_iat_ms]` arrays instead of
--   `{digraph, count, mean_iat_ms}` objects. The objects made each row larger than PostgreSQL's
--   2 KiB TOAST threshold, so every row was compressed as it was written, and 32 objects' keys were
--   parsed and sorted per row.
-- * kd_top_digraphs, kd_pause_hist, kd_pause_hist_rel and verdict_evidence are `json` (the text as
--   written, checked once) rather than `jsonb` (converted to a binary tree, every number to
--   numeric): written once per session and rarely read. They take the same accessors (->, ->>,
--   json_array_elements); comparing, grouping, containment (@>) and indexes need a cast to jsonb.
-- Read the digraphs with
--   SELECT d ->> 0 AS digraph, (d ->> 1)::int AS count, (d ->> 2)::float8 AS mean_iat_ms
--   FROM session_profile, json_array_elements(kd_top_digraphs) AS d;
-- Rows written before keep their values, in the new shape.

UPDATE session_profile s
SET kd_top_digraphs = (
  SELECT coalesce(jsonb_agg(jsonb_build_array(e -> 'digraph', e -> 'count', e -> 'mean_iat_ms') ORDER BY o), '[]')
  FROM jsonb_array_elements(s.kd_top_digraphs) WITH ORDINALITY AS x(e, o)
)
WHERE jsonb_typeof(s.kd_top_digraphs) = 'array'
  AND jsonb_typeof(s.kd_top_digraphs -> 0) = 'object';

ALTER TABLE session_profile
  ALTER COLUMN kd_top_digraphs TYPE json USING kd_top_digraphs::json,
  ALTER COLUMN kd_pause_hist TYPE json USING kd_pause_hist::json,
  ALTER COLUMN kd_pause_hist_rel TYPE json USING kd_pause_hist_rel::json,
  ALTER COLUMN verdict_evidence TYPE json USING verdict_evidence::json;
