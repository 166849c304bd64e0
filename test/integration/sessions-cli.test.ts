// `deckscope sessions ingest` and `sessions similar` end to end, on the real asciinema recordings of
// test/fixtures/casts: a v2 file named after its attacker and honeypot, the same session as v3, and
// a DECNET day shard holding it with another session. The database gets one linked row per session
// with every column the issue names filled, the password typed at a no-echo prompt appears nowhere
// in the database, the three copies are SimHash distance 0 apart, re-ingesting replaces rows, and
// --watch picks up a file dropped into the directory.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { SESSION_COLUMNS } from '../../src/db/sessions.js';
import { backends, noteServerSkip, tmp } from '../db/helpers.js';
import { mergeShards, v2ToShard, v2ToV3 } from '../helpers/asciicast.js';
import { BIN, runCli as run } from '../helpers/cli.js';

noteServerSkip('test/integration/sessions-cli.test.ts');

const CASTS = fileURLToPath(new URL('../fixtures/casts/', import.meta.url));
const PLANS = JSON.parse(readFileSync(join(CASTS, 'plans.json'), 'utf8')) as Array<{
  name: string;
  password?: string;
  expected: Record<string, number>;
}>;
const HUMAN = PLANS.find((p) => p.name === 'human')!;

/** The KD columns the issue requires to be computed (not left NULL) for a typed session. */
const REQUIRED = [
  'kd_iki_mean_ms',
  'kd_iki_stdev_ms',
  'kd_iki_p50_ms',
  'kd_iki_p95_ms',
  'kd_enter_latency_p50_ms',
  'kd_enter_latency_p95_ms',
  'kd_burst_ratio',
  'kd_think_ratio',
  'kd_backspace_rate',
  'kd_ctrl_w_rate',
  'kd_ctrl_u_rate',
  'kd_ctrl_c_rate',
  'kd_ctrl_d_rate',
  'kd_arrow_rate',
  'kd_tab_rate',
  'kd_digraph_simhash',
  'kd_top_digraphs',
  'kd_start_latency_ms',
  'kd_pause_hist',
  'kd_max_pause_s',
  'kd_total_keystrokes',
  'duration_s',
  'schema_version',
  'kd_pause_hist_rel',
  'kd_paste_count',
  'kd_timing_obfuscated',
  'verdict',
  'verdict_evidence',
];

