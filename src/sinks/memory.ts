// A sink that keeps events in memory as parsed objects, for library use and tests.
import type { EventSink } from './sink.js';

export class MemorySink implements EventSink {
  readonly events: Array<Record<string, unknown>> = [];
  readonly closed = false;

  get lines(): number {
    return this.events.length;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
    for (const line of text.split('\n'))
      if (line) this.events.push(JSON.parse(line) as Record<string, unknown>);
  }

  async close(): Promise<void> {}
}
