// Database errors a user can act on: a stable `code`, a message that names the remedy, and the
// exit status the CLI uses (2 for a malformed --db, 1 otherwise). Driver errors (pg, PGlite) are
// mapped here once, from their SQLSTATE or socket error code.

export type DbErrorCode =
  | 'E_DB_URL'
  | 'E_DB_AUTH'
  | 'E_DB_MISSING'
  | 'E_DB_UNREACHABLE'
  | 'E_DB_LOCKED'
  | 'E_DB_MIGRATION'
  | 'E_DB';

/** An error of the database layer, with a remedy in its message. */
export class DbError extends Error {
  readonly code: DbErrorCode;
  /** The driver's SQLSTATE or socket code, when there was one. */
  readonly sqlState: string | undefined;
  constructor(code: DbErrorCode, message: string, options?: { cause?: unknown; sqlState?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbError';
    this.code = code;
    this.sqlState = options?.sqlState;
  }
  /** Process exit status: 2 for a malformed --db value, 1 otherwise. */
  get exitCode(): number {
    return this.code === 'E_DB_URL' ? 2 : 1;
  }
}

/** Where a connection went, for messages (never includes the password). */
export interface Target {
  host: string;
  port: number;
  user: string;
  database: string;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** SQLSTATEs and socket codes after which the same statement may succeed later: connection
 *  loss, server shutdown or start-up, deadlock, serialization failure, too many connections. */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof DbError) return err.code === 'E_DB_UNREACHABLE';
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code)) return true;
    if (code.startsWith('08')) return true; // connection exception
    if (['57P01', '57P02', '57P03', '40001', '40P01', '53300', '55P03'].includes(code)) return true;
  }
  const msg = (err as Error)?.message ?? '';
  return /Connection terminated|connection (?:was )?closed|Client has encountered a connection error|not queryable/i.test(
    msg,
  );
}

/** True for errors caused by the data of a statement: SQLSTATE class 22 (data exception: bad
 *  JSON, timestamp or address), 23502 (a required field missing), 23514 (no partition for the
 *  row's day). The batch holds a line the database refuses; retrying it as is cannot help. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23502' || code === '23514');
}

/** Maps an error raised while connecting to PostgreSQL to a DbError that says what to do. */
export function connectError(err: unknown, t: Target): DbError {
  if (err instanceof DbError) return err;
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  const where = `${t.host}:${t.port}`;
  const opts = { cause: err, sqlState: code };
  if (code === '28P01' || /password authentication failed/i.test(msg))
    return new DbError(
      'E_DB_AUTH',
      `PostgreSQL at ${where} rejected the password of user '${t.user}': check the password in --db ` +
        `(postgres://${t.user}:PASSWORD@${where}/${t.database}) or set PGPASSWORD`,
      opts,
    );
  if (/client password must be a string|password must be a string/i.test(msg))
    return new DbError(
      'E_DB_AUTH',
      `PostgreSQL at ${where} asks user '${t.user}' for a password and none was given: put it in --db ` +
        `(postgres://${t.user}:PASSWORD@${where}/${t.database}) or set PGPASSWORD`,
      opts,
    );
  if (code === '28000')
    return new DbError(
      'E_DB_AUTH',
      `PostgreSQL at ${where} refused user '${t.user}' (${msg}): create the role, or allow this host ` +
        `in pg_hba.conf`,
      opts,
    );
  if (code === '3D000')
    return new DbError(
      'E_DB_MISSING',
      `database '${t.database}' does not exist on ${where}: create it with ` +
        `createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}`,
      opts,
    );
  if (code === '57P03')
    return new DbError(
      'E_DB_UNREACHABLE',
      `PostgreSQL at ${where} is starting up or shutting down: try again in a moment`,
      opts,
    );
  if (SOCKET_CODES.has(code) || /timeout expired|Connection terminated/i.test(msg))
    return new DbError(
      'E_DB_UNREACHABLE',
      `cannot reach PostgreSQL at ${where} (${code || msg}): is the server running and listening there? ` +
        `(pg_lsclusters; pg_ctlcluster 15 main start)`,
      opts,
    );
  return new DbError('E_DB', `PostgreSQL at ${where}: ${msg}`, opts);
}

/** What a write that sets refused rows aside did: the results of the parts written, and each row
 *  the database refused with its reason. */
export interface SetAside<T, R> {
  results: R[];
  refused: Array<{ row: T; reason: string }>;
}

/**
 * Writes `rows` with `write` as one batch. When the database refuses it for its data (a value out
 * of range, bad text, a constraint: isDataError), writes it in halves, recursively, until the
 * refused rows are isolated (writeInHalves), so one bad row never blocks the others or a retry
 * loop. Other errors (the connection) are thrown for the caller to retry.
 */
export async function writeSettingAside<T, R>(
  rows: readonly T[],
  write: (rows: readonly T[]) => Promise<R>,
): Promise<SetAside<T, R>> {
  if (rows.length === 0) return { results: [], refused: [] };
  try {
    return { results: [await write(rows)], refused: [] };
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (rows.length === 1)
      return { results: [], refused: [{ row: rows[0]!, reason: (err as Error).message }] };
    return writeInHalves(rows, write);
  }
}

/** Writes rows the database refused as a whole, in halves, recursively; see writeSettingAside. */
export async function writeInHalves<T, R>(
  rows: readonly T[],
  write: (rows: readonly T[]) => Promise<R>,
  out: SetAside<T, R> = { results: [], refused: [] },
): Promise<SetAside<T, R>> {
  const half = Math.ceil(rows.length / 2);
  for (const part of [rows.slice(0, half), rows.slice(half)]) {
    if (part.length === 0) continue;
    try {
      out.results.push(await write(part));
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (part.length === 1) out.refused.push({ row: part[0]!, reason: (err as Error).message });
      else await writeInHalves(part, write, out);
    }
  }
  return out;
}
