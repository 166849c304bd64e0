// The writer's queue, spool and outage handling, against a scripted database that can be made
// slow, unreachable or picky: bounds hold, live capture never waits, file replay waits, nothing
// is lost or reordered across an outage, refused lines are isolated, and what is left in the
// spool at exit is written at the next start.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDb, type Tx } from '../../src/db/adapter.js';
import { PostgresSink, type PostgresSinkOptions } from '../../src/sinks/postgres.js';
import {
  BytesSink,
  backends,
  distinctLines,
  expectedProfiles,
  generatedPcap,
  runPipeline,
  SERVER_URL,
  snapshot,
  storedProfiles,
  tmp,
} from './helpers.js';

/** A database that stores lines in memory; `mode` decides how batch writes behave. */
class ScriptedDb {
  lines: string[] = [];
  mode: 'ok' | 'block' | 'down' = 'ok';
  /** Lines containing this are refused with a data error (22P02). */
  poison = 'POISON';
  connects = 0;
  /** Connections the server accepts (later ones are refused: too many clients). */
  maxConnects = Number.POSITIVE_INFINITY;
  /** Transactions under way, and the most at once. */
  active = 0;
  peak = 0;
  /** Connection attempts to refuse while down before answering again (-1: always refuse). */
  refuseConnects = 0;
  private gate: (() => void) | null = null;
  private gateP: Promise<void> | null = null;

  release(): void {
    this.mode = 'ok';
    this.gate?.();
    this.gate = null;
    this.gateP = null;
  }

  connect = async (): Promise<Db> => {
    this.connects++;
    if (this.connects > this.maxConnects)
      throw Object.assign(new Error('sorry, too many clients already'), { code: '53300' });
    if (this.mode === 'down')
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return this.db();
  };

  private db(): Db {
    const self = this;
    const query = async (sql: string, params?: readonly unknown[]) => {
      if (self.mode === 'down') throw Object.assign(new Error('Connection terminated'), { code: '57P01' });
      if (sql.includes('INSERT INTO events')) {
        const lines = String(params?.[0]).split('\n').filter(Boolean);
        if (lines.some((l) => l.includes(self.poison)))
          throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
        const fresh = lines.filter((l) => !self.lines.includes(l));
        self.lines.push(...fresh);
        return { rows: [], rowCount: fresh.length };
      }
      return { rows: [], rowCount: 0 };
    };
    const tx: Tx = { query: query as Tx['query'], exec: async () => {} };
    return {
      kind: 'postgres',
      label: 'scripted',
      get broken() {
        return self.mode === 'down';
      },
      query: query as Db['query'],
      exec: async () => {},
      async transaction<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
        self.active++;
        self.peak = Math.max(self.peak, self.active);
        try {
          if (self.mode === 'block') {
            self.gateP ??= new Promise<void>((r) => {
              self.gate = r;
            });
            await self.gateP;
          }
          return await fn(tx);
        } finally {
          self.active--;
        }
      },
      close: async () => {},
    };
  }
}

/** `n` event lines of about `size` bytes, on one day. */
function lines(n: number, from = 0, size = 200): string[] {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    const sec = String(k % 60).padStart(2, '0');
    const base = `{"ts":"2026-01-05T10:00:${sec}.${String(k).padStart(6, '0')}Z","event_type":"t","sensor_id":"s","src_ip":"10.0.0.${k % 250}","n":${k},"pad":"`;
    return `${base}${'x'.repeat(Math.max(0, size - base.length - 2))}"}`;
  });
}

const chunk = (ls: string[]) => Buffer.from(`${ls.join('\n')}\n`);

