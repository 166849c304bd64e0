// The parser worker's own cost, without the pipeline around it: reads the first N packets of the
// bench capture through the addon once, keeps the batches (copied), then builds their events in
// this thread, RUNS times, each with a fresh EventBuilder (what one Piscina worker does per batch).
// (c) is bound by this cost; comparing the two shows what the pipeline adds (crossings, the other
// threads' competition for the two cores). Prints JSON on stdout.
//   node dist/bench/worker.js [--packets N] [--pcap FILE] [--runs R]   (npm run bench:worker)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openCapture } from '../src/capture/source.js';
import { EventBuilder } from '../src/events/build.js';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1000000' },
    pcap: {
      type: 'string',
      default: fileURLToPath(new URL('../../bench/pcaps/bench-5000000.pcap', import.meta.url)),
    },
    runs: { type: 'string', default: '5' },
  },
});
const PACKETS = Number(values.packets);
const PCAP = values.pcap;
const RUNS = Number(values.runs);

async function readBatches(): Promise<ArrayBuffer[]> {
  const cap = openCapture({ files: [PCAP], count: PACKETS });
  const batches: ArrayBuffer[] = [];
  await new Promise<void>((resolve) =>
    cap.start((kind, buf) => {
      if (kind === 'batch') {
        batches.push((buf as ArrayBuffer).slice(0));
        cap.ack();
      } else if (kind === 'end') resolve();
    }),
  );
  return batches;
}

async function main(): Promise<void> {
  if (!existsSync(PCAP)) {
    console.error(`${PCAP} is missing: run npm run bench once to generate it`);
    process.exit(2);
  }
  const batches = await readBatches();
  const batchBytes = batches.reduce((n, b) => n + b.byteLength, 0);
  const runs: number[] = [];
  let events = 0;
  let outBytes = 0;
  let byType: Record<string, number> = {};
  for (let i = 0; i < RUNS; i++) {
    const builder = new EventBuilder({ sensorId: 'bench', ja4plus: true });
    let out = 0;
    const t0 = process.hrtime.bigint();
    for (const b of batches) out += builder.build(b).jsonl.byteLength;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    byType = builder.counters.events;
    events = Object.values(byType).reduce((a, n) => a + n, 0);
    outBytes = out;
    runs.push(s);
    process.stderr.write(`  run ${i + 1}: ${s.toFixed(2)} s, ${((s / events) * 1e6).toFixed(2)} µs/event\n`);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const us = (s: number) => Number(((s / events) * 1e6).toFixed(2));
  console.log(
    JSON.stringify(
      {
        scenario: 'worker_event_building_one_thread',
        pcap: PCAP,
        packets: PACKETS,
        batches: batches.length,
        batch_mib: Number((batchBytes / 2 ** 20).toFixed(1)),
        events,
        output_mib: Number((outBytes / 2 ** 20).toFixed(1)),
        runs_s: runs.map((s) => Number(s.toFixed(3))),
        us_per_event_median: us(median),
        us_per_event_best: us(sorted[0]!),
        events_per_s_median: Math.round(events / median),
        packets_per_s_median: Math.round(PACKETS / median),
        events_by_type: byType,
      },
      null,
      2,
    ),
  );
}

await main();
