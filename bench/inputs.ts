// What the benchmarks share: the deterministic bench capture (scripts/gen-bench-pcap.ts, seed 1)
// and its JSON lines, each made once and kept in bench/pcaps/, and a fresh database per run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../src/db/adapter.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PCAPS = `${ROOT}bench/pcaps`;

/** The bench capture of `packets` packets (and its manifest), generated when missing. */
export function benchPcap(packets: number): string {
  mkdirSync(PCAPS, { recursive: true });
  const file = `${PCAPS}/bench-${packets}.pcap`;
  if (!existsSync(file) || !existsSync(`${file}.manifest.json`)) {
    console.error(`generating ${file} (${packets} packets, seed 1)...`);
    const g = spawnSync(
      process.execPath,
      [`${ROOT}dist/scripts/gen-bench-pcap.js`, '-o', file, '-n', String(packets), '--seed', '1'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (g.status !== 0) throw new Error(`gen-bench-pcap exited ${g.status}`);
  }
  return file;
}

/** The pipeline's JSON lines for the bench capture of `packets` packets, made when missing. */
export function benchJsonl(packets: number): string {
  const pcap = benchPcap(packets);
  const file = `${PCAPS}/bench-${packets}.jsonl`;
  if (!existsSync(file)) {
    const r = spawnSync(process.execPath, [`${ROOT}bin/deckscope.js`, '-q', '-r', pcap, '-o', file], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`deckscope exited ${r.status}`);
  }
  return file;
}

/** A fresh database to open by its URL: a new schema on the server at `server` (the URL sets the
 *  search_path to it), or a new PGlite directory. `drop` removes it. */
export async function freshDb(
  kind: 'postgres' | 'pglite',
  server?: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'deckscope-bench-'));
    return { url: `pglite:${dir}/db`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!server) throw new Error('a PostgreSQL scenario needs DATABASE_URL (postgres://…)');
  const schema = `ds_bench_${randomBytes(4).toString('hex')}`;
  const admin = await openDb(server);
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const u = new URL(server);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const a = await openDb(server);
      await a.query(`DROP SCHEMA ${schema} CASCADE`);
      await a.close();
    },
  };
}
