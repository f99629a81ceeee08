import { sql } from 'kysely';
import type { Db } from './open.ts';
import { knownMigrations } from './migrate.ts';

/**
 * Whether the database can serve this code's requests: it answers, and the migrations applied are
 * exactly the ones this code knows — not fewer (a database restored from before them), not one it
 * does not know (a newer version migrated it; this process's queries may no longer fit).
 */
export type DatabaseReadiness = 'ready' | 'database' | 'migrations';

/**
 * How long the database may take to answer before the process counts as not ready. A load
 * balancer's health check waits a few seconds; a request that would wait longer for a pooled
 * connection is better sent to another process.
 */
export const readinessWaitMs = 2_000;

/** SQLSTATE of a missing table: a database never migrated has no schema_migration. */
const undefinedTable = '42P01';

/**
 * A probe of the database's readiness. A check still running when the next is asked for is shared,
 * not started again, so a database that hangs holds one pooled connection for the checks, never
 * one per check.
 */
export function databaseReadinessProbe(db: Db, waitMs = readinessWaitMs): () => Promise<DatabaseReadiness> {
  let running: Promise<DatabaseReadiness> | undefined;
  // What this code knows is read once: files replaced on disk under a running process are not its code.
  let known: Promise<string[]> | undefined;
  return () => {
    running ??= check(db, (known ??= knownMigrations())).finally(() => {
      running = undefined;
    });
    return withinWait(running, waitMs);
  };
}

async function check(db: Db, knownNames: Promise<string[]>): Promise<DatabaseReadiness> {
  let applied: string[];
  try {
    applied = (await sql<{ name: string }>`SELECT name FROM schema_migration`.execute(db)).rows.map((row) => row.name);
  } catch (error) {
    return (error as { code?: unknown }).code === undefinedTable ? 'migrations' : 'database';
  }
  const known = await knownNames;
  const same = applied.length === known.length && applied.every((name) => known.includes(name));
  return same ? 'ready' : 'migrations';
}

function withinWait(answer: Promise<DatabaseReadiness>, waitMs: number): Promise<DatabaseReadiness> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DatabaseReadiness>((resolve) => {
    timer = setTimeout(() => resolve('database'), waitMs);
    timer.unref();
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}
