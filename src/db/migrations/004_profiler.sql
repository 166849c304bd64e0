-- The profiler's snapshot columns on attacker_behavior (docs/schema.md "attacker_behavior").
-- A snapshot is one sensor's view of one attacker at a flush tick; rows are replaced only by a
-- snapshot that is newer by (profile_at, profile_events, profile_sensor), a total order, so
-- writes from several sensors and retried ticks commute (the greatest snapshot wins).
ALTER TABLE attacker_behavior
  ADD COLUMN profile_at      timestamptz,
  ADD COLUMN profile_events  bigint,
  ADD COLUMN profile_sensor  text,
  ADD COLUMN classification  jsonb,
  ADD COLUMN c2_framework    text,
  ADD COLUMN c2_attribution  jsonb,
  ADD COLUMN scan_stats      jsonb,
  ADD COLUMN auth_attempts   integer,
  ADD COLUMN auth_failures   integer,
  ADD COLUMN command_count   integer;

CREATE INDEX attacker_behavior_class ON attacker_behavior (behavior_class);
