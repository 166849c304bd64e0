// Where JSON lines go. The pipeline writes whole batches of lines in batch order.

export interface EventSink {
  /** Writes complete lines (each ending in \n, UTF-8); resolves when the sink can take more. */
  write(chunk: Uint8Array): Promise<void>;
  /** Lines written so far. */
  readonly lines: number;
  /** True when the sink can no longer be written (the reader went away). */
  readonly closed: boolean;
  close(): Promise<void>;
}
