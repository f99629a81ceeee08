import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Contract, User } from '../../db/schema.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { endSessionsOfContract, endSessionsOfUser } from '../session/store.ts';
import { notifyStop } from './stop-notice.ts';

/** R2.3: seven consecutive wrong entries of any secret of one person stop that person. */
export const lockoutFailuresMax = 7;

/** Stopped (R2.3), or suspended or deleted by the master (R1.4): no logon, no session. */
export function isBlocked(user: User, contract: Contract): boolean {
  return user.stopped_at !== null || contract.stopped_at !== null || user.status !== 'active';
}

/**
 * Reserves one of the person's remaining attempts before a secret is evaluated. The increment is the
 * race gate (house rule 5): however many requests arrive at once, at most `lockoutFailuresMax`
 * evaluations are ever reserved between successes. Returns the attempt's number, or undefined when
 * none is left.
 */
export async function reserveAttempt(executor: Executor, userRef: number): Promise<number | undefined> {
  const row = await executor
    .updateTable('users')
    .set({ failed_attempts: sql`failed_attempts + 1` })
    .where('id', '=', userRef)
    .where('stopped_at', 'is', null)
    .where('failed_attempts', '<', lockoutFailuresMax)
    .returning('failed_attempts')
    .executeTakeFirst();
  return row?.failed_attempts;
}

/** A right secret gives its reserved attempt back; earlier failures still count until the logon completes. */
export async function releaseAttempt(executor: Executor, userRef: number): Promise<void> {
  await executor
    .updateTable('users')
    .set({ failed_attempts: sql`greatest(failed_attempts - 1, 0)` })
    .where('id', '=', userRef)
    .execute();
}

/** A completed logon is the success that resets the count (R2.3). */
export async function resetAttempts(executor: Executor, userRef: number): Promise<void> {
  await executor.updateTable('users').set({ failed_attempts: 0 }).where('id', '=', userRef).execute();
}

export interface StopContext {
  ip: string;
  userAgent?: string;
}

/**
 * Records a wrong secret whose reserved attempt was the last one: the person is stopped, and per
 * the contract's lock mode (R2.3) the whole contract with them — always when the master is stopped,
 * and for anyone when the modes are linked. Their live sessions end at once; the stop is emailed to
 * the person and the master; all in one transaction.
 */
export async function stopIfExhausted(deps: Deps, user: User, attempt: number, context: StopContext): Promise<void> {
  if (attempt < lockoutFailuresMax) return;
  await inTransaction(deps.db, (tx) => stopPerson(deps, tx, user, context));
}

async function stopPerson(deps: Deps, tx: Tx, user: User, context: StopContext): Promise<void> {
  const now = deps.clock.now();
  const stopped = await tx
    .updateTable('users')
    .set({ stopped_at: now })
    .where('id', '=', user.id)
    .where('stopped_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!stopped) return; // someone else recorded this stop first
  const contract = await tx.selectFrom('contract').selectAll().where('id', '=', user.contract_id).forUpdate().executeTakeFirstOrThrow();
  const stopsContract = user.role === 'master' || contract.lock_mode === 'linked';
  if (stopsContract) {
    await tx.updateTable('contract').set({ stopped_at: now }).where('id', '=', contract.id).where('stopped_at', 'is', null).execute();
    await endSessionsOfContract(tx, contract.id, 'stopped', now);
  } else {
    await endSessionsOfUser(tx, user.id, 'stopped', now);
  }
  await recordAudit(tx, {
    at: now,
    contractId: contract.id,
    userRef: user.id,
    actor: 'system',
    action: 'person.stop',
    outcome: 'info',
    reason: 'too_many_failures',
    ip: context.ip,
    userAgent: context.userAgent,
    details: { contractStopped: stopsContract, lockMode: contract.lock_mode },
  });
  await notifyStop(deps, tx, { user, contract, at: now, ip: context.ip });
}
