// A parser worker that fails while it holds no batch (out of heap between tasks, say) must not
// take the sensor down: Piscina emits 'error' on the pool, which would be thrown from the event
// emitter, ending the process, if nothing listened. The pool hears it, counts it, tells its owner,
// and Piscina's replacement worker takes the next batch.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParserPool } from '../../../src/pool/parser-pool.js';

/** A worker module that answers each task, then throws from a timer once the task is done. */
function failingWorker(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'deckscope-pool-')), 'worker.mjs');
  writeFileSync(
    file,
    `import { threadId } from 'node:worker_threads';
export default function (task) {
  setTimeout(() => { throw new Error('boom between batches'); }, 20);
  return { jsonl: new Uint8Array([threadId]), counters: {}, records: task.buffer.byteLength };
}
`,
  );
  return file;
}

describe('ParserPool', () => {
  it('survives a worker that fails between batches, and parses the next batch in its replacement', async () => {
    const errors: Error[] = [];
    let heard: () => void = () => {};
    const pool = new ParserPool(
      { sensorId: 't', ja4plus: false },
      1,
      (err) => {
        errors.push(err);
        heard();
      },
      failingWorker(),
    );
    try {
      const nextError = () => new Promise<void>((r) => (heard = r));
      let failed = nextError();
      const first = await pool.run(new ArrayBuffer(8));
      expect(first.records).toBe(8);
      await failed;
      expect(errors.map((e) => e.message)).toEqual(['boom between batches']);

      failed = nextError();
      const second = await pool.run(new ArrayBuffer(16));
      expect(second.records).toBe(16);
      expect(second.jsonl[0]).not.toBe(first.jsonl[0]); // another thread: the replacement
      await failed;
      expect(pool.workerErrors).toBe(2);
    } finally {
      await pool.close();
    }
  });
});
