// The parser pool: Piscina workers that turn batches into events. Batches are transferred, never
// copied, and results come back in submission order.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { BuildOptions } from '../events/build.js';
import { DeckscopeError } from '../util/errors.js';
import type { ParseResult, ParseTask } from './worker.js';

/** Path of the compiled worker: beside this module in dist/, or dist/ when run from src/ (tests). */
export function workerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith('.ts')
    ? here.replace(/\/src\/pool\/parser-pool\.ts$/, '/dist/src/pool/worker.js')
    : here.replace(/parser-pool\.js$/, 'worker.js');
  if (!existsSync(js)) {
    throw new DeckscopeError('E_WORKER', `parser worker not built (${js}): run npm run build`);
  }
  return js;
}

/** Old-generation heap of a parser worker (MiB): a few times its live data (caches of 64k
 *  flows, one batch); measured on the bench: peak RSS 470 MiB uncapped, ~365 MiB at this cap. */
const WORKER_HEAP_MIB = 160;

/** Default worker count: one core is the capture thread's, the rest parse. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class ParserPool {
  private readonly pool: Piscina<ParseTask, ParseResult>;

  constructor(
    private readonly options: BuildOptions,
    threads = defaultWorkers(),
  ) {
    this.pool = new Piscina({
      filename: workerPath(),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      // A worker's live data is small (bounded caches, one batch); a cap makes V8 collect
      // instead of growing the heap, which keeps the sensor's resident memory bounded.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MIB },
    });
  }

  /** Parses one batch in a worker; the buffer is transferred (detached here). */
  run(buffer: ArrayBuffer): Promise<ParseResult> {
    return this.pool.run({ buffer, options: this.options }, { transferList: [buffer] });
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
