import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import type { User } from '../../src/db/schema.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import type { TestDatabase } from '../helpers/database.ts';

export const sessionCookie = '__Host-sid';
export const anonymousCsrfCookie = '__Host-csrf';

/** A master who has finished the first logon, with the client that holds their live session. */
export async function activeMaster(deps: Deps, app: FastifyInstance, ip?: string): Promise<{ person: TestPerson; client: Client; user: User }> {
  const person = await onboardMaster(deps);
  const client = new Client(app, { ip });
  await completeFirstLogon(client, deps, person);
  return { person, client, user: await personRow(deps.db, person) };
}

export function personRow(db: Db, person: TestPerson): Promise<User> {
  return db.selectFrom('users').selectAll().where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
}

/** Logon audit records of one person, by outcome and reason: the trail keeps the real reason of each failure. */
export async function logonAudit(db: Db, userRef: number): Promise<{ failures: number; successes: number; reasons: Record<string, number> }> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['outcome', 'reason', sql<number>`count(*)::int`.as('count')])
    .where('user_ref', '=', userRef)
    .where('action', '=', 'logon')
    .groupBy(['outcome', 'reason'])
    .execute();
  const reasons: Record<string, number> = {};
  let failures = 0;
  let successes = 0;
  for (const row of rows) {
    if (row.outcome === 'failure') failures += row.count;
    if (row.outcome === 'success') successes += row.count;
    if (row.reason) reasons[row.reason] = (reasons[row.reason] ?? 0) + row.count;
  }
  return { failures, successes, reasons };
}

export async function sessionsOf(db: Db, userRef: number): Promise<{ all: number; live: number }> {
  const row = await db
    .selectFrom('session')
    .select([sql<number>`count(*)::int`.as('all'), sql<number>`count(*) filter (where ended_at is null)::int`.as('live')])
    .where('user_ref', '=', userRef)
    .executeTakeFirstOrThrow();
  return row;
}

/** A page with its per-browser and per-request values blanked, so two answers can be compared whole. */
export function withoutTokens(body: string): string {
  return body.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""').replace(/<code>[0-9a-f]+<\/code>/g, '<code></code>');
}

/** `id.secret` of a session cookie, split. */
export function cookieParts(token: string): { id: string; secret: string } {
  const [id, secret] = token.split('.') as [string, string];
  return { id, secret };
}

const connectionsClosedWaitMs = 10_000;

/**
 * Drops the test database once its pool's connections have really closed. pg's `pool.end()`
 * resolves before the sockets are gone, and `DROP DATABASE … WITH (FORCE)` then terminates
 * connections the pool still listens to, which surfaces as an unhandled 'error' event after the
 * test. A file with a large pool (twenty connections) meets this every time.
 */
export async function dropWhenClosed(database: TestDatabase | undefined): Promise<void> {
  if (!database) return;
  await database.db.destroy();
  if (database.url) {
    const name = new URL(database.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const deadline = Date.now() + connectionsClosedWaitMs;
      while (Date.now() < deadline) {
        const { rows } = await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0]!.count === 0) break;
        await delay(20);
      }
    } finally {
      await admin.end();
    }
  }
  await database.drop();
}
