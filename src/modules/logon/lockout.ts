import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Contract, User } from '../../db/schema.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { contractStaysStopped, mayLift, stopsContract, type Releaser } from '../../domain/lock-modes.ts';
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
 * the contract's lock mode (R2.3, src/domain/lock-modes.ts) the whole contract with them — always
 * when the master is stopped, and for anyone when the modes are linked. Their live sessions end at
 * once; the stop is emailed to the person and the master; all in one transaction.
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
  const blocksContract = stopsContract(contract.lock_mode, user.role);
  if (blocksContract) {
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
    details: { contractStopped: blocksContract, lockMode: contract.lock_mode },
  });
  await notifyStop(deps, tx, { user, contract, at: now, ip: context.ip });
}

export type LiftOutcome = { refused: 'operator_only' } | { refused?: undefined; personLifted: boolean; contractLifted: boolean; contract: Contract };

/**
 * R2.3: lifts a person's stop as `releaser`, by the rule of src/domain/lock-modes.ts read under
 * lock in the caller's transaction (a lock-mode change cannot slip between the check and the
 * lift). The person's count starts again from zero; the contract's stop is lifted once no stop
 * that blocks it remains. Rows are locked person first, then contract, in the order stopPerson
 * takes them, so a lift and a stop never deadlock. Authorising the releaser and auditing are the
 * caller's; nothing is written when the lift is refused.
 */
export async function liftStopInTx(tx: Tx, person: User, releaser: Releaser): Promise<LiftOutcome> {
  const current = await tx
    .selectFrom('users')
    .select(['stopped_at', 'role'])
    .where('id', '=', person.id)
    .where('contract_id', '=', person.contract_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const contract = await tx.selectFrom('contract').selectAll().where('id', '=', person.contract_id).forUpdate().executeTakeFirstOrThrow();
  if (!mayLift(contract.lock_mode, current.role, releaser)) return { refused: 'operator_only' };
  const personLifted = current.stopped_at !== null;
  if (personLifted) await tx.updateTable('users').set({ stopped_at: null, failed_attempts: 0 }).where('id', '=', person.id).execute();
  let contractLifted = false;
  if (contract.stopped_at !== null) {
    const stillStopped = await tx
      .selectFrom('users')
      .select('role')
      .where('contract_id', '=', contract.id)
      .where('stopped_at', 'is not', null)
      .where('status', '<>', 'deleted')
      .execute();
    if (!contractStaysStopped(contract.lock_mode, stillStopped.map((row) => row.role))) {
      await tx.updateTable('contract').set({ stopped_at: null }).where('id', '=', contract.id).execute();
      contractLifted = true;
    }
  }
  return { personLifted, contractLifted, contract };
}
