import type { Deps } from '../../deps.ts';
import type { Payee } from '../../db/schema-payees.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { runCommand, type Command } from '../../command/pipeline.ts';
import { confirmationPassword } from '../../command/confirmation.ts';
import { auditDetails, detailsOf, sameDetails } from './details.ts';
import { checkDetails, type PayeeEntry } from './form-input.ts';
import { itemOf, judgePayeeInReach, refusal } from './judgement.ts';
import { notifyPayeeChange } from './notice.ts';
import { notifyIfPayeeWaits } from './waiting-notice.ts';
import { lockPayee, pendingChangeOf, sameAccountRegistered } from './repository.ts';
import { refusalToChange } from './rules.ts';
import { approvalsRequiredNow, insertPayeeVersion, lockContract, replaceVersion } from './versions.ts';

export type ChangeOutcome = { payeeId: number; status: 'active' | 'pending' } | { payeeId: number; status: 'unchanged' };

/** The change without its confirmation: what the review step judges alone. */
type Change = Omit<Command<Payee, void, ChangeOutcome>, 'confirm'>;

/**
 * R8.2, R8.5: a change of an active payee is a new version. Without an approval setting it replaces
 * the old one at once; otherwise it waits, and the old one stays in use until it is approved. The
 * payee must exist, be active, have no change waiting, and the person may change it; a form that
 * changes nothing asks for no password and records nothing.
 */
export function change(deps: Deps, live: LiveSession, context: RequestContext, payeeId: number, entry: PayeeEntry): Change {
  const contractId = live.user.contract_id;
  return {
    action: 'payee.change',
    // The refusals name the payee to change; the record of the change names its new version.
    details: { payeeId },
    async judge(executor) {
      const found = await judgePayeeInReach(executor, live, payeeId);
      if (!('go' in found)) return found;
      const { rights, payee } = found.go;
      const pending = await pendingChangeOf(executor, contractId, payeeId);
      const refused = refusalToChange(rights, itemOf(payee, []), pending !== undefined);
      if (refused) return refusal(refused);
      await checkDetails(deps, executor, entry);
      if (await sameAccountRegistered(executor, contractId, entry, payeeId)) return refusal('PAYEES_DUPLICATE');
      if (sameDetails(detailsOf(payee), entry)) return { unchanged: { payeeId, status: 'unchanged' } };
      return { go: payee };
    },
    // The house's one lock order: the contract's row, then the payee's.
    async lock(tx) {
      await lockContract(tx, contractId);
      await lockPayee(tx, contractId, payeeId);
    },
    async write(tx, old, _prepared, now) {
      const approvalsRequired = await approvalsRequiredNow(tx, contractId);
      const { id, status } = await insertPayeeVersion(tx, { contractId, entry, createdBy: live.user.id, now, approvalsRequired, replaces: old.id });
      if (status === 'active') await replaceVersion(tx, contractId, old.id);
      return {
        result: { payeeId: id, status },
        details: { payeeId: id, replacesPayeeId: old.id, status, approvalsRequired, nameTyped: entry.nameTyped, from: auditDetails(detailsOf(old)), to: auditDetails(entry) },
      };
    },
    async notify(tx, _old, written, now) {
      await notifyPayeeChange(deps, tx, live, context, now, {
        key: written.result.status === 'active' ? 'payees.mail.changed' : 'payees.mail.changedPending',
        details: entry,
        registrantRef: live.user.id,
      });
      await notifyIfPayeeWaits(deps, tx, written.result.payeeId, now);
    },
  };
}

/** R1.5: the change, confirmed with the person's confirmation password. */
export function changePayee(deps: Deps, live: LiveSession, payeeId: number, entry: PayeeEntry, password: string, context: RequestContext): Promise<ChangeOutcome> {
  return runCommand(deps, { live, context }, { ...change(deps, live, context, payeeId, entry), confirm: () => [confirmationPassword(password)] });
}
