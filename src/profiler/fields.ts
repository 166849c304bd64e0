// The top-level members of a sensor event that the profiler reads (adapt.ts fromSensorEvent, and
// the runtime's `ts`). With a profiler attached, the parser workers also write each event as a
// projection holding only these members and the flow envelope (events/build.ts), so the main
// thread parses ~0.25 KiB per event instead of ~0.9. A member fromSensorEvent reads must be listed
// here: test/integration/profiler-projection.test.ts checks both give the same profiler events on
// whole captures.
export const PROFILER_FIELDS: readonly string[] = [
  'ts',
  'event_type',
  'sensor_id',
  'flow_id',
  'src_ip',
  'dst_ip',
  'dst_port',
  'transport',
  'sni',
  'host',
  'user_agent',
  'tool',
  'tool_category',
  'ja3',
  'ja4',
  'ja4h',
  'os_guess',
  'handshake',
  'midstream',
  'packets_to_client',
  'bytes',
  'synack_replies',
  'rst_replies',
  'no_reply',
  'first_ts',
  'last_ts',
];

/** PROFILER_FIELDS other than the line head (ts, event_type, sensor_id), which every event has. */
export const PROFILER_BODY_FIELDS: readonly string[] = PROFILER_FIELDS.slice(3);
