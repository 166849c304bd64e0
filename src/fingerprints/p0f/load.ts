// Loads p0f.fp once per worker (lazily, on first use) from the copy shipped in data/p0f/, or from
// a file the user names (--p0f-db FILE). The CLI loads it once before a capture starts, so a
// missing or wrong file stops the run with this module's message instead of failing every batch.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeckscopeError } from '../../util/errors.js';
import { type P0fDatabase, parseP0fDatabase } from './database.js';

/** Largest p0f.fp accepted, in bytes: the stock file is ~30 KiB; this bounds a worker's memory
 *  against a wrong path (a pcap, a log) passed as the database. */
export const P0F_DB_MAX_BYTES = 4 * 1024 * 1024;

/** data/p0f/p0f.fp of the package, from src/ (tests) or dist/src/ (the built package). */
export const DEFAULT_P0F_DB: string = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/') ? '../../../../data/p0f/p0f.fp' : '../../../data/p0f/p0f.fp',
    import.meta.url,
  ),
);

const loaded = new Map<string, P0fDatabase>();

/** The parsed database at `path` (default: the shipped copy), read and parsed once per process
 *  or worker. Throws DeckscopeError when the file cannot be read or holds no TCP signature at all;
 *  refused lines are not errors (see `diagnostics`). */
export function loadP0fDatabase(path: string = DEFAULT_P0F_DB): P0fDatabase {
  const hit = loaded.get(path);
  if (hit) return hit;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new DeckscopeError(
      'E_NO_SUCH_FILE',
      path === DEFAULT_P0F_DB
        ? `p0f database ${path}: the bundled copy is missing: reinstall deckscope, or give --p0f-db FILE (a p0f 3 p0f.fp, e.g. /etc/p0f/p0f.fp from 'apt-get install p0f')`
        : `p0f database ${path}: no such file: give --p0f-db the path of a p0f 3 p0f.fp (e.g. /etc/p0f/p0f.fp from 'apt-get install p0f')`,
    );
  }
  if (size > P0F_DB_MAX_BYTES) {
    throw new DeckscopeError(
      'E_BAD_OPTION',
      `p0f database ${path}: ${size} bytes, more than ${P0F_DB_MAX_BYTES}; is it really a p0f.fp?`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    throw new DeckscopeError(
      'E_FILE_PERMISSION',
      `p0f database ${path}: cannot read it (check its permissions)`,
      {
        cause: err,
      },
    );
  }
  const db = parseP0fDatabase(text);
  if (db.signatures === 0) {
    throw new DeckscopeError(
      'E_BAD_OPTION',
      `p0f database ${path}: no TCP signature in it (${db.errorCount} refused line${db.errorCount === 1 ? '' : 's'}); is it really a p0f 3 p0f.fp?`,
    );
  }
  loaded.set(path, db);
  return db;
}
