// A real PostgreSQL server going away and coming back, and real password authentication. They
// run on a cluster of their own (pg_createcluster, scram-sha-256 on TCP, a port of its own), so
// stopping it never disturbs the shared server other test files use; it is dropped at the end
// whatever happens. Needs root and the PostgreSQL 15 server binaries (as on these machines and
// in .ci/run); skipped with the reason otherwise.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { PostgresSink } from '../../src/sinks/postgres.js';
import { type EventSink, TeeSink } from '../../src/sinks/sink.js';
import {
  BytesSink,
  distinctLines,
  expectedProfiles,
  generatedPcap,
  runPipeline,
  storedEventCount,
  storedProfiles,
  tmp,
} from '../db/helpers.js';
import { CORPUS } from '../helpers/corpus.js';

const CLUSTER = 'deckscope_test';
const PORT = 54329;
const PASSWORD = 'right-horse-battery';
const BIN = fileURLToPath(new URL('../../bin/deckscope.js', import.meta.url));
const TLS_PCAP = `${CORPUS}foxio-ja4/pcap/tls-alpn-h2.pcap`;

const why =
  process.getuid?.() !== 0
    ? 'not root'
    : !existsSync('/usr/bin/pg_createcluster') || !existsSync('/usr/lib/postgresql/15/bin/postgres')
      ? 'PostgreSQL 15 server (pg_createcluster) not installed'
      : null;
if (why) console.warn(`test/integration/db-outage.test.ts: skipped (${why})`);

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
/** Stops or starts the test cluster without blocking the event loop (the writer keeps running). */
const ctl = (action: 'start' | 'stop') =>
  promisify(execFile)('pg_ctlcluster', ['15', CLUSTER, action, ...(action === 'stop' ? ['-m', 'fast'] : [])]);
const dropCluster = () => spawnSync('pg_dropcluster', ['15', CLUSTER, '--stop'], { stdio: 'ignore' });
const url = (password = PASSWORD) => `postgres://postgres:${password}@127.0.0.1:${PORT}/deck`;

describe.skipIf(why)('a PostgreSQL server of its own', () => {
  beforeAll(() => {
    dropCluster(); // left over from an interrupted run
    sh('pg_createcluster', [
      '15',
      CLUSTER,
      '-p',
      String(PORT),
      '--start',
      '--',
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
    ]);
    sh('runuser', [
      '-u',
      'postgres',
      '--',
      'psql',
      '-qp',
      String(PORT),
      '-c',
      `ALTER USER postgres PASSWORD '${PASSWORD}'`,
    ]);
    sh('runuser', ['-u', 'postgres', '--', 'createdb', '-p', String(PORT), 'deck']);
  }, 120_000);
  afterAll(() => {
    dropCluster();
  });

  it('a wrong password and a missing password get messages that say what to do', () => {
    const run = (db: string) =>
      spawnSync(process.execPath, [BIN, '-r', TLS_PCAP, '--db', db], { encoding: 'utf8' });
    const wrong = run(url('wrong'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(
      new RegExp(
        `rejected the password of user 'postgres': check the password in --db \\(postgres://postgres:PASSWORD@127\\.0\\.0\\.1:${PORT}/deck\\) or set PGPASSWORD`,
      ),
    );
    const none = spawnSync(
      process.execPath,
      [BIN, '-r', TLS_PCAP, '--db', `postgres://postgres@127.0.0.1:${PORT}/deck`],
      {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: '' },
      },
    );
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/asks user 'postgres' for a password and none was given/);
  });

  it('stopping and starting the server mid-replay loses no event', async () => {
    const pcap = generatedPcap(20_000, 5);
    const db = await PostgresSink.open({
      db: url(),
      spoolDir: tmp('spool'),
      spoolMaxBytes: 256 << 20,
      queueMaxBytes: 8 << 20,
      retentionDays: 0,
      backpressure: true,
      batchEvents: 200,
      flushMs: 20,
      closeTimeoutMs: 60_000,
    });
    const fed = new BytesSink();
    let chunks = 0;
    let stopped = false;
    // The capture is paced (a pause per batch) so the server is away for a while in real time:
    // it stops after the 4th batch of events and starts again after the 10th, while the rest of
    // the capture is still being written.
    const hook: EventSink = {
      lines: 0,
      closed: false,
      async write() {
        chunks++;
        if (chunks === 4) {
          await ctl('stop');
          stopped = true;
        }
        if (chunks === 10) {
          await ctl('start');
          stopped = false;
        }
        await new Promise((r) => setTimeout(r, 250));
      },
      async close() {},
    };
    try {
      await runPipeline([pcap], new TeeSink(fed, hook, db));
      expect(chunks).toBeGreaterThan(10);
      await db.close();
    } finally {
      if (stopped) await ctl('start');
    }
    const m = db.metrics();
    const lines = distinctLines(fed.text);
    expect(m).toMatchObject({ events: fed.lines, shed: 0, rejected: 0, spoolBytesLeft: 0 });
    expect(m.outages).toBeGreaterThanOrEqual(1);
    expect(m.spooled).toBeGreaterThan(0);
    expect(m.replayed).toBeGreaterThan(0);
    expect(m.written).toBe(lines.size);
    const check = await openDb(url());
    try {
      expect(await storedEventCount(check)).toBe(lines.size);
      expect(await storedProfiles(check)).toEqual(expectedProfiles(lines));
    } finally {
      await check.close();
    }
  }, 120_000);
});
