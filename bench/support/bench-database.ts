import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { migrate } from '../../src/db/migrate.ts';

/** The server the benchmark runs on; it creates a database of its own there and drops it at the end. */
export const benchServerUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(text: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: benchServerUrl });
  await admin.connect();
  try {
    return await admin.query(text);
  } finally {
    await admin.end();
  }
}

export async function serverVersion(): Promise<string> {
  const result = await adminQuery('SHOW server_version');
  return String(result.rows[0].server_version);
}

export async function createBenchDatabase(poolSize: number): Promise<BenchDatabase> {
  const name = `ib_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(benchServerUrl);
  url.pathname = `/${name}`;
  let db: Db | undefined;
  const drop = async () => {
    await db?.destroy();
    await dropWhenClosed(name);
  };
  try {
    db = await openDatabase({ databaseUrl: url.toString(), poolSize });
    await migrate(db);
  } catch (error) {
    await drop();
    throw error;
  }
  return { db, url: url.toString(), drop };
}

/**
 * pg's pool resolves end() before its connections have closed; forcing the drop at that moment
 * kills them mid-goodbye, and the pool reports that as an unhandled error. So wait for them to go
 * (a few milliseconds), and force only what is left after a second.
 */
async function dropWhenClosed(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: benchServerUrl });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const open = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (open.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
