import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Contract, LogonMethod, Session, SessionStage, User } from '../../db/schema.ts';
import { secretsEqual, sha256Hex } from '../../crypto/compare.ts';
import { randomToken } from '../../platform/random.ts';
import { isBlocked } from '../logon/lockout.ts';

/**
 * Sessions live in PostgreSQL (R7.1), so every service process sees the same ones. The cookie holds
 * `id.secret`; only a hash of the secret is stored (house rule 7).
 */
export const pendingLogonSeconds = 300;

export type EndReason = 'idle' | 'absolute' | 'superseded' | 'stopped' | 'logout' | 'expired' | 'rotated';

export interface LiveSession {
  session: Session;
  user: User;
  contract: Contract;
}

export type SessionLookup = { live: LiveSession } | { ended: EndReason | undefined };

export async function createSession(
  deps: Deps,
  executor: Executor,
  init: { user: User; stage: SessionStage; method: LogonMethod; ip: string },
): Promise<{ token: string; session: Session }> {
  const id = randomToken(deps.random, 16);
  const secret = randomToken(deps.random, 32);
  const now = deps.clock.now();
  const session = await executor
    .insertInto('session')
    .values({
      id,
      secret_hash: sha256Hex(secret),
      user_ref: init.user.id,
      contract_id: init.user.contract_id,
      stage: init.stage,
      logon_method: init.method,
      csrf_token: randomToken(deps.random, 24),
      ip: init.ip,
      created_at: now,
      last_seen_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token: `${id}.${secret}`, session };
}

function lifetimeEnd(deps: Deps, session: Session): { reason: EndReason; at: number } {
  const { sessionIdleSeconds, sessionAbsoluteSeconds } = deps.config;
  // A logon that stopped halfway (grid card not yet answered) gets a short life of its own.
  if (session.stage === 'grid') return { reason: 'expired', at: session.created_at.getTime() + pendingLogonSeconds * 1000 };
  const idleEnd = session.last_seen_at.getTime() + sessionIdleSeconds * 1000;
  const absoluteEnd = session.created_at.getTime() + sessionAbsoluteSeconds * 1000;
  return idleEnd <= absoluteEnd ? { reason: 'idle', at: idleEnd } : { reason: 'absolute', at: absoluteEnd };
}

/**
 * Finds the live session a cookie names and marks it seen. A session past its idle or absolute
 * end, or whose person or contract has been stopped, is ended here and reported with its reason,
 * so the page can tell the person why.
 */
export async function resumeSession(deps: Deps, token: string | undefined): Promise<SessionLookup> {
  const match = token ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!match) return { ended: undefined };
  const [, id, secret] = match as unknown as [string, string, string];
  const row = await deps.db
    .selectFrom('session')
    .innerJoin('users', 'users.id', 'session.user_ref')
    .innerJoin('contract', 'contract.id', 'session.contract_id')
    .selectAll('session')
    .select([
      sql<User>`to_jsonb(users.*)`.as('user_json'),
      sql<Contract>`to_jsonb(contract.*)`.as('contract_json'),
    ])
    .where('session.id', '=', id)
    .executeTakeFirst();
  if (!row || !secretsEqual(row.secret_hash, sha256Hex(secret))) return { ended: undefined };
  const { user_json, contract_json, ...session } = row;
  if (session.ended_at) return { ended: session.end_reason as EndReason };

  const now = deps.clock.now();
  const user = reviveDates(user_json) as User;
  const contract = reviveDates(contract_json) as Contract;
  let reason: EndReason | undefined;
  if (isBlocked(user, contract)) reason = 'stopped';
  else {
    const end = lifetimeEnd(deps, session);
    if (now.getTime() >= end.at) reason = end.reason;
  }
  if (reason) {
    await endSession(deps.db, session.id, reason, now);
    return { ended: reason };
  }
  await deps.db.updateTable('session').set({ last_seen_at: now }).where('id', '=', session.id).execute();
  return { live: { session: { ...session, last_seen_at: now }, user, contract } };
}

const timestampColumns = /_at$/;
function reviveDates(json: unknown): unknown {
  const record = json as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (timestampColumns.test(key) && typeof value === 'string') record[key] = new Date(value);
  }
  return record;
}

export async function endSession(executor: Executor, sessionId: string, reason: EndReason, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: reason })
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends every live session of one person (a stop, or a new logon: one live session per person, R7.1). */
export async function endSessionsOfUser(executor: Executor, userRef: number, reason: EndReason, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: reason })
    .where('user_ref', '=', userRef)
    .where('ended_at', 'is', null)
    .execute();
}

export async function endSessionsOfContract(executor: Executor, contractId: string, reason: EndReason, now: Date): Promise<void> {
  await executor
    .updateTable('session')
    .set({ ended_at: now, end_reason: reason })
    .where('contract_id', '=', contractId)
    .where('ended_at', 'is', null)
    .execute();
}

/** Seconds until the idle end, for the page's warning. */
export function secondsLeft(deps: Deps, session: Session): number {
  return Math.max(0, Math.floor((lifetimeEnd(deps, session).at - deps.clock.now().getTime()) / 1000));
}
