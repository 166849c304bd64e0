// Versioned plain-SQL migrations (src/db/migrations/NNN_name.sql), applied in order, each in its
// own transaction, under a session advisory lock so sensors starting together do not race.
// Applied files are recorded with a checksum; a changed file is refused rather than re-run.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './adapter.js';
import { DbError } from './errors.js';

export interface Migration {
  version: number;
  name: string;
  /** The file name, NNN_name.sql. */
  file: string;
  sql: string;
  checksum: string;
}

/** Advisory lock class of `deckscope db migrate` (the second key is the schema's hash). */
const MIGRATE_LOCK = 1684366187;

/** The migrations folder: beside this module (dist/ copies it), else the source tree. */
function migrationsDir(): string {
  for (const rel of ['./migrations/', '../../../src/db/migrations/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new DbError(
    'E_DB_MIGRATION',
    'the SQL migrations are missing from this install: reinstall deckscope',
  );
}

/** Reads NNN_name.sql files in version order. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(\d{3,})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) continue;
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    out.push({
      version: Number(m[1]),
      name: m[2]!,
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  for (let i = 1; i < out.length; i++)
    if (out[i]!.version === out[i - 1]!.version)
      throw new DbError('E_DB_MIGRATION', `two migrations have version ${out[i]!.version}`);
  return out;
}

export interface MigrateResult {
  applied: Migration[];
  version: number;
}

/** Brings the schema to the newest migration; idempotent and safe to run from several processes. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<MigrateResult> {
  await db.query('SELECT pg_advisory_lock($1, hashtext(current_schema()))', [MIGRATE_LOCK]);
  try {
    await db.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Map(
      (
        await db.query<{ version: number; name: string; checksum: string }>(
          'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
        )
      ).rows.map((r) => [r.version, r]),
    );
    const known = new Set(migrations.map((m) => m.version));
    const newest = Math.max(0, ...done.keys());
    if (newest > 0 && !known.has(newest))
      throw new DbError(
        'E_DB_MIGRATION',
        `${db.label} has schema version ${newest}, newer than this deckscope knows ` +
          `(${Math.max(0, ...known)}): upgrade deckscope`,
      );
    const applied: Migration[] = [];
    for (const m of migrations) {
      const row = done.get(m.version);
      if (row) {
        if (row.checksum !== m.checksum)
          throw new DbError(
            'E_DB_MIGRATION',
            `migration ${m.file} changed after it was applied to ${db.label}: ` +
              `restore the original file and add a new migration instead`,
          );
        continue;
      }
      try {
        await db.transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
        });
      } catch (err) {
        throw new DbError(
          'E_DB_MIGRATION',
          `migration ${m.file} failed on ${db.label}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      applied.push(m);
    }
    return { applied, version: Math.max(newest, ...applied.map((m) => m.version)) };
  } finally {
    if (!db.broken)
      await db
        .query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [MIGRATE_LOCK])
        .catch(() => {});
  }
}
