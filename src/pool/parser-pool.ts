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

/** Batches a worker holds at once. Parsing is synchronous, so the second waits in the worker's
 *  message queue and starts the moment the first is done: with one, the worker idled while its
 *  result crossed to the main thread and the next batch crossed back (0.86 -> 0.92 of the bench
 *  replay spent parsing). Both are parsed in the order given. */
const TASKS_PER_WORKER = 2;

/** Default worker count: one core is the capture thread's, the rest parse. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class ParserPool {
  private readonly pool: Piscina<ParseTask, ParseResult>;

  /** Batches handed to Piscina at once: TASKS_PER_WORKER per worker. */
  private readonly capacity: number;

  /** Workers that failed between batches (and were replaced). */
  workerErrors = 0;

  /**
   * `onWorkerError` hears of a worker that failed while it held no batch (it ran out of heap
   * between tasks, say): Piscina replaces it and the batches go on. (A worker that fails during
   * a batch fails that batch's `run` instead.) `testWorker`, for tests, is another worker module,
   * run with Piscina's Atomics wait off so that its timers can fire between tasks.
   */
  constructor(
    private readonly options: BuildOptions,
    threads = defaultWorkers(),
    onWorkerError?: (err: Error) => void,
    testWorker?: string,
  ) {
    this.capacity = Math.max(1, threads) * TASKS_PER_WORKER;
    this.pool = new Piscina({
      filename: testWorker ?? workerPath(),
      ...(testWorker ? { atomics: 'disabled' as const } : {}),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
      // A worker's live data is small (bounded caches, one batch); a cap makes V8 collect
      // instead of growing the heap, which keeps the sensor's resident memory bounded.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MIB },
    });
    // Unheard, Piscina's 'error' would be thrown from the event emitter and end the process.
    this.pool.on('error', (err: Error) => {
      this.workerErrors++;
      onWorkerError?.(err);
    });
  }

  /**
   * Parses one batch in a worker; the buffer is transferred (detached here). Batches start in the
   * order given: at most TASKS_PER_WORKER per worker are handed to Piscina at a time, so each lands
   * on a worker with room at once (the least busy), and a worker parses its batches in the order
   * they were handed to it. (Piscina's own queue can hand a newly submitted task to a worker that just
   * became free before older queued ones; a worker keeps per-flow state across batches — e.g. the
   * SSH directions already parsed — which assumes it sees a flow's records in order.)
   */
  run(buffer: ArrayBuffer): Promise<ParseResult> {
    return new Promise<ParseResult>((resolve, reject) => {
      this.waiting.push(() => {
        this.pool
          .run({ buffer, options: this.options }, { transferList: [buffer] })
          .then(resolve, reject)
          .finally(() => {
            this.inFlight--;
            this.startWaiting();
          });
      });
      this.startWaiting();
    });
  }

  private readonly waiting: Array<() => void> = [];
  private inFlight = 0;

  private startWaiting(): void {
    while (this.inFlight < this.capacity && this.waiting.length > 0) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