async function open(db: ScriptedDb, o: Partial<PostgresSinkOptions> = {}) {
  const warnings: string[] = [];
  const sink = await PostgresSink.open({
    db: 'postgres://u@127.0.0.1:1/x',
    spoolDir: tmp('spool'),
    spoolMaxBytes: 1 << 20,
    queueMaxBytes: 1 << 20,
    retentionDays: 0,
    backpressure: false,
    batchEvents: 100,
    flushMs: 5,
    closeTimeoutMs: 3_000,
    onWarning: (w) => warnings.push(w.message),
    connect: db.connect,
    ...o,
  });
  return { sink, warnings };
}

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('PostgresSink', () => {
  it('writes everything, in order, flushing on size and on time', async () => {
    const db = new ScriptedDb();
    const { sink } = await open(db);
    const all = lines(1234);
    for (let i = 0; i < all.length; i += 77) await sink.write(chunk(all.slice(i, i + 77)));
    await until(() => db.lines.length === all.length); // the last partial batch goes on time
    await sink.close();
    expect(db.lines).toEqual(all);
    expect(sink.metrics()).toMatchObject({ events: 1234, written: 1234, duplicates: 0, spooled: 0, shed: 0 });
  });

  it('live capture never waits: past the queue bound it spools, past the spool bound it sheds, counted', async () => {
    const db = new ScriptedDb();
    const queueMax = 64 * 1024;
    const spoolMax = 256 * 1024;
    const { sink, warnings } = await open(db, { queueMaxBytes: queueMax, spoolMaxBytes: spoolMax });
    db.mode = 'block'; // the database stops answering: every transaction hangs
    const all = lines(4000, 0, 250); // ~1 MiB
    let slowest = 0;
    for (let i = 0; i < all.length; i += 40) {
      const t = performance.now();
      await sink.write(chunk(all.slice(i, i + 40)));
      slowest = Math.max(slowest, performance.now() - t);
    }
    const m = sink.metrics();
    expect(m.queuePeakBytes).toBeLessThanOrEqual(queueMax);
    expect(m.spoolPeakBytes).toBeLessThanOrEqual(spoolMax);
    expect(m.spooled).toBeGreaterThan(0);
    expect(m.shed).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(250); // a local file append at most, never the database
    expect(warnings.join('\n')).toMatch(/queue and spool are full: dropping events \(counted\)/);
    db.release();
    await sink.close();
    const end = sink.metrics();
    // Everything not shed arrived, in arrival order.
    expect(end.written).toBe(4000 - end.shed);
    expect(db.lines).toEqual(all.filter((l) => db.lines.includes(l)));
    expect(end.spoolBytesLeft).toBe(0);
  });

  it('file replay waits for room instead of shedding, then writes everything', async () => {
    const db = new ScriptedDb();
    const { sink } = await open(db, {
      queueMaxBytes: 32 * 1024,
      spoolMaxBytes: 64 * 1024,
      backpressure: true,
    });
    db.mode = 'block';
    const all = lines(2000, 0, 250);
    let i = 0;
    const writer = (async () => {
      for (; i < all.length; i += 40) await sink.write(chunk(all.slice(i, i + 40)));
    })();
    await new Promise((r) => setTimeout(r, 300));
    expect(i).toBeLessThan(all.length); // stalled: queue and spool full
    expect(sink.metrics().queuePeakBytes).toBeLessThanOrEqual(32 * 1024);
    db.release();
    await writer;
    await sink.close();
    expect(sink.metrics()).toMatchObject({ shed: 0, written: 2000 });
    expect(db.lines).toEqual(all);
    expect(sink.metrics().spoolPeakBytes).toBeLessThanOrEqual(64 * 1024);
  });

  it.each([1, 2])(
    'keeps every event across an outage with %i connection(s): spools, reconnects, replays (in order with one)',
    async (connections) => {
      const db = new ScriptedDb();
      const { sink, warnings } = await open(db, { connections });
      const all = lines(3000);
      for (let i = 0; i < 1000; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
      await until(() => db.lines.length === 1000);
      db.mode = 'down';
      for (let i = 1000; i < 2000; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
      await until(() => sink.metrics().outages === 1);
      for (let i = 2000; i < 2500; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
      expect(sink.metrics().spooled).toBeGreaterThan(0);
      db.mode = 'ok';
      for (let i = 2500; i < 3000; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
      await sink.close();
      // Two connections commit side by side, in either order; every line exactly once all the same.
      if (connections === 1) expect(db.lines).toEqual(all);
      else expect([...db.lines].sort()).toEqual([...all].sort());
      const m = sink.metrics();
      expect(m).toMatchObject({ written: 3000, outages: 1, shed: 0, spoolBytesLeft: 0 });
      expect(m.batchesRetried).toBeGreaterThan(0);
      expect(m.replayed).toBeGreaterThan(0);
      expect(warnings.join('\n')).toMatch(/stopped answering .*spooling to/);
    },
  );

  it('leaves what it could not write in the spool, and writes it at the next start', async () => {
    const db = new ScriptedDb();
    const spoolDir = tmp('spool');
    const a = await open(db, { spoolDir, closeTimeoutMs: 300 });
    const all = lines(900);
    await a.sink.write(chunk(all.slice(0, 300)));
    await until(() => db.lines.length === 300);
    db.mode = 'down';
    await a.sink.write(chunk(all.slice(300, 900)));
    await a.sink.close();
    expect(a.sink.metrics().spoolBytesLeft).toBeGreaterThan(0);
    expect(a.warnings.join('\n')).toMatch(/wait in .*written at the next start/);
    db.mode = 'ok';
    const b = await open(db, { spoolDir });
    await b.sink.close();
    expect(db.lines).toEqual(all);
    expect(b.sink.metrics()).toMatchObject({ replayed: 600, spoolBytesLeft: 0 });
  });

  it('a stop during close (second signal) spools what is left at once instead of waiting', async () => {
    const db = new ScriptedDb();
    const { sink } = await open(db, { closeTimeoutMs: 30_000 });
    db.mode = 'down';
    await sink.write(chunk(lines(300)));
    const t = performance.now();
    const closing = sink.close();
    setTimeout(() => sink.hurry(), 200);
    await closing;
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(sink.metrics()).toMatchObject({ written: 0, spooled: 300, shed: 0 });
    expect(sink.metrics().spoolBytesLeft).toBeGreaterThan(0);
  });

  it.each([1, 3])(
    'on a server, writes %i batch(es) at once, each on a connection of its own',
    async (connections) => {
      const db = new ScriptedDb();
      const { sink } = await open(db, { connections, queueMaxBytes: 4 << 20 });
      db.mode = 'block';
      const all = lines(1000);
      for (let i = 0; i < all.length; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
      await until(() => db.active === connections);
      await new Promise((r) => setTimeout(r, 100)); // ten batches are due: no more start
      expect(db.peak).toBe(connections);
      expect(db.connects).toBe(connections); // the main connection and one per further lane
      db.release();
      await sink.close();
      expect([...db.lines].sort()).toEqual([...all].sort());
      expect(sink.metrics()).toMatchObject({ written: 1000, batches: 10, duplicates: 0 });
    },
  );

  it.each([1, 2])(
    'close() keeps retrying the batches in flight when it was called, until its deadline (%i connection(s))',
    async (connections) => {
      const db = new ScriptedDb();
      const { sink } = await open(db, { connections, closeTimeoutMs: 10_000 });
      db.mode = 'block';
      const all = lines(200);
      await sink.write(chunk(all.slice(0, 100))); // two batches
      await sink.write(chunk(all.slice(100)));
      await until(() => db.active === connections);
      const closing = sink.close();
      await new Promise((r) => setTimeout(r, 50));
      db.release();
      db.mode = 'down'; // the batches in flight fail: the server restarts
      setTimeout(() => {
        db.mode = 'ok';
      }, 1200);
      await closing;
      expect([...db.lines].sort()).toEqual([...all].sort());
      expect(sink.metrics()).toMatchObject({ written: 200, outages: 1, spoolBytesLeft: 0 });
    },
  );

  it('a further connection that fails hands its batch back to the main one; the database is not away', async () => {
    const db = new ScriptedDb();
    db.maxConnects = 1; // the main connection only: the server refuses the lane's
    const { sink, warnings } = await open(db, { connections: 3 });
    const all = lines(1000);
    for (let i = 0; i < all.length; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
    await sink.close();
    expect([...db.lines].sort()).toEqual([...all].sort());
    const m = sink.metrics();
    expect(m).toMatchObject({ written: 1000, outages: 0, spooled: 0, shed: 0 });
    expect(m.batchesRetried).toBeGreaterThanOrEqual(2); // the first batch of each further lane
    expect(warnings.join('\n')).toMatch(
      /a further connection to .* failed \(sorry, too many clients already\); its batches go to the main connection/,
    );
  });

  it('PGlite serves one client per process: one batch at a time, whatever --db-connections says', async () => {
    const url = `pglite:${tmp('pglite')}/db`;
    let transactions = 0;
    let active = 0;
    let peak = 0;
    const sink = await PostgresSink.open({
      db: url,
      spoolDir: tmp('spool'),
      spoolMaxBytes: 1 << 20,
      queueMaxBytes: 4 << 20,
      retentionDays: 0,
      backpressure: true,
      batchEvents: 100,
      flushMs: 5,
      connections: 4,
      connect: async (loc, o) => {
        const real = await openDb(loc, o);
        return Object.assign(Object.create(real) as Db, {
          transaction: async <T>(fn: (tx: Tx) => Promise<T>) => {
            transactions++;
            peak = Math.max(peak, ++active);
            try {
              return await real.transaction(fn);
            } finally {
              active--;
            }
          },
          close: () => real.close(),
        });
      },
    });
    const all = lines(1000);
    for (let i = 0; i < all.length; i += 50) await sink.write(chunk(all.slice(i, i + 50)));
    await sink.close();
    expect(sink.metrics()).toMatchObject({ written: 1000, batches: 10 });
    expect(transactions).toBeGreaterThanOrEqual(10);
    expect(peak).toBe(1);
  });

  it('isolates lines the database refuses and writes the rest', async () => {
    const db = new ScriptedDb();
    const { sink, warnings } = await open(db);
    const all = lines(250);
    all[137] = all[137]!.replace('"pad":"', '"pad":"POISON');
    await sink.write(chunk(all));
    await sink.close();
    expect(db.lines).toEqual(all.filter((_, i) => i !== 137));
    expect(sink.metrics()).toMatchObject({ rejected: 1, written: 249 });
    expect(warnings.join('\n')).toMatch(/refused an event line; kept in .*rejected\.jsonl/);
  });

  it('drops events older than --retention-days and lines without a timestamp, counted', async () => {
    const db = new ScriptedDb();
    const spoolDir = tmp('spool');
    const { sink } = await open(db, { retentionDays: 7, spoolDir });
    const today = new Date().toISOString().slice(0, 10);
    const fresh = `{"ts":"${today}T00:00:00.000001Z","event_type":"t","sensor_id":"s"}`;
    const old = '{"ts":"2001-01-01T00:00:00.000000Z","event_type":"t","sensor_id":"s"}';
    const offset = '{"event_type":"t","sensor_id":"s","ts":"2026-01-05T10:00:00+02:00"}';
    await sink.write(chunk([old, fresh, 'not json', old, offset]));
    await sink.close();
    expect(db.lines).toEqual([fresh]);
    expect(sink.metrics()).toMatchObject({ events: 5, written: 1, expired: 3, rejected: 1 });
    expect(readFileSync(join(spoolDir, 'rejected.jsonl'), 'utf8')).toBe('not json\n');
  });

  it('holds its spool directory: a second writer on it is refused', async () => {
    const db = new ScriptedDb();
    const spoolDir = tmp('spool');
    const a = await open(db, { spoolDir });
    await expect(open(db, { spoolDir })).rejects.toThrow(
      /in use by process \d+: give each sensor its own --db-spool/,
    );
    await a.sink.close();
    expect(existsSync(join(spoolDir, 'spool.lock'))).toBe(false);
  });
});

describe.each(backends())('profile writes beside the event batches on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('a server gives them a connection of their own, closed with the writer; PGlite shares its one', async () => {
    const url = await backend.fresh();
    const sink = await PostgresSink.open({
      db: url,
      spoolDir: tmp('spool'),
      spoolMaxBytes: 1 << 20,
      queueMaxBytes: 1 << 20,
      retentionDays: 0,
      backpressure: true,
    });
    const pid = (tx: Tx) =>
      tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid').then((r) => Number(r.rows[0]!.pid));
    const writer = await sink.transaction(pid);
    const side = await Promise.all([sink.sideTransaction(pid), sink.sideTransaction(pid)]);
    expect(side[0]).toBe(side[1]); // one side connection, one transaction at a time
    if (backend.name === 'postgres') expect(side[0]).not.toBe(writer);
    else expect(side[0]).toBe(writer);
    await sink.close();
    if (backend.name === 'postgres') {
      const check = await openDb(SERVER_URL!);
      try {
        const left = await check.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])',
          [[writer, side[0]]],
        );
        expect(left.rows[0]!.n).toBe(0);
      } finally {
        await check.close();
      }
    }
  });
});

