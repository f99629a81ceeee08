import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * A database of this test file's own: PGlite in memory by default, or, when TEST_DATABASE_URL is
 * set, a new database on that PostgreSQL server, dropped at the end.
 */
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
export const needsPostgres = onPostgres ? false : 'needs PostgreSQL (set TEST_DATABASE_URL): races are only real there';

export interface TestDatabase {
  db: Db;
  /** The URL of the PostgreSQL database, for tests that start other processes on it. */
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({});
    await migrate(db);
    return { db, url: undefined, drop: () => db.destroy() };
  }
  const name = `ib_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: options.poolSize ?? 20 });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
