// `deckscope ingest`: honeypot service syslog (DECNET's RFC 5424 lines) from files or from UDP/TCP
// listeners -> honeypotRecord -> the profiler, and each record as one row of the events table
// (event_type `honeypot_<kind>`, src/profiler/adapt.ts). DECNET sniffer lines (sensor events sent
// as syslog) are profiled too, but not stored: the sensor that saw the packets stores its events.
// Files go through SyslogFramer, so lines that DECNET broke with a raw LF inside a value arrive
// whole. Listeners run until SIGINT/SIGTERM; then everything received is written and the profiles
// are flushed.

import { createReadStream, writeFileSync } from 'node:fs';
import type { EnricherStats } from '../db/enrichment.js';
import { writeProfiles } from '../db/profiles.js';
import { honeypotEventLine } from '../profiler/adapt.js';
import { ProfilerRuntime, type ProfilerStats } from '../profiler/runtime.js';
import { openDbSink, type PostgresSink } from '../sinks/postgres.js';
import { syslogToEvent } from '../syslog/format.js';
import { SyslogFramer } from '../syslog/framer.js';
import { honeypotRecord } from '../syslog/honeypot.js';
import { SyslogListener, type SyslogListenerStats } from '../syslog/listener.js';
import type { SyslogMessage } from '../syslog/message.js';
import { parseRfc5424 } from '../syslog/parse.js';
import { DeckscopeError } from '../util/errors.js';
import type { IngestOptions } from './args.js';
import { openEnricher } from './enrich.js';
import { formatEnrichment } from './summary.js';

/** Event lines handed to the database writer at once (lines), and the longest a received line
 *  waits for them in listening mode (ms). */
const INGEST_BATCH_LINES = 1000;
const INGEST_FLUSH_MS = 250;

export interface IngestSummary {
  /** Syslog messages read, and those that did not parse (by error code). */
  messages: number;
  invalid: Record<string, number>;
  /** Honeypot records, those stored as events, and lines skipped by reason. */
  records: number;
  stored: number;
  skipped: Record<string, number>;
  /** DECNET sniffer lines profiled as sensor events. */
  sensorEvents: number;
  profiler: ProfilerStats;
  enrichment?: EnricherStats;
  db: ReturnType<PostgresSink['metrics']>;
  listener?: SyslogListenerStats;
  wallSeconds: number;
}

