// Piscina worker entry: a batch buffer in, JSON lines and counters out. Pure: no I/O, no timers
// (a Piscina worker parks in Atomics.wait between tasks, so nothing else would run anyway).
import { type BuildCounters, type BuildOptions, EventBuilder, newCounters } from '../events/build.js';

export interface ParseTask {
  buffer: ArrayBuffer;
  options: BuildOptions;
}

export interface ParseResult {
  /** JSON lines, UTF-8, in an exact-size buffer (the message copies it once). */
  jsonl: Uint8Array;
  /** The events' profiler projections, line for line (with options.profilerLines). */
  profile?: Uint8Array;
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
  const { jsonl, profile, records } = builder.build(task.buffer);
  const counters = builder.counters;
  builder.counters = newCounters();
  return profile ? { jsonl, profile, counters, records } : { jsonl, counters, records };
}
