import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PGlite } from '@electric-sql/pglite';
import { pglitePool } from './pglite-pool.ts';
import { EmbeddedDatabaseFailed, isStorageFailure } from './storage-failure.ts';

/**
 * PGlite 0.5, after a statement outside a transaction fails to write (a full disk), spins for ever on
 * the next statement other than ROLLBACK, blocking the whole process (measured on a small tmpfs; see
 * docs/reliability/mail-disk-clock.md). The pool therefore sends it nothing more after such a
 * failure. A stand-in PGlite records what reaches it.
 */
function standIn(failWith: unknown) {
  const reached: string[] = [];
  let failed = false;
  const pglite = {
    async query(sql: string) {
      reached.push(sql);
      if (!failed && sql.startsWith('INSERT')) {
        failed = true;
        throw failWith;
      }
      return { rows: [], affectedRows: 0 };
    },
    async exec(sql: string) {
      reached.push(sql);
      return [{ rows: [], affectedRows: 0 }];
    },
    async close() {
      reached.push('(close)');
    },
  };
  return { pglite: pglite as unknown as PGlite, reached };
}

const diskFull = Object.assign(new Error('could not extend file "base/5/16607": No space left on device'), { code: '53100', severity: 'ERROR' });
const constraint = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', severity: 'ERROR' });

test('after a write the disk refused, no statement reaches the embedded database again, and the failure is told once', async () => {
  const { pglite, reached } = standIn(diskFull);
  const told: Error[] = [];
  const pool = pglitePool(pglite, (error) => told.push(error));
  const client = await pool.connect();
  await assert.rejects(client.query('INSERT INTO t VALUES ($1)', [1]), (error) => error === diskFull);
  for (const sql of ['SELECT 1', 'ROLLBACK']) {
    await assert.rejects(client.query(sql, []), (error) => error instanceof EmbeddedDatabaseFailed && isStorageFailure(error));
  }
  client.release();
  const next = await pool.connect();
  await assert.rejects(next.query('SELECT $1', [1]), EmbeddedDatabaseFailed);
  next.release();
  assert.deepEqual(reached, ['INSERT INTO t VALUES ($1)']);
  assert.equal(told.length, 1);
  await pool.end();
  assert.deepEqual(reached.at(-1), '(close)', 'closing is still allowed: it writes nothing the next start needs');
});

test('an error of the statement itself (a constraint) leaves the embedded database in use', async () => {
  const { pglite, reached } = standIn(constraint);
  const pool = pglitePool(pglite, () => assert.fail('not a storage failure'));
  const client = await pool.connect();
  await assert.rejects(client.query('INSERT INTO t VALUES ($1)', [1]), (error) => error === constraint);
  await client.query('SELECT $1', [1]);
  client.release();
  assert.deepEqual(reached, ['INSERT INTO t VALUES ($1)', 'SELECT $1']);
});
