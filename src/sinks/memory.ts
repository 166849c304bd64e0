// A sink that keeps events in memory as parsed objects, for library use and tests.
import type { EventSink } from './sink.js';

export class MemorySink implements EventSink {
  readonly events: Array<Record<string, unknown>> = [];
  readonly closed = false;

  get lines(): number {
    return this.events.length;
  }

  async write(chunk: string): Promise<void> {
    for (const line of chunk.split('\n'))
      if (line) this.events.push(JSON.parse(line) as Record<string, unknown>);
  }

  async close(): Promise<void> {}
}
