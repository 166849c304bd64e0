// The data path of DESIGN.md, wired: native capture -> batches -> parser pool -> ordered JSON
// lines. The capture thread never waits on JS except through the bounded batch credit (files
// wait, live capture sheds and counts); results are written in batch order.
import type { NativeCapture, NativeStats } from './capture/addon.js';
import { openCapture, type SourceOptions } from './capture/source.js';
import type { EnricherStats } from './db/enrichment.js';
import { type BuildCounters, mergeCounters, newCounters } from './events/build.js';
import { ParserPool } from './pool/parser-pool.js';
import type { ProfilerStats } from './profiler/runtime.js';
import type { DbMetrics } from './sinks/postgres.js';
import type { EventSink } from './sinks/sink.js';

export interface PipelineOptions extends SourceOptions {
  sensorId: string;
  ja4plus: boolean;
  workers?: number;
  sink: EventSink | null;
  /** The workers also write each event's profiler projection, handed to the sink beside the
   *  lines (set when a profiler reads them: --db). */
  profilerLines?: boolean;
  /** p0f.fp for OS matching (default: the shipped copy). */
  p0fDb?: string;
}

export interface Warning {
  code: string;
  message: string;
}

export interface RunSummary {
  capture: NativeStats;
  events: BuildCounters['events'];
  streams: BuildCounters['streams'];
  datagrams: number;
  /** Datagram records by content: QUIC, DTLS, other UDP. */
  udp: BuildCounters['udp'];
  anomalies: BuildCounters['anomalies'];
  records: number;
  batches: number;
  batchesFailed: number;
  outputLines: number;
  warnings: Warning[];
  stoppedEarly: boolean;
  wallSeconds: number;
  /** The database writer's counters, when events also went to a database (filled in once the
   *  sink is closed, by whoever closes it). */
  db?: DbMetrics;
  /** The profiler's counters (with --db), filled in by whoever closes the sink. */
  profiler?: ProfilerStats;
  enrichment?: EnricherStats;
  /** --syslog output: messages sent, dropped (a bound was reached), rejected, errors. */
  syslog?: { sent: number; dropped: number; rejected: number; errors: number; unparsable: number };
}

export class Pipeline {
  private readonly capture: NativeCapture;
  private readonly pool: ParserPool | null;
  private chain: Promise<void> = Promise.resolve();
  private readonly counters = newCounters();
  private records = 0;
  private batches = 0;
  private batchesFailed = 0;
  private readonly warnings: Warning[] = [];
  private stopped = false;
  private readonly started = process.hrtime.bigint();
  private onWarning: ((w: Warning) => void) | undefined;

  /** Opens the source; throws DeckscopeError with a remedy when it cannot. */
  constructor(private readonly opts: PipelineOptions) {
    this.capture = openCapture(opts);
    this.pool =
      opts.mode === 'flow' || opts.mode === 'read'
        ? null
        : new ParserPool(
            {
              sensorId: opts.sensorId,
              ja4plus: opts.ja4plus,
              profilerLines: opts.profilerLines === true,
              ...(opts.p0fDb !== undefined ? { p0fDb: opts.p0fDb } : {}),
            },
            opts.workers,
            (err) =>
              this.warn({
                code: 'E_WORKER',
                message: `a parser worker failed between batches and was replaced: ${err.message}`,
              }),
          );
  }

  private warn(w: Warning): void {
    this.warnings.push(w);
    this.onWarning?.(w);
  }

  /** Runs until the input ends or stop() is called and everything captured has been written. */
  run(onWarning?: (w: Warning) => void): Promise<RunSummary> {
    this.onWarning = onWarning;
    return new Promise((resolve, reject) => {
      this.capture.start((kind, a, b) => {
        if (kind === 'batch') this.onBatch(a as ArrayBuffer);
        else if (kind === 'warning') this.warn({ code: a as string, message: b as string });
        else {
          this.chain.then(() => this.finish()).then(resolve, reject);
        }
      });
    });
  }

  /** Stops reading; what was captured is still flushed, parsed and written. */
  stop(): void {
    this.stopped = true;
    this.capture.stop();
  }

  /** Live counters, for progress and SIGUSR2. */
  stats(): { capture: NativeStats; events: Record<string, number>; batches: number } {
    return { capture: this.capture.stats(), events: { ...this.counters.events }, batches: this.batches };
  }

  private onBatch(buf: ArrayBuffer): void {
    this.batches++;
    if (!this.pool) {
      this.capture.ack();
      return;
    }
    const result = this.pool.run(buf); // starts now; the chain only orders the writes
    this.chain = this.chain.then(async () => {
      try {
        const r = await result;
        this.records += r.records;
        mergeCounters(this.counters, r.counters);
        if (this.opts.sink) await this.opts.sink.write(r.jsonl, r.profile);
      } catch (err) {
        this.batchesFailed++;
        this.warnings.push({
          code: 'E_WORKER',
          message: `a parser worker failed on a batch: ${(err as Error).message}`,
        });
      } finally {
        this.capture.ack();
      }
      if (this.opts.sink?.closed && !this.stopped) this.stop(); // the reader went away (EPIPE)
    });
  }

  private async finish(): Promise<RunSummary> {
    await this.pool?.close();
    return {
      capture: this.capture.stats(),
      events: this.counters.events,
      streams: this.counters.streams,
      datagrams: this.counters.datagrams,
      udp: this.counters.udp,
      anomalies: this.counters.anomalies,
      records: this.records,
      batches: this.batches,
      batchesFailed: this.batchesFailed,
      outputLines: this.opts.sink?.lines ?? 0,
      warnings: this.warnings,
      stoppedEarly: this.stopped,
      wallSeconds: Number(process.hrtime.bigint() - this.started) / 1e9,
    };
  }
}
