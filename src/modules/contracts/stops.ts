import type { Deps } from '../../deps.ts';
import type { LockMode, User } from '../../db/schema.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { liftStopInTx as liftPersonInTx } from '../../access/lockout.ts';
import { operatorActor, recordBankChange, type ChangeActor } from './change-actor.ts';
import { findPerson } from './operator-input.ts';
import { notifyContractResumed } from '../../access/stop-notice.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';

/**
 * R2.3, R7.3: the bank's lift is told. A lifted contract is told to every person it stopped
 * (each may log on again); a single person's lift to that person and the master.
 */
export async function tellBankLift(deps: Deps, tx: Tx, person: User, contractLifted: boolean, by: ChangeActor): Promise<void> {
  const contract = await tx.selectFrom('contract').selectAll().where('id', '=', person.contract_id).executeTakeFirstOrThrow();
  const now = deps.clock.now();
  if (contractLifted) return notifyContractResumed(deps, tx, contract, now);
  await notifySecurityChange(deps, tx, {
    contractId: contract.id,
    companyName: contract.company_name,
    subjectUserId: person.user_id,
    actorLabel: deps.config.bankName,
    what: { key: 'operatorConsole.notice.stopLifted' },
    at: now,
    ip: by.ip ?? '-',
    recipients: [person.email, await masterEmail(tx, contract.id)],
  });
}

/**
 * R2.3: lifting a master's stop (and so the contract's) is the bank's, as is lifting anyone's stop
 * in linked mode (src/domain/lock-modes.ts). The person's failure count starts again from zero; the
 * contract's stop goes once no stop that blocks it remains.
 */
export async function liftStopInTx(
  deps: Deps,
  tx: Tx,
  user: User,
  by: ChangeActor,
): Promise<{ lifted: boolean; contractLifted: boolean; refused: boolean }> {
  const outcome = await liftPersonInTx(tx, user, 'operator');
  if (outcome.refused) return { lifted: false, contractLifted: false, refused: true };
  const lifted = outcome.personLifted || outcome.contractLifted;
  if (lifted) {
    await recordBankChange(tx, by, {
      at: deps.clock.now(),
      contractId: user.contract_id,
      userRef: user.id,
      action: 'person.lift_stop',
      details: { contractLifted: outcome.contractLifted, releaser: 'operator' },
    });
  }
  return { lifted, contractLifted: outcome.contractLifted, refused: false };
}

/**
 * The CLI's lift, which decides who may lift before calling (the CLI refuses a
 * user's stop in an unlinked contract). It lifts the person named whatever their role, so tests
 * can stand in for the master's own lift; the contract's stop follows the master's (not linked) or
 * the person's (linked).
 */
export async function liftStop(deps: Deps, input: { contractId: string; userId: string; operator: string }): Promise<{ lifted: boolean }> {
  const user = await findPerson(deps, input.contractId, input.userId);
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const person = await tx
      .updateTable('users')
      .set({ stopped_at: null, failed_attempts: 0 })
      .where('id', '=', user.id)
      .where('stopped_at', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    const mode = await tx.selectFrom('contract').select('lock_mode').where('id', '=', user.contract_id).executeTakeFirstOrThrow();
    const liftsContract = user.role === 'master' || (mode.lock_mode === 'linked' && person !== undefined);
    const contract = liftsContract
      ? await tx.updateTable('contract').set({ stopped_at: null }).where('id', '=', user.contract_id).where('stopped_at', 'is not', null).returning('id').executeTakeFirst()
      : undefined;
    const lifted = Boolean(person || contract);
    if (lifted) {
      await recordBankChange(tx, operatorActor(input.operator), {
        at: now,
        contractId: user.contract_id,
        userRef: user.id,
        action: 'person.lift_stop',
        details: { contractLifted: Boolean(contract) },
      });
      await tellBankLift(deps, tx, user, Boolean(contract), operatorActor(input.operator));
    }
    return { lifted };
  });
}

/** R2.3: the contract's lock mode, chosen by the customer on its application. */
export async function setLockModeInTx(deps: Deps, tx: Tx, contractId: string, lockMode: LockMode, by: ChangeActor): Promise<{ changed: boolean; previous: LockMode }> {
  const before = await tx.selectFrom('contract').select('lock_mode').where('id', '=', contractId).forUpdate().executeTakeFirstOrThrow();
  if (before.lock_mode === lockMode) return { changed: false, previous: before.lock_mode };
  await tx.updateTable('contract').set({ lock_mode: lockMode }).where('id', '=', contractId).execute();
  await recordBankChange(tx, by, {
    at: deps.clock.now(),
    contractId: contractId,
    userRef: null,
    action: 'contract.lock_mode',
    details: { from: before.lock_mode, to: lockMode },
  });
  return { changed: true, previous: before.lock_mode };
}
