// JSON-lines output to a file or stdout, honouring backpressure so a slow consumer slows the
// pipeline instead of buffering without bound.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { DeckscopeError } from '../util/errors.js';
import type { EventSink } from './sink.js';

export class JsonlSink implements EventSink {
  private broken: Error | null = null;
  lines = 0;
  bytes = 0;

  private constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
  ) {
    stream.on('error', (err) => {
      this.broken = err;
    });
  }

  /** Opens `-` (stdout) or a file path (created or truncated). */
  static async open(target: string): Promise<JsonlSink> {
    if (target === '-') return new JsonlSink(process.stdout, false);
    const stream = createWriteStream(target, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new DeckscopeError('E_OUTPUT', `cannot write ${target}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new JsonlSink(stream, true);
  }

  /** True once the reader went away (EPIPE) or the file failed. */
  get closed(): boolean {
    return this.broken !== null;
  }

  /** Writes a chunk of complete lines; waits when the stream is full. */
  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength === 0 || this.broken) return;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let n = 0;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
    this.lines += n;
    this.bytes += buf.byteLength;
    chunk = buf;
    if (!this.stream.write(chunk)) {
      // Wait for drain, or give up when the stream fails (its error handler records it).
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
      });
    }
  }

  async close(): Promise<void> {
    if (!this.ownsStream) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
