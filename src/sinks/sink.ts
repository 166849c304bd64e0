// Where JSON lines go. The pipeline writes whole batches of lines in batch order.

export interface EventSink {
  /** Writes complete lines (each ending in \n, UTF-8); resolves when the sink can take more.
   *  `profile`, when the pipeline makes it, holds the same events' profiler projections
   *  (src/profiler/fields.ts), line for line; only the profiler reads it. */
  write(chunk: Uint8Array, profile?: Uint8Array): Promise<void>;
  /** Lines written so far. */
  readonly lines: number;
  /** True when the sink can no longer be written (the reader went away). */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Several sinks fed the same lines (JSON lines and the database); `lines` and `closed` are the
 *  first sink's, so a reader going away still stops the capture. */
export class TeeSink implements EventSink {
  private readonly sinks: readonly EventSink[];

  constructor(first: EventSink, ...rest: EventSink[]) {
    this.sinks = [first, ...rest];
  }

  get lines(): number {
    return this.sinks[0]!.lines;
  }

  get closed(): boolean {
    return this.sinks[0]!.closed;
  }

  async write(chunk: Uint8Array, profile?: Uint8Array): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.write(chunk, profile)));
  }

  /** Closes every sink, even when one fails; rethrows the first failure. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((s) => s.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
