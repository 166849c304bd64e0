-- attacker_behavior.kex_order_raw and ssh_client_banners, written by the event writer
-- (src/db/ingest.ts) from new ssh_kexinit (client side) and ssh_client_banner events: the distinct
-- values in the order this database received them, at most 16 (DECNET's lists grew without bound).

-- The distinct elements of two JSON arrays: those of `a` in their order, then those of `b` not in
-- `a`, in theirs; at most `cap`. `a` when `b` is NULL or not an array; NULL when nothing is left.
-- A stored value that is not an array (written by hand) counts as empty rather than failing the
-- writer's batch.
CREATE FUNCTION deckscope_merge_distinct(a jsonb, b jsonb, cap integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN b IS NULL OR jsonb_typeof(b) <> 'array' THEN a ELSE (
    SELECT jsonb_agg(w.v ORDER BY w.o)
    FROM (
      SELECT u.v, min(u.o) AS o
      FROM (
        SELECT x.v, x.o
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a) = 'array' THEN a ELSE '[]'::jsonb END)
             WITH ORDINALITY AS x(v, o)
        UNION ALL
        SELECT y.v, y.o + 1000000000 FROM jsonb_array_elements(b) WITH ORDINALITY AS y(v, o)
      ) u
      GROUP BY u.v
      ORDER BY min(u.o)
      LIMIT cap
    ) w
  ) END
$$;
