// One interface over the two PostgreSQL back ends: a server through `pg` (postgres://…) and
// PGlite in-process (pglite:DIR, the zero-setup default). Both return the same shapes, decided
// once here: int8 and numeric -> number (counts stay far below 2^53), timestamptz -> Date,
// inet and uuid -> string, json/jsonb -> parsed values, arrays -> arrays of those.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { connectError, DbError, type Target } from './errors.js';
import { takeLock } from './lock.js';

export type Row = Record<string, unknown>;

export interface QueryResult<T = Row> {
  rows: T[];
  /** Rows inserted, updated, deleted or returned by the statement. */
  rowCount: number;
}

/** What migrations, the writer and the report need from a connection. */
export interface Queryable {
  /** Runs one statement with $1… parameters. A `name` makes it a prepared statement of the
   *  connection (parsed and planned once; PGlite ignores it). */
  query<T = Row>(sql: string, params?: readonly unknown[], name?: string): Promise<QueryResult<T>>;
}

/** A connection inside a transaction. */
export interface Tx extends Queryable {
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** The --db value with any password masked, for messages and the summary. */
  readonly label: string;
  /** True once the connection is lost; open a new Db to continue. */
  readonly broken: boolean;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DbLocation =
  | { kind: 'postgres'; url: string; target: Target; label: string }
  | { kind: 'pglite'; dir: string | null; label: string };

export const DEFAULT_DB = 'pglite:./data/deckscope';

const OID_INT8 = 20;
const OID_NUMERIC = 1700;

function badUrl(raw: string, why: string): DbError {
  return new DbError(
    'E_DB_URL',
    `--db: '${raw}' ${why}: give postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE or pglite:DIRECTORY`,
  );
}

/** Parses a --db value: postgres://… / postgresql://… or pglite:DIR (pglite:memory:// keeps the
 *  database in memory). Throws E_DB_URL with the accepted forms when it is neither. */
export function parseDbUrl(raw: string): DbLocation {
  if (raw === 'pglite' || raw.startsWith('pglite:')) {
    const rest = raw === 'pglite' ? '' : raw.slice('pglite:'.length);
    if (rest === 'memory://' || rest === 'memory:')
      return { kind: 'pglite', dir: null, label: 'pglite:memory://' };
    const dir = rest === '' ? DEFAULT_DB.slice('pglite:'.length) : rest;
    return { kind: 'pglite', dir: resolve(dir), label: `pglite:${dir}` };
  }
  if (!/^postgres(?:ql)?:\/\//i.test(raw)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
    throw badUrl(raw, scheme ? `has the unknown scheme '${scheme}:'` : 'is not a database URL');
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badUrl(raw, 'is not a valid URL');
  }
  const socketHost = u.searchParams.get('host');
  if (!u.hostname && !socketHost) throw badUrl(raw, 'names no host');
  if (u.port && !/^\d+$/.test(u.port)) throw badUrl(raw, `has a bad port '${u.port}'`);
  const user = decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres';
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  if (database.includes('/')) throw badUrl(raw, `has a bad database name '${database}'`);
  const target: Target = {
    host: u.hostname || socketHost || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user,
    database,
  };
  const masked = new URL(raw);
  if (masked.password) masked.password = '***';
  return { kind: 'postgres', url: raw, target, label: masked.toString() };
}

/** Opens the database a --db value names. PGlite directories are created when missing and held
 *  with a lock file, since PGlite serves one process at a time. */
export async function openDb(
  where: string | DbLocation,
  opts: { connectTimeoutMs?: number; queryTimeoutMs?: number } = {},
): Promise<Db> {
  const loc = typeof where === 'string' ? parseDbUrl(where) : where;
  return loc.kind === 'postgres'
    ? openPostgres(loc, opts.connectTimeoutMs ?? 10_000, opts.queryTimeoutMs)
    : openPglite(loc);
}

async function openPostgres(
  loc: Extract<DbLocation, { kind: 'postgres' }>,
  connectTimeoutMs: number,
  queryTimeoutMs: number | undefined,
): Promise<Db> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: loc.url,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'deckscope',
    // A server that vanishes without a reset (a network partition) is noticed by TCP keepalive
    // and, for the writer, by a client-side query timeout; either marks the connection broken.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}),
  });
  client.setTypeParser(OID_INT8, 'text', Number);
  client.setTypeParser(OID_NUMERIC, 'text', Number);
  let broken = false;
  client.on('error', () => {
    broken = true; // the connection dropped while idle; the next query fails and the owner reopens
  });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw connectError(err, loc.target);
  }
  client.on('end', () => {
    broken = true;
  });
  const run = async <T>(sql: string, params?: readonly unknown[], name?: string): Promise<QueryResult<T>> => {
    try {
      const values = params as unknown[] | undefined;
      const r = await (name
        ? client.query({ name, text: sql, values: values ?? [] })
        : client.query(sql, values));
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      if ((err as { code?: string }).code === undefined) broken = true;
      throw err;
    }
  };
  let chain: Promise<unknown> = Promise.resolve();
  return {
    kind: 'postgres',
    label: loc.label,
    get broken() {
      return broken;
    },
    query: run,
    async exec(sql) {
      await run(sql);
    },
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      // One connection: transactions are serialised so their statements never interleave.
      const next = chain.then(async () => {
        await run('BEGIN');
        try {
          const out = await fn({
            query: run,
            async exec(sql) {
              await run(sql);
            },
          });
          await run('COMMIT');
          return out;
        } catch (err) {
          if (!broken) await run('ROLLBACK').catch(() => {});
          throw err;
        }
      });
      chain = next.catch(() => {});
      return next;
    },
    async close() {
      broken = true;
      await client.end().catch(() => {});
    },
  };
}

async function openPglite(loc: Extract<DbLocation, { kind: 'pglite' }>): Promise<Db> {
  let unlock = () => {};
  if (loc.dir) {
    try {
      mkdirSync(dirname(loc.dir), { recursive: true });
    } catch (err) {
      throw new DbError('E_DB', `${loc.label}: cannot create ${dirname(loc.dir)}: ${(err as Error).message}`);
    }
    unlock = takeLock(
      `${loc.dir}.lock`,
      loc.label,
      'PGlite serves one process at a time; stop that process, use another directory, or use a ' +
        'PostgreSQL server (--db postgres://…) for several sensors',
    );
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const parsers = { [OID_INT8]: Number, [OID_NUMERIC]: Number };
  let db: InstanceType<typeof PGlite>;
  try {
    db = new PGlite(loc.dir ?? 'memory://', { parsers });
    await db.waitReady;
  } catch (err) {
    unlock();
    throw new DbError('E_DB', `${loc.label}: PGlite could not open the database: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let closed = false;
  const wrap = (q: {
    query: (
      sql: string,
      params?: unknown[],
    ) => Promise<{ rows: unknown[]; rowCount?: number; affectedRows?: number }>;
    exec: (sql: string) => Promise<unknown>;
  }): Tx => ({
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await q.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
    },
  });
  const top = wrap(db);
  return {
    kind: 'pglite',
    label: loc.label,
    get broken() {
      return closed;
    },
    query: top.query,
    async exec(sql) {
      await db.exec(sql);
    },
    transaction(fn) {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
