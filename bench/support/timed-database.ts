import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/open.ts';
import { withPreparedStatements } from '../../src/db/prepared-statements.ts';

/**
 * The same Kysely over pg as openDatabase() (src/db/open.ts) builds, plus a hook that hears every
 * statement with its round-trip time, BEGIN and COMMIT included, for the runs that time statements
 * (the profiles, bench:scale); if openDatabase changes its pool set-up, this copy must follow.
 */
const dateOid = 1082;
const int8Oid = 20;

export function openTimedDatabase(databaseUrl: string, poolSize: number, onQuery: (sql: string, ms: number) => void): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  pool.on('connect', (client) => {
    client.setTypeParser(int8Oid, (value: string) => BigInt(value));
    client.setTypeParser(dateOid, (value: string) => value);
  });
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }),
    log: (event: LogEvent) => onQuery(event.query.sql, event.queryDurationMillis),
  });
}
