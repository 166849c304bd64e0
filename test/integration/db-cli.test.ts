// The database side of the command line: --db with JSON lines or without, `db migrate`,
// `report` (table and --json), two sensor processes writing one server at once, and the
// messages for a malformed URL, a missing database, an unknown role, an unreachable server and
// a PGlite directory in use.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { CORPUS_FILES, noteServerSkip, SERVER_URL, serverBackend, snapshot, tmp } from '../db/helpers.js';
import { BIN, runCli as run } from '../helpers/cli.js';
import { CORPUS } from '../helpers/corpus.js';

noteServerSkip('test/integration/db-cli.test.ts');

const TLS_PCAP = `${CORPUS}foxio-ja4/pcap/tls-alpn-h2.pcap`;

function runAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('deckscope with PGlite', () => {
  const dir = tmp('cli-db');
  const db = `pglite:${join(dir, 'db')}`;
  const spool = join(dir, 'spool');

  it('db migrate creates the schema once', () => {
    const a = run(['db', 'migrate', '--db', db]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(
      /applied 001_events\.sql, 002_profiles\.sql, 003_views\.sql, 004_profiler\.sql, 005_sessions\.sql, 006_ssh_lists\.sql, 007_session_documents\.sql; schema version 7/,
    );
    const b = run(['db', 'migrate', '--db', db]);
    expect(b.stdout).toMatch(/schema is up to date \(version 7\)/);
  });

  it('writes a capture to the database (no JSON lines unless -o is given) and sums it up', () => {
    const r = run(['-r', TLS_PCAP, '--db', db, '--db-spool', spool]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/database pglite:.*: 7 events written \(0 already there\) in 1 batches/);
    expect(r.stderr).toMatch(
      /retried 0 batches, 0 outages; spooled 0, replayed 0, shed 0, rejected 0, expired 0/,
    );
    const again = run([
      '-q',
      '-r',
      TLS_PCAP,
      '--db',
      db,
      '--db-spool',
      spool,
      '-o',
      '-',
      '--stats-json',
      '-',
    ]);
    expect(again.code).toBe(0);
    const lines = again.stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    const stats = JSON.parse(again.stderr);
    expect(stats.db).toMatchObject({ events: 7, written: 0, duplicates: 7, batches: 1 });
  });

  it('report prints the top attackers and their fingerprints, as a table and as JSON', () => {
    const t = run(['report', '--db', db]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^deckscope report: pglite:/);
    expect(t.stdout).toMatch(/1 source addresses, 7 events/);
    expect(t.stdout).toMatch(/ 1 {2}2001:4998:ef83:14:8000::100d +7 +1 +1 {2}2020-07-05 20:23:28/);
    expect(t.stdout).toMatch(/^ +ja4 +t12d4605h2_85626a9a5f7f_aaf95bb78ec9$/m);
    expect(t.stdout).toMatch(/^ +ja3 +3faa4ad39f690c4ef1c3160caa375465$/m);
    const j = run(['report', '--db', db, '--json', '-n', '5']);
    expect(j.code).toBe(0);
    const r = JSON.parse(j.stdout);
    expect(r.totals).toMatchObject({ attackers: 1, events: 7 });
    expect(r.top_attackers[0]).toMatchObject({
      ip: '2001:4998:ef83:14:8000::100d',
      event_count: 7,
      fingerprints: {
        ja3: ['3faa4ad39f690c4ef1c3160caa375465'],
        ja4: ['t12d4605h2_85626a9a5f7f_aaf95bb78ec9'],
      },
    });
  });

  it('says when the PGlite directory is in use by another process', async () => {
    const holder = await openDb(db);
    try {
      const r = run(['report', '--db', db]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`is in use by process ${process.pid}: PGlite serves one process at a time`),
      );
    } finally {
      await holder.close();
    }
  });

  it('report on a database without the schema says what to run', () => {
    const r = run(['report', '--db', `pglite:${join(tmp('empty'), 'db')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no deckscope schema: run deckscope db migrate --db pglite:/);
  });

  it.each([
    [['-r', TLS_PCAP, '--db', 'mysql://u@h/db'], /--db: 'mysql:\/\/u@h\/db' has the unknown scheme 'mysql:'/],
    [['-r', TLS_PCAP, '--db', 'postgres://u@h:x/db'], /is not a valid URL|bad port/],
    [['report', '--db', 'db.example.org'], /not a database URL: give postgres:\/\/USER\[:PASSWORD\]@HOST/],
    [['-r', TLS_PCAP, '--retention-days', '3'], /--retention-days applies to --db only/],
    [['-r', TLS_PCAP, '--db-connections', '4'], /--db-connections applies to --db only/],
    [
      ['-r', TLS_PCAP, '--db', 'pglite:x', '--db-connections', '0'],
      /--db-connections: 0 is outside 1\.\.16 connections/,
    ],
    [
      ['-r', TLS_PCAP, '--db', 'pglite:x', '--retention-days', 'week'],
      /--retention-days: 'week' is not a whole number/,
    ],
    [['db', 'upgrade'], /unknown command 'db upgrade'/],
  ])('exits 2 on a malformed database option: %j', (args, message) => {
    const r = run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe.runIf(SERVER_URL)('deckscope with the PostgreSQL server', () => {
  const backend = serverBackend();
  afterAll(() => backend.cleanup());
  const u = new URL(SERVER_URL ?? 'postgres://x@127.0.0.1/x');

  it('names a missing database and how to create it', () => {
    const url = `postgres://${u.username}@${u.host}/deckscope_no_such_db`;
    const r = run(['-r', TLS_PCAP, '--db', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /database 'deckscope_no_such_db' does not exist on .*: create it with createdb -h .* deckscope_no_such_db/,
    );
  });

  it('names an unknown role', () => {
    const r = run(['report', '--db', `postgres://deckscope_no_such_role@${u.host}${u.pathname}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refused user 'deckscope_no_such_role'.*role "deckscope_no_such_role" does not exist/,
    );
  });

  it('says when the server cannot be reached', () => {
    const r = run(['-r', TLS_PCAP, '--db', 'postgres://postgres@127.0.0.1:1/test']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\): is the server running/,
    );
  });

  it('two sensor processes writing the same captures at once leave exactly the rows of one', async () => {
    const files = CORPUS_FILES.flatMap((f) => ['-r', f]);
    const alone = await backend.fresh();
    expect(run(['-q', ...files, '--sensor-id', 's1', '--db', alone, '--db-spool', tmp('spool')]).code).toBe(
      0,
    );
    const db = await openDb(alone);
    const expected = await snapshot(db);
    await db.close();

    const shared = await backend.fresh();
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        runAsync([
          ...files,
          '--sensor-id',
          's1',
          '--db',
          shared,
          '--db-spool',
          tmp('spool'),
          '--stats-json',
          '-',
          '-q',
        ]),
      ),
    );
    expect([a!.code, b!.code]).toEqual([0, 0]);
    const [sa, sb] = [JSON.parse(a!.stderr), JSON.parse(b!.stderr)];
    expect(sa.db.written + sb.db.written).toBe(expected.events!.length);
    expect(sa.db.batches_retried + sb.db.batches_retried).toBe(0);
    const db2 = await openDb(shared);
    expect(await snapshot(db2)).toEqual(expected);
    await db2.close();
  });
});
