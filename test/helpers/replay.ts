// Replays pcap files through the real pipeline (addon + worker pool) into memory.
import { Pipeline, type PipelineOptions, type RunSummary } from '../../src/pipeline.js';
import { MemorySink } from '../../src/sinks/memory.js';

export type Event = Record<string, unknown> & { event_type: string };

export interface Replay {
  events: Event[];
  summary: RunSummary;
}

/** Runs deckscope over `files` and returns every event and the run summary. */
export async function replay(files: string[], opts: Partial<PipelineOptions> = {}): Promise<Replay> {
  const sink = new MemorySink();
  const pipeline = new Pipeline({ files, sensorId: 'test', ja4plus: true, workers: 1, sink, ...opts });
  const summary = await pipeline.run();
  return { events: sink.events as Event[], summary };
}

/** Events of one type. */
export function ofType(events: Event[], type: string): Event[] {
  return events.filter((e) => e.event_type === type);
}