describe.each(backends())('batches side by side on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('end with the rows the events say, the same as one connection writing them in order', async () => {
    const events = new BytesSink();
    await runPipeline([generatedPcap(8_000, 3)], events);
    const data = Buffer.from(events.text);
    const stored = async (connections: number) => {
      const url = await backend.fresh();
      const sink = await PostgresSink.open({
        db: url,
        spoolDir: tmp('spool'),
        spoolMaxBytes: 1 << 20,
        queueMaxBytes: 8 << 20,
        retentionDays: 0,
        backpressure: true,
        batchEvents: 150, // many batches, overlapping on a server
        connections,
      });
      for (let start = 0; start < data.length; ) {
        const end = data.indexOf(0x0a, Math.min(start + 16_384, data.length - 1)) + 1;
        await sink.write(data.subarray(start, end));
        start = end;
      }
      await sink.close();
      const db = await openDb(url);
      try {
        return { metrics: sink.metrics(), rows: await snapshot(db), profiles: await storedProfiles(db) };
      } finally {
        await db.close();
      }
    };
    const one = await stored(1);
    const three = await stored(3);
    const distinct = distinctLines(events.text);
    expect(three.metrics.written).toBe(distinct.size);
    expect(three.metrics.batches).toBeGreaterThan(10);
    const expected = expectedProfiles(distinct);
    expect(three.profiles.attackers).toEqual(expected.attackers);
    expect(three.profiles.fingerprints).toEqual(expected.fingerprints);
    expect(three.rows).toEqual(one.rows);
  });
});
