-- session_profile.kd_top_digraphs: `[digraph, count, mean_iat_ms]` arrays instead of
-- `{digraph, count, mean_iat_ms}` objects. The objects made each row larger than PostgreSQL's
-- 2 KiB TOAST threshold, so every row was compressed as it was written, and their keys were parsed
-- and sorted for each of the 32 digraphs: together a third of the cost of writing a session on
-- PGlite. Most frequent first, as before; read them with
--   SELECT d ->> 0 AS digraph, (d ->> 1)::int AS count, (d ->> 2)::float8 AS mean_iat_ms
--   FROM session_profile, jsonb_array_elements(kd_top_digraphs) AS d;
-- Rows written before keep their values, in the new shape.

UPDATE session_profile s
SET kd_top_digraphs = (
  SELECT coalesce(jsonb_agg(jsonb_build_array(e -> 'digraph', e -> 'count', e -> 'mean_iat_ms') ORDER BY o), '[]')
  FROM jsonb_array_elements(s.kd_top_digraphs) WITH ORDINALITY AS x(e, o)
)
WHERE jsonb_typeof(s.kd_top_digraphs) = 'array'
  AND jsonb_typeof(s.kd_top_digraphs -> 0) = 'object';
