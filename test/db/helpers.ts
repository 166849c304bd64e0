// Database test back ends: PGlite always, the PostgreSQL server at DATABASE_URL when it is set
// (each test file works in a schema of its own, dropped afterwards), and pipeline replays that
// keep the exact JSON lines.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { generateBenchPcap } from '../../scripts/gen-bench-pcap.js';
import { type Db, openDb } from '../../src/db/adapter.js';
import { FINGERPRINT_SOURCES } from '../../src/db/ingest.js';
import { Pipeline, type PipelineOptions, type RunSummary } from '../../src/pipeline.js';
import type { EventSink } from '../../src/sinks/sink.js';
import { CORPUS } from '../helpers/corpus.js';

export const SERVER_URL = process.env.DATABASE_URL;

/** Prints, once per test file, why the server tests do not run. */
export function noteServerSkip(file: string): void {
  if (!SERVER_URL)
    console.warn(
      `${file}: DATABASE_URL is not set, so the PostgreSQL server tests are skipped ` +
        '(e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test; .ci/run sets it)',
    );
}

/** `url` with its search_path set to `schema` (a connection parameter, so every connection of
 *  every process that uses the URL works in that schema). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** A --db value for a fresh, empty database. */
  fresh(): Promise<string>;
  /** Drops what fresh() created. */
  cleanup(): Promise<void>;
}

/** Temporary directories made by tmp(), removed after the last test of the file that imported
 *  this module (a PGlite database is ~40 MiB: left behind, every full test run would leave
 *  gigabytes in /tmp). Registered at import, so it is a file-level hook of each test file. */
const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), `deckscope-${prefix}-`));
  made.push(d);
  return d;
};

/** PGlite in a new directory per fresh(). */
export function pgliteBackend(): Backend {
  return {
    name: 'pglite',
    async fresh() {
      return `pglite:${join(tmp('pglite'), 'db')}`;
    },
    async cleanup() {},
  };
}