describe.each(backends())('deckscope sessions on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('ingests v2, v3 and a DECNET shard into linked rows with the same profile, and finds them similar', async () => {
    const url = await backend.fresh();
    const dir = tmp('casts');
    const human = readFileSync(join(CASTS, 'human.cast'), 'utf8');
    // The attacker and honeypot come from the file name for v2 and v3, from the header for the shard.
    writeFileSync(join(dir, '203.0.113.7_decky-01_ssh_h1.cast'), human);
    writeFileSync(join(dir, '203.0.113.7_decky-01_ssh_h1-v3.cast'), v2ToV3(human));
    mkdirSync(join(dir, 'decky-02', 'ssh'), { recursive: true });
    const other = readFileSync(join(CASTS, 'scripted-chars.cast'), 'utf8');
    writeFileSync(
      join(dir, 'decky-02', 'ssh', 'sessions-2026-11-30.jsonl'),
      mergeShards(
        v2ToShard(human, 'sid-human', 1_796_052_962, { attacker_ip: '198.51.100.23' }),
        v2ToShard(other, 'sid-script', 1_796_052_970, { attacker_ip: '198.51.100.24' }),
      ),
    );

    const r = run(['sessions', 'ingest', dir, '--db', url, '--json']);
    expect(r.stderr).toMatch(/4 profiled, 4 rows written/);
    expect(r.code).toBe(0);
    const printed = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(printed).toHaveLength(4);
    // --json is keyed by the table's column names.
    expect(Object.keys(printed[0]!)).toEqual(SESSION_COLUMNS.filter((c) => c !== 'kd_simhash_bands'));

    const db = await openDb(url);
    let humanIds: string[];
    let shardId: string;
    try {
      const rows = (
        await db.query<Record<string, unknown>>(
          `SELECT s.*, s.kd_digraph_simhash::text AS simhash, host(s.attacker_ip) AS ip, a.uuid AS linked
           FROM session_profile s LEFT JOIN attackers a ON a.uuid = s.attacker_uuid ORDER BY s.source`,
        )
      ).rows;
      expect(rows.map((x) => [x.ip, x.honeypot, x.service, x.format, x.sid])).toEqual([
        ['203.0.113.7', 'decky-01', 'ssh', 'asciicast-v3', 'h1-v3'],
        ['203.0.113.7', 'decky-01', 'ssh', 'asciicast-v2', 'h1'],
        ['198.51.100.23', 'decky-02', 'ssh', 'decnet-shard', 'sid-human'],
        ['198.51.100.24', 'decky-02', 'ssh', 'decnet-shard', 'sid-script'],
      ]);
      for (const row of rows) expect(row.linked).not.toBeNull();
      const humans = rows.filter((x) => x.sid !== 'sid-script');
      for (const row of humans) {
        for (const c of REQUIRED) expect(row[c], c).not.toBeNull();
        expect(row.kd_total_keystrokes).toBe(HUMAN.expected.keystrokes);
        expect(row.kd_noecho_lines).toBe(1); // one password line typed at read -s
        expect(row.kd_paste_count).toBe(HUMAN.expected.pastes);
        expect(row.verdict).toBe('human');
      }
      // The same session in three formats: one profile (ids, sources and formats aside).
      const strip = (x: Record<string, unknown>) => {
        const {
          session_id,
          source,
          format,
          sid,
          ingested_at,
          attacker_ip,
          ip,
          linked,
          attacker_uuid,
          honeypot,
          ...rest
        } = x;
        return rest;
      };
      expect(strip(humans[0]!)).toEqual(strip(humans[1]!));
      expect(strip(humans[0]!)).toEqual(strip(humans[2]!));

      // No trace of the password typed at the no-echo prompt, anywhere in the table.
      const dump = JSON.stringify((await db.query('SELECT row_to_json(s) AS j FROM session_profile s')).rows);
      expect(HUMAN.password).toBeTruthy();
      expect(dump).not.toContain(HUMAN.password);
      for (let i = 0; i + 1 < HUMAN.password!.length; i++)
        expect(dump).not.toContain(`"digraph":"${HUMAN.password!.slice(i, i + 2)}"`);
      humanIds = humans.map((x) => x.session_id as string);
      shardId = humans.find((x) => x.sid === 'sid-human')!.session_id as string;
    } finally {
      await db.close();
    }

    // PGlite serves one process at a time: the CLI runs once the test's connection is closed.
    const sim = run(['sessions', 'similar', shardId, '--db', url, '--json']);
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    const out = JSON.parse(sim.stdout) as { neighbours: Array<{ session_id: string; distance: number }> };
    expect(
      out.neighbours
        .filter((n) => n.distance === 0)
        .map((n) => n.session_id)
        .sort(),
    ).toEqual(humanIds.filter((id) => id !== shardId).sort());

    // Re-ingesting replaces the rows instead of adding to them.
    expect(run(['sessions', 'ingest', dir, '--db', url, '-q']).code).toBe(0);
    const again = await openDb(url);
    try {
      expect(
        (await again.query<{ n: number }>('SELECT count(*)::int AS n FROM session_profile')).rows[0]!.n,
      ).toBe(4);
    } finally {
      await again.close();
    }
  });
});

describe('deckscope sessions: watch mode and errors', () => {
  it('--watch ingests a recording dropped into the directory, and exits 0 on SIGINT', async () => {
    const dir = tmp('watch');
    const url = `pglite:${join(tmp('watch-db'), 'db')}`;
    const p = spawn(process.execPath, [BIN, 'sessions', 'ingest', dir, '--watch', '--db', url, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const until = async (f: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end && !f(); )
        await new Promise((r) => setTimeout(r, 100));
      return f();
    };
    expect(await until(() => stderr.includes('watching'), 30_000)).toBe(true);
    copyFileSync(join(CASTS, 'human.cast'), join(dir, '192.0.2.44_decky-03_ssh_w1.cast'));
    expect(await until(() => stdout.includes('"sid":"w1"'), 30_000)).toBe(true);
    const code = new Promise<number | null>((resolve) => p.on('close', resolve));
    p.kill('SIGINT');
    expect(await code).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({ sid: 'w1', honeypot: 'decky-03', verdict: 'human' });
  });

  it('says what to do about a missing path, a non-recording and an unknown session', () => {
    const url = `pglite:${join(tmp('err-db'), 'db')}`;
    const missing = run(['sessions', 'ingest', '/nonexistent/recordings', '--db', url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file or directory: give a recording file or a directory/);
    const bad = join(tmp('bad'), 'junk.cast');
    writeFileSync(bad, 'this is not a recording\n');
    const junk = run(['sessions', 'ingest', bad, '--db', url]);
    expect(junk.code).toBe(0);
    expect(junk.stderr).toMatch(/junk.cast: not an asciicast v2\/v3 or DECNET session shard/);
    expect(junk.stderr).toMatch(/skipped: not_a_recording 1/);
    const unknown = run(['sessions', 'similar', 'nope', '--db', url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no session 'nope'.*ingest it first/);
    const usage = run(['sessions', 'similar', 'x', '--max-distance', '40']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--max-distance: '40' is not a number of bits from 0 to 16/);
  });
});