/** Runs `deckscope ingest`; resolves with the exit status. */
export async function runIngest(o: IngestOptions): Promise<number> {
  const started = process.hrtime.bigint();
  const warn = (w: { message: string }) => {
    if (!o.quiet) process.stderr.write(`deckscope: warning: ${w.message}\n`);
  };
  const dbSink = await openDbSink(o, warn);
  let enricher: ReturnType<typeof openEnricher>;
  try {
    enricher = openEnricher(o, { transaction: (fn) => dbSink.sideTransaction(fn) }, warn);
  } catch (err) {
    await dbSink.close();
    throw err;
  }
  const runtime = new ProfilerRuntime({
    sensorId: o.sensorId,
    write: (rows) => dbSink.sideTransaction((tx) => writeProfiles(tx, rows)),
    onWarning: warn,
    ...(enricher ? { enricher } : {}),
  });
  runtime.start();
  const s = { messages: 0, invalid: {} as Record<string, number>, records: 0, stored: 0, sensorEvents: 0 };
  const skipped: Record<string, number> = {};
  const skip = (why: string) => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  let lines: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  /** Hands the collected event lines to the writer (in order; file replay waits for room). */
  const flushLines = (): Promise<void> => {
    if (lines.length === 0) return chain;
    const body = Buffer.from(lines.join(''), 'utf8');
    s.stored += lines.length;
    lines = [];
    chain = chain.then(() => dbSink.write(body));
    return chain;
  };
  const onMessage = (msg: SyslogMessage) => {
    s.messages++;
    const r = honeypotRecord(msg);
    if (r.ok) {
      s.records++;
      if (!runtime.addHoneypotRecord(r.record)) skip('no_attacker');
      lines.push(honeypotEventLine(r.record, o.sensorId));
      return;
    }
    if (r.reason === 'sensor_event') {
      const ev = syslogToEvent(msg);
      if (ev !== null && typeof ev.ts === 'string') {
        s.sensorEvents++;
        runtime.addSensorLine(ev);
        return;
      }
    }
    skip(r.reason);
  };
  const onRaw = (raw: Uint8Array) => {
    const r = parseRfc5424(raw);
    if (r.ok) onMessage(r.message);
    else s.invalid[r.error.code] = (s.invalid[r.error.code] ?? 0) + 1;
  };

  let listener: SyslogListener | null = null;
  let failed = false;
  try {
    if (o.files.length) {
      for (const file of o.files) {
        const framer = new SyslogFramer();
        try {
          for await (const chunk of createReadStream(file)) {
            for (const m of framer.push(chunk as Buffer)) onRaw(m);
            if (lines.length >= INGEST_BATCH_LINES) await flushLines();
          }
        } catch (err) {
          throw new DeckscopeError('E_INPUT', `ingest: cannot read ${file}: ${(err as Error).message}`);
        }
        for (const m of framer.end()) onRaw(m);
        await flushLines();
      }
    } else {
      listener = new SyslogListener({ udp: o.udp, tcp: o.tcp });
      listener.on('message', (m) => {
        onMessage(m);
        if (lines.length >= INGEST_BATCH_LINES) void flushLines();
      });
      listener.on('invalid', (e) => {
        s.invalid[e.code] = (s.invalid[e.code] ?? 0) + 1;
      });
      const bound = await listener.start().catch((err: Error) => {
        throw new DeckscopeError('E_INPUT', `ingest: cannot listen: ${err.message}`);
      });
      if (!o.quiet) {
        const fmt = (t: string, a: { address: string; port: number }) =>
          `${t} ${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
        const all = [...bound.udp.map((a) => fmt('udp', a)), ...bound.tcp.map((a) => fmt('tcp', a))];
        process.stderr.write(`deckscope: listening on ${all.join(', ')}\n`);
      }
      const timer = setInterval(() => void flushLines(), INGEST_FLUSH_MS);
      let interrupts = 0;
      await new Promise<void>((resolve) => {
        const onStop = (sig: NodeJS.Signals) => {
          interrupts++;
          if (sig === 'SIGINT' && interrupts > 1) process.exit(130);
          resolve();
        };
        process.on('SIGINT', onStop);
        process.on('SIGTERM', onStop);
      });
      clearInterval(timer);
      await listener.close();
    }
    await flushLines();
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Whatever happened, write what was received and the profiles, then release the database.
    await chain.catch(() => {});
    await runtime.close().catch(() => {});
    await dbSink.close().catch((err: Error) => {
      if (!failed) throw err;
    });
  }
  const summary: IngestSummary = {
    ...s,
    skipped,
    profiler: { ...runtime.stats },
    ...(enricher ? { enrichment: { ...enricher.stats, ptr: { ...enricher.stats.ptr } } } : {}),
    db: dbSink.metrics(),
    ...(listener ? { listener: listener.stats } : {}),
    wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  if (!o.quiet) process.stderr.write(`${formatIngestSummary(summary)}\n`);
  if (o.statsJson) {
    const json = `${JSON.stringify(summary)}\n`;
    if (o.statsJson === '-') process.stderr.write(json);
    else writeFileSync(o.statsJson, json);
  }
  return 0;
}

function formatIngestSummary(s: IngestSummary): string {
  const skipped = Object.entries(s.skipped)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const invalid = Object.values(s.invalid).reduce((a, b) => a + b, 0);
  const p = s.profiler;
  return [
    `deckscope: ingested ${s.messages} syslog messages in ${s.wallSeconds.toFixed(2)} s: ${s.records} honeypot records, ${s.sensorEvents} sensor events${invalid ? `, ${invalid} unparsable` : ''}${skipped ? ` (skipped: ${skipped})` : ''}`,
    `  profiler: ${p.events} events, ${p.attackersPeak} attackers (${p.evicted} evicted), ${p.snapshots} snapshots in ${p.ticks} ticks${p.writeErrors ? `, ${p.writeErrors} failed writes` : ''}`,
    s.enrichment ? formatEnrichment(s.enrichment) : '',
    `  database ${s.db.db}: ${s.db.written} events written, ${s.db.duplicates} duplicates${s.db.spooled ? `, ${s.db.spooled} spooled` : ''}`,
  ]
    .filter(Boolean)
    .join('\n');
}
