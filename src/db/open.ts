import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from './schema.ts';
import { pglitePool } from './pglite-pool.ts';
import { withPreparedStatements } from './prepared-statements.ts';
import { databaseConnectionWaitMs } from './connection-wait.ts';
import { markTransactions, refusingCheckoutInsideTransaction } from './transaction-guard.ts';

export type Db = Kysely<Database>;

const int8Oid = 20;
/** `date` columns (execution and value dates) stay 'YYYY-MM-DD' text: a Date would shift with the time zone. */
const dateOid = 1082;
const asText = (value: string) => value;

/**
 * PostgreSQL when a URL is given, otherwise PGlite in `pgliteDir` (or in memory), started from
 * `pgliteArchive` when given: a data folder as `dumpPgliteArchive` wrote it, which skips initdb.
 */
export async function openDatabase(options: {
  databaseUrl?: string;
  pgliteDir?: string;
  pgliteArchive?: Blob;
  poolSize?: number;
  /** PostgreSQL: the longest a statement waits for a connection (connection-wait.ts). */
  connectionWaitMs?: number;
  onPoolError?: (error: Error) => void;
  /** The embedded database met a write failure and is used no more by this process (pglite-pool.ts). */
  onEmbeddedFailure?: (error: Error) => void;
  /** Code inside a transaction that uses the database instead of the transaction fails at once (transaction-guard.ts). */
  refuseUseInsideTransaction?: boolean;
}): Promise<Db> {
  const db = await open(options);
  if (options.refuseUseInsideTransaction) markTransactions(db);
  return db;
}

async function open(options: Parameters<typeof openDatabase>[0]): Promise<Db> {
  const guarded = <Pool extends { connect(): Promise<unknown> }>(pool: Pool) =>
    options.refuseUseInsideTransaction ? refusingCheckoutInsideTransaction(pool) : pool;
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Bounds both the connect of a new connection and the wait for one of the pool's to be free.
      connectionTimeoutMillis: options.connectionWaitMs ?? databaseConnectionWaitMs,
    });
    // An idle connection ended by the server (restart, failover, timeout) is dropped by the pool and
    // replaced on demand; without a listener the event would end the process.
    pool.on('error', (error) => options.onPoolError?.(error));
    // Yen amounts and counters in int8 must never round through a float.
    pool.on('connect', (client) => {
      client.setTypeParser(int8Oid, (value: string) => BigInt(value));
      client.setTypeParser(dateOid, asText);
    });
    // Parse and plan once per connection, not on every run (docs/decisions/0010).
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: guarded(withPreparedStatements(pool)) }) });
  }
  const dir = options.pgliteDir;
  if (dir && dir !== 'memory://') mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pglite = await PGlite.create(dir ?? 'memory://', {
    parsers: { [int8Oid]: (value: string) => BigInt(value), [dateOid]: asText },
    loadDataDir: options.pgliteArchive,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guarded(pglitePool(pglite, options.onEmbeddedFailure)) as never }) });
  // Kysely ends a pool only once it has used it, and a PGlite started from an archive keeps a timer
  // of its recovery running until closed: destroy closes it even when no statement ran.
  const destroy = db.destroy.bind(db);
  db.destroy = async () => {
    await destroy();
    if (!pglite.closed) await pglite.close();
  };
  embedded.set(db, pglite);
  return db;
}

const embedded = new WeakMap<Db, PGlite>();

/** The data folder of an embedded database as an uncompressed tar archive, for `pgliteArchive`. */
export async function dumpPgliteArchive(db: Db): Promise<Blob> {
  const pglite = embedded.get(db);
  if (!pglite) throw new Error('dumpPgliteArchive: not an embedded database');
  return pglite.dumpDataDir('none');
}
