// deckscope's command line: wiring only (parse options, open the source, run the pipeline,
// handle signals, print progress and the summary).

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadAddon } from '../capture/addon.js';
import { Pipeline, type RunSummary } from '../pipeline.js';
import { JsonlSink } from '../sinks/jsonl.js';
import { DeckscopeError } from '../util/errors.js';
import { type CliOptions, parseCli, USAGE } from './args.js';
import { formatSummary, summaryJson } from './summary.js';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

function startProgress(p: Pipeline, quiet: boolean): () => void {
  if (quiet || !process.stderr.isTTY) return () => {};
  let last = { t: Date.now(), packets: 0, bytes: 0 };
  const timer = setInterval(() => {
    const s = p.stats();
    const now = Date.now();
    const dt = (now - last.t) / 1000 || 1;
    const pps = (s.capture.packets - last.packets) / dt;
    const mbps = ((s.capture.wireBytes - last.bytes) * 8) / dt / 1e6;
    const events = Object.values(s.events).reduce((a, b) => a + b, 0);
    process.stderr.write(
      `\r\x1b[K${s.capture.packets} packets  ${Math.round(pps)} pkt/s  ${mbps.toFixed(1)} Mbit/s  ${s.capture.flowsOpen} flows  ${events} events`,
    );
    last = { t: now, packets: s.capture.packets, bytes: s.capture.wireBytes };
  }, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

async function run(o: CliOptions): Promise<number> {
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (o.version) {
    const addon = loadAddon();
    process.stdout.write(`deckscope ${pkg.version}\n${addon.libVersion()}\nnode ${process.version}\n`);
    return 0;
  }
  if (o.listInterfaces) {
    for (const d of loadAddon().listInterfaces()) {
      const flags = [d.up ? 'up' : 'down', d.running ? 'running' : '', d.loopback ? 'loopback' : ''].filter(
        Boolean,
      );
      process.stdout.write(`${d.name}${d.description ? ` (${d.description})` : ''} [${flags.join(', ')}]\n`);
    }
    return 0;
  }
  const sink = await JsonlSink.open(o.output);
  const pipeline = new Pipeline({
    ...(o.files.length ? { files: o.files } : {}),
    ...(o.interface ? { interface: o.interface } : {}),
    ...(o.filter ? { filter: o.filter } : {}),
    snaplen: o.snaplen,
    bufferKiB: o.bufferKiB,
    promisc: o.promisc,
    count: o.count,
    mode: o.mode,
    maxFlows: o.maxFlows,
    idleTimeout: o.idleTimeout,
    streamBytes: o.streamBytes,
    reassemblyBudget: o.reassemblyBudget,
    maxScanSources: o.maxScanSources,
    synDedup: o.synDedup,
    honeypots: o.honeypots,
    sensorId: o.sensorId,
    ja4plus: o.ja4plus,
    ...(o.workers ? { workers: o.workers } : {}),
    sink,
  });
  let interrupts = 0;
  const onStop = (sig: NodeJS.Signals) => {
    interrupts++;
    if (sig === 'SIGINT' && interrupts > 1) process.exit(130);
    pipeline.stop();
  };
  const onStats = () => process.stderr.write(`${JSON.stringify(pipeline.stats())}\n`);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGUSR2', onStats);
  const stopProgress = startProgress(pipeline, o.quiet);
  let summary: RunSummary;
  try {
    summary = await pipeline.run((w) => {
      if (!o.quiet) process.stderr.write(`deckscope: warning: ${w.message}\n`);
    });
  } finally {
    stopProgress();
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.off('SIGUSR2', onStats);
  }
  await sink.close();
  if (!o.quiet) process.stderr.write(`${formatSummary(summary)}\n`);
  if (o.statsJson) {
    const json = `${JSON.stringify(summaryJson(summary))}\n`;
    if (o.statsJson === '-') process.stderr.write(json);
    else writeFileSync(o.statsJson, json);
  }
  return summary.batchesFailed > 0 ? 1 : 0;
}

/** Entry point: runs the CLI and exits with 0 (ok), 1 (runtime error) or 2 (usage error). */
export async function runCli(argv = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await run(parseCli(argv));
  } catch (err) {
    if (err instanceof DeckscopeError) {
      process.stderr.write(`deckscope: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`deckscope: internal error: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
  }
}
