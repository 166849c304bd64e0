// The profiler's cost on real pipeline output: replays the first N packets of the bench capture
// to JSON lines (one deckscope run, timed: the pipeline's event rate), then replays them again in
// this process to collect what the profiler gets with --db (each batch's profiler projections,
// src/profiler/fields.ts) and feeds those batches to the main-thread profiler
// (src/profiler/runtime.ts: JSON.parse, per-attacker state, snapshots with C2 attribution) with a
// database write that does nothing, flushing as the 10 s tick would at the pipeline's own event
// rate. Prints events/s and µs per event next to the pipeline's rate in the same run, so "keeps
// up" is a ratio: above 1, the profiler outruns the pipeline.
//   node dist/bench/profiler-cost.js [--packets N] [--pcap FILE]   (npm run bench runs it too)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '../src/pipeline.js';
import { ProfilerRuntime } from '../src/profiler/runtime.js';
import type { EventSink } from '../src/sinks/sink.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const PACKETS = Number(arg('--packets') ?? 1_000_000);
const PCAP = arg('--pcap') ?? `${ROOT}bench/pcaps/bench-5000000.pcap`;
/** The runtime's flush interval (src/profiler/runtime.ts PROFILE_FLUSH_MS), in seconds. */
const TICK_S = 10;

/** Keeps each batch's profiler projections (copied: the pipeline reuses nothing, but the bench
 *  holds them past the run). */
class ProjectionSink implements EventSink {
  readonly chunks: Buffer[] = [];
  readonly counts: number[] = [];
  readonly closed = false;
  lines = 0;
  async write(_chunk: Uint8Array, profile?: Uint8Array): Promise<void> {
    if (!profile) throw new Error('the pipeline wrote no profiler projections');
    const b = Buffer.from(profile);
    let n = 0;
    for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) n++;
    this.chunks.push(b);
    this.counts.push(n);
    this.lines += n;
  }
  async close(): Promise<void> {}
}

async function main(): Promise<void> {
  if (!existsSync(PCAP)) {
    console.error(`${PCAP} is missing: run npm run bench once to generate it`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-prof-'));
  const out = join(dir, 'events.jsonl');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [
    `${ROOT}bin/deckscope.js`,
    '-q',
    '-r',
    PCAP,
    '-c',
    String(PACKETS),
    '-o',
    out,
  ]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`deckscope failed: ${r.stderr}`);
  }
  const pipelineS = Number(process.hrtime.bigint() - t0) / 1e9;
  let lines: string[];
  try {
    lines = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pipelineRate = lines.length / pipelineS;

  // What the profiler gets in the pipeline with --db: each batch's profiler projections, as the
  // parser workers write them (the same packets again, in this process, untimed).
  const batches = new ProjectionSink();
  await new Pipeline({
    files: [PCAP],
    count: PACKETS,
    sensorId: 'bench',
    ja4plus: true,
    sink: batches,
    profilerLines: true,
  }).run();
  if (batches.lines !== lines.length)
    throw new Error(`the projections hold ${batches.lines} events, the JSON lines ${lines.length}`);

  let rows = 0;
  const runtime = new ProfilerRuntime({
    sensorId: 'bench',
    write: async (batch) => {
      rows += batch.length;
      return batch.length;
    },
  });
  // At the pipeline's rate, a 10 s tick comes every TICK_S * pipelineRate events.
  const linesPerTick = Math.max(1, Math.round(TICK_S * pipelineRate));
  // Live heap before and after (after a full collection, when node runs with --expose-gc, as npm
  // run bench does): what the profiler holds, profiles and pending snapshots, apart from garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const t1 = process.hrtime.bigint();
  let k = 0;
  for (let c = 0; c < batches.chunks.length; c++) {
    runtime.addSensorLines(batches.chunks[c]!); // as ProfilerSink.write does
    if (runtime.backlogged) await runtime.drainPending();
    const next = k + batches.counts[c]!;
    if (Math.floor(next / linesPerTick) > Math.floor(k / linesPerTick)) await runtime.flush();
    k = next;
  }
  await runtime.flush();
  const profilerS = Number(process.hrtime.bigint() - t1) / 1e9;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const rate = lines.length / profilerS;
  console.log(
    JSON.stringify({
      scenario: 'profiler_on_pipeline_output',
      packets: PACKETS,
      events: lines.length,
      pipeline_events_per_s: Math.round(pipelineRate),
      profiler_events_per_s: Math.round(rate),
      us_per_event: Number(((profilerS * 1e6) / lines.length).toFixed(2)),
      keeps_up_ratio: Number((rate / pipelineRate).toFixed(2)),
      snapshot_rows: rows,
      stats: runtime.stats,
      rss_growth_mib: Number(((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(1)),
      live_heap_growth_mib: gc ? Number(((heapAfter - heap0) / 2 ** 20).toFixed(1)) : null,
      attackers_held: runtime.stats.attackers,
    }),
  );
}

await main();
