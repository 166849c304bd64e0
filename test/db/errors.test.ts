// --db parsing and the mapping of driver errors to messages that say what to do. The SQLSTATEs
// are the server's real codes (28P01 invalid_password, 28000, 3D000 invalid_catalog_name,
// 57P03 cannot_connect_now); test/integration/db-errors.test.ts provokes them for real.
import { describe, expect, it } from 'vitest';
import { parseDbUrl } from '../../src/db/adapter.js';
import { connectError, DbError, isDataError, isTransient } from '../../src/db/errors.js';

const target = { host: '127.0.0.1', port: 5432, user: 'sensor', database: 'deck' };

describe('parseDbUrl', () => {
  it.each([
    [
      'postgres://u:secret@db.example:6543/deck',
      'db.example',
      6543,
      'u',
      'deck',
      'postgres://u:***@db.example:6543/deck',
    ],
    ['postgresql://u@127.0.0.1/deck', '127.0.0.1', 5432, 'u', 'deck', 'postgresql://u@127.0.0.1/deck'],
    [
      'postgres://u@[::1]:5433/x?sslmode=require',
      '[::1]',
      5433,
      'u',
      'x',
      'postgres://u@[::1]:5433/x?sslmode=require',
    ],
  ])('accepts %s', (raw, host, port, user, database, label) => {
    const loc = parseDbUrl(raw);
    expect(loc.kind).toBe('postgres');
    if (loc.kind !== 'postgres') return;
    expect(loc.target).toEqual({ host, port, user, database });
    expect(loc.label).toBe(label);
  });

  it('accepts pglite forms', () => {
    expect(parseDbUrl('pglite:./data/x')).toMatchObject({ kind: 'pglite', label: 'pglite:./data/x' });
    expect(parseDbUrl('pglite:memory://')).toMatchObject({ kind: 'pglite', dir: null });
    expect(parseDbUrl('pglite')).toMatchObject({ kind: 'pglite', label: 'pglite:./data/deckscope' });
  });

  it.each([
    ['mysql://u@h/db', /unknown scheme 'mysql:'/],
    ['localhost:5432', /unknown scheme 'localhost:'|not a database URL/],
    ['just-a-name', /not a database URL/],
    ['postgres://u@h:port/db', /not a valid URL|bad port/],
    ['postgres:///db', /names no host/],
  ])('refuses %s with the accepted forms', (raw, why) => {
    let err: unknown;
    try {
      parseDbUrl(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).code).toBe('E_DB_URL');
    expect((err as DbError).exitCode).toBe(2);
    expect((err as DbError).message).toMatch(why);
    expect((err as DbError).message).toMatch(
      /postgres:\/\/USER\[:PASSWORD\]@HOST\[:PORT\]\/DATABASE or pglite:DIRECTORY/,
    );
  });
});

describe('connectError', () => {
  it.each([
    [
      { code: '28P01', message: 'password authentication failed for user "sensor"' },
      'E_DB_AUTH',
      /rejected the password of user 'sensor'.*PGPASSWORD/,
    ],
    [
      { message: 'SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string' },
      'E_DB_AUTH',
      /asks user 'sensor' for a password and none was given/,
    ],
    [
      { code: '28000', message: 'no pg_hba.conf entry for host' },
      'E_DB_AUTH',
      /refused user 'sensor'.*pg_hba\.conf/,
    ],
    [
      { code: '3D000', message: 'database "deck" does not exist' },
      'E_DB_MISSING',
      /database 'deck' does not exist on 127\.0\.0\.1:5432: create it with createdb -h 127\.0\.0\.1 -p 5432 -U sensor deck/,
    ],
    [
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      'E_DB_UNREACHABLE',
      /cannot reach PostgreSQL at 127\.0\.0\.1:5432 \(ECONNREFUSED\): is the server running/,
    ],
    [
      { code: '57P03', message: 'the database system is starting up' },
      'E_DB_UNREACHABLE',
      /starting up or shutting down/,
    ],
    [{ message: 'timeout expired' }, 'E_DB_UNREACHABLE', /cannot reach/],
  ])('maps %j', (raw, code, message) => {
    const e = connectError(Object.assign(new Error(raw.message), raw), target);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.exitCode).toBe(1);
  });

  it('classifies errors for the writer', () => {
    expect(isTransient({ code: 'ECONNRESET' })).toBe(true);
    expect(isTransient({ code: '57P01' })).toBe(true);
    expect(isTransient({ code: '40P01' })).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient({ code: '22P02' })).toBe(false);
    expect(isDataError({ code: '22P02' })).toBe(true);
    expect(isDataError({ code: '23505' })).toBe(false);
  });
});
