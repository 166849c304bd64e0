-- Events: append-only, one row per emitted event, partitioned by UTC day on the packet timestamp.
-- event_id is the first 128 bits of SHA-256 over the event's JSON line exactly as the sensor
-- emitted it (the line carries sensor_id), so a retry or a replay of the same capture inserts
-- nothing twice (ON CONFLICT DO NOTHING). A key of a partitioned table must include the
-- partition column, hence PRIMARY KEY (ts, event_id). Columns: docs/schema.md.
CREATE TABLE events (
  ts           timestamptz NOT NULL,
  event_id     uuid        NOT NULL,
  event_type   text        NOT NULL,
  sensor_id    text        NOT NULL,
  flow_id      bigint,
  src_ip       inet,
  src_port     integer,
  dst_ip       inet,
  dst_port     integer,
  transport    text,
  community_id text,
  payload      jsonb       NOT NULL,
  inserted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ts, event_id)
) PARTITION BY RANGE (ts);

CREATE INDEX events_src_ip_ts ON events (src_ip, ts);

-- Creates the partition of one UTC day if it is missing and returns its name. Serialised per
-- schema by a transaction-scoped advisory lock so sensors starting together do not race on the
-- catalog; after the lock, pg_class is read directly (the relation cache does not learn of a
-- table another session just created until it takes a lock on a relation). Bounds are written
-- with an explicit +00 so the session time zone does not matter.
CREATE FUNCTION deckscope_ensure_events_partition(day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  part text := 'events_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(quote_ident(part)) IS NULL THEN
    PERFORM pg_advisory_xact_lock(1684366188, hashtext(current_schema()));
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = current_schema() AND c.relname = part) THEN
      BEGIN
        EXECUTE format(
          'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
          part, day::text || ' 00:00:00+00', (day + 1)::text || ' 00:00:00+00');
      EXCEPTION WHEN duplicate_table THEN
        NULL; -- created meanwhile by a session outside the lock's schema key
      END;
    END IF;
  END IF;
  RETURN part;
END
$$;

-- Drops every daily partition whose day is before `cutoff` (retention: whole partitions, no
-- DELETE, no VACUUM debt). Returns how many were dropped.
CREATE FUNCTION deckscope_drop_events_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(1684366188, hashtext(current_schema()));
  FOR r IN
    SELECT ns.nspname, c.relname
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace ns ON ns.oid = c.relnamespace
    WHERE i.inhparent = 'events'::regclass
      AND c.relname ~ '^events_[0-9]{8}$'
      AND to_date(substr(c.relname, 8), 'YYYYMMDD') < cutoff
    ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE %I.%I', r.nspname, r.relname);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