/** A new schema per fresh() on the server at DATABASE_URL. */
export function serverBackend(): Backend {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    async fresh() {
      const schema = `ds_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = await openDb(SERVER_URL!);
      try {
        await admin.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await admin.close();
      }
      schemas.push(schema);
      return withSearchPath(SERVER_URL!, schema);
    },
    async cleanup() {
      if (!schemas.length) return;
      const admin = await openDb(SERVER_URL!);
      try {
        for (const s of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      } finally {
        await admin.close();
      }
    },
  };
}

/** The back ends to run: PGlite, and the server when DATABASE_URL is set. */
export function backends(): Backend[] {
  return SERVER_URL ? [pgliteBackend(), serverBackend()] : [pgliteBackend()];
}

/** Rows of a query, for comparing database states. */
export async function rows(db: Db, sql: string): Promise<unknown[]> {
  return (await db.query(sql)).rows;
}

/** Everything the writer maintains, in a stable order, without wall-clock columns. */
export async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  return {
    events: await rows(
      db,
      'SELECT ts, event_id, event_type, sensor_id, flow_id, src_ip, src_port, dst_ip, dst_port, transport, community_id, payload FROM events ORDER BY ts, event_id',
    ),
    attackers: await rows(
      db,
      'SELECT ip, first_seen, last_seen, event_count, decky_count, service_count, sensor_count FROM attackers ORDER BY ip',
    ),
    fingerprints: await rows(db, 'SELECT * FROM attacker_fingerprints ORDER BY ip, kind, value'),
    deckies: await rows(db, 'SELECT * FROM attacker_deckies ORDER BY ip, decky_ip'),
    services: await rows(db, 'SELECT * FROM attacker_services ORDER BY ip, transport, dst_port'),
    sensors: await rows(db, 'SELECT * FROM attacker_sensors ORDER BY ip, sensor_id'),
    behavior: await rows(
      db,
      // The SSH lists as sets: their order is the order of arrival, which writers racing each
      // other may change (docs/schema.md); their contents may not.
      `SELECT b.ip, os_guess, hop_distance, tcp_fingerprint, tcp_fingerprint_at, retransmit_count, flow_count,
              (SELECT jsonb_agg(v ORDER BY v) FROM jsonb_array_elements(kex_order_raw) v) AS kex_order_raw,
              (SELECT jsonb_agg(v ORDER BY v) FROM jsonb_array_elements(ssh_client_banners) v) AS ssh_client_banners
       FROM attacker_behavior b ORDER BY b.ip`,
    ),
    smtp: await rows(
      db,
      'SELECT ip, domain, first_seen, last_seen, count FROM smtp_targets ORDER BY ip, domain',
    ),
  };
}

/** A sink that keeps the exact bytes it is given. */
export class BytesSink implements EventSink {
  readonly chunks: Buffer[] = [];
  readonly closed = false;
  lines = 0;
  async write(chunk: Uint8Array): Promise<void> {
    const b = Buffer.from(chunk);
    this.chunks.push(b);
    for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) this.lines++;
  }
  async close(): Promise<void> {}
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs the real pipeline over `files` into `sink`. */
export async function runPipeline(
  files: string[],
  sink: EventSink,
  opts: Partial<PipelineOptions> = {},
): Promise<RunSummary> {
  const p = new Pipeline({ files, sensorId: 'test-sensor', ja4plus: true, workers: 1, sink, ...opts });
  return p.run();
}

/** Corpus captures with the most events (TLS, SSH, HTTP, certificates). */
export const CORPUS_FILES = [
  'arkime/tests/pcap/arkime_synthetic.pcap',
  'foxio-ja4/pcap/tls-handshake.pcapng',
  'foxio-ja4/pcap/http1.pcapng',
  'foxio-ja4/pcap/ssh2.pcapng',
  'foxio-ja4/pcap/tls3.pcapng',
].map((f) => `${CORPUS}${f}`);

/** A generated capture of a busy honeypot segment (the bench generator, small). */
export function generatedPcap(packets = 20_000, seed = 7): string {
  const file = join(tmp('gen'), `gen-${packets}-${seed}.pcap`);
  generateBenchPcap({ output: file, packets, seed });
  return file;
}

/** The distinct lines of a JSON-lines text (what the events table should hold). */
export function distinctLines(text: string): Set<string> {
  return new Set(text.split('\n').filter(Boolean));
}

type Ev = Record<string, unknown> & { ts: string; event_type: string; src_ip?: string; dst_ip?: string };

/** The attackers and attacker_fingerprints rows the writer should hold for these events,
 *  computed here independently of the SQL (first/last seen as Dates, counts of events). */
export function expectedProfiles(lines: Iterable<string>): {
  attackers: Array<Record<string, unknown>>;
  fingerprints: Array<Record<string, unknown>>;
} {
  const ms = (ts: string) => Date.parse(ts);
  const att = new Map<
    string,
    {
      first: number;
      last: number;
      n: number;
      deckies: Set<string>;
      services: Set<string>;
      sensors: Set<string>;
    }
  >();
  const fp = new Map<
    string,
    { ip: string; kind: string; value: string; first: number; last: number; n: number }
  >();
  for (const line of lines) {
    const e = JSON.parse(line) as Ev;
    if (e.src_ip) {
      const a = att.get(e.src_ip) ?? {
        first: Number.POSITIVE_INFINITY,
        last: Number.NEGATIVE_INFINITY,
        n: 0,
        deckies: new Set<string>(),
        services: new Set<string>(),
        sensors: new Set<string>(),
      };
      a.first = Math.min(a.first, ms(e.ts));
      a.last = Math.max(a.last, ms(e.ts));
      a.n++;
      if (e.dst_ip) a.deckies.add(e.dst_ip);
      if (e.dst_port !== undefined && e.transport) a.services.add(`${e.transport}/${e.dst_port}`);
      a.sensors.add(String(e.sensor_id));
      att.set(e.src_ip, a);
    }
    for (const s of FINGERPRINT_SOURCES) {
      if (!s.eventTypes.includes(e.event_type)) continue;
      const value = e[s.field];
      if (typeof value !== 'string' || value === '') continue;
      const ip = s.host === 'src' || (s.host === 'cert' && e.cert_role === 'client') ? e.src_ip : e.dst_ip;
      if (!ip) continue;
      const k = JSON.stringify([ip, s.kind, value]);
      const f = fp.get(k) ?? {
        ip,
        kind: s.kind,
        value,
        first: Number.POSITIVE_INFINITY,
        last: Number.NEGATIVE_INFINITY,
        n: 0,
      };
      f.first = Math.min(f.first, ms(e.ts));
      f.last = Math.max(f.last, ms(e.ts));
      f.n++;
      fp.set(k, f);
    }
  }
  const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    JSON.stringify([a.ip, a.kind, a.value]) < JSON.stringify([b.ip, b.kind, b.value]) ? -1 : 1;
  return {
    attackers: [...att.entries()]
      .map(([ip, a]) => ({
        ip,
        first_seen: new Date(a.first),
        last_seen: new Date(a.last),
        event_count: a.n,
        decky_count: a.deckies.size,
        service_count: a.services.size,
        sensor_count: a.sensors.size,
      }))
      .sort(byKey),
    fingerprints: [...fp.values()]
      .map((f) => ({
        ip: f.ip,
        kind: f.kind,
        value: f.value,
        first_seen: new Date(f.first),
        last_seen: new Date(f.last),
        count: f.n,
      }))
      .sort(byKey),
  };
}

/** The profile rows the database holds, in expectedProfiles' shape and order. */
export async function storedProfiles(db: Db): Promise<ReturnType<typeof expectedProfiles>> {
  const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    JSON.stringify([a.ip, a.kind, a.value]) < JSON.stringify([b.ip, b.kind, b.value]) ? -1 : 1;
  const attackers = (
    await db.query<Record<string, unknown>>(
      'SELECT ip, first_seen, last_seen, event_count, decky_count, service_count, sensor_count FROM attackers',
    )
  ).rows.sort(byKey);
  const fingerprints = (
    await db.query<Record<string, unknown>>(
      'SELECT ip, kind, value, first_seen, last_seen, count FROM attacker_fingerprints',
    )
  ).rows.sort(byKey);
  return { attackers, fingerprints };
}

/** The events table's lines (payload as stored; key order may differ from the emitted line). */
export async function storedEventCount(db: Db): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*) AS n FROM events')).rows[0]!.n;
}
