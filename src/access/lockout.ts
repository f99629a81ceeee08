import type { Deps } from '../deps.ts';
import type { Tx } from '../db/transaction.ts';
import type { Contract, User } from '../db/schema.ts';
import { recordAudit } from '../audit/audit-trail.ts';
import { contractStaysStopped, mayLift, stopsContract, type Releaser } from '../domain/lock-modes.ts';
import { endSessionsOfContract, endSessionsOfUser } from './sessions.ts';
import { notifyStop } from './stop-notice.ts';
import { stopOrigins } from './stop-origins.ts';
import type { RequestContext } from './request-context.ts';

/**
 * The seventh wrong secret (check-secret.ts): the person is stopped, and per the contract's lock
 * mode (R2.3, src/domain/lock-modes.ts) the whole contract with them — always when the master is
 * stopped, and for anyone when the modes are linked. Their live sessions end at once; the stop is
 * emailed to the person and the master (to every person of the contract when it stops the
 * contract); all in one transaction. The record and the email name the addresses the
 * failures came from and those the person never logged on from (stop-origins.ts). In the caller's
 * transaction: the one that counts the failure causing it (check-secret.ts, decision 0024).
 */
export async function stopPerson(deps: Deps, tx: Tx, user: User, context: RequestContext): Promise<void> {
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
  // Where the failures came from, as it stood at the stop: a later logon from one of the addresses
  // does not change what the record says (the console's list of stops reads it from here).
  const origins = await stopOrigins(tx, user.id);
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
    details: { contractStopped: blocksContract, lockMode: contract.lock_mode, addresses: origins.addresses, neverSeen: origins.neverSeen },
  });
  await notifyStop(deps, tx, { user, contract, at: now, ip: context.ip, contractStopped: blocksContract, origins });
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
