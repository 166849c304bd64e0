// Piscina worker entry: a batch buffer in, JSON lines and counters out. Pure: no I/O, no timers
// (a Piscina worker parks in Atomics.wait between tasks, so nothing else would run anyway).
import { readRecords } from '../batch/format.js';
import { type BuildCounters, type BuildOptions, EventBuilder } from '../events/build.js';

export interface ParseTask {
  buffer: ArrayBuffer;
  options: BuildOptions;
}

export interface ParseResult {
  /** JSON lines, UTF-8, in an exact-size buffer (the message copies it once). */
  jsonl: Uint8Array;
  counters: BuildCounters;
  records: number;
}

let builder: EventBuilder | null = null;
let builderKey = '';

/** Parses one batch into events. */
export default function parseBatch(task: ParseTask): ParseResult {
  const key = JSON.stringify(task.options);
  if (builder === null || key !== builderKey) {
    builder = new EventBuilder(task.options);
    builderKey = key;
  }
  let records = 0;
  const counted = (function* () {
    for (const r of readRecords(task.buffer)) {
      records++;
      yield r;
    }
  })();
  const jsonl = builder.build(counted);
  const counters = builder.counters;
  builder.counters = { events: {}, streams: { tls: 0, other: 0, empty: 0 }, datagrams: 0, anomalies: {} };
  return { jsonl, counters, records };
}
