import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { runCommand, type Command } from '../../command/pipeline.ts';
import { confirmationPassword } from '../../command/confirmation.ts';
import { auditDetails } from './details.ts';
import { checkDetails, type PayeeEntry } from './form-input.ts';
import { refusal } from './judgement.ts';
import { notifyPayeeChange } from './notice.ts';
import { notifyIfPayeeWaits } from './waiting-notice.ts';
import { payeeRightsOf, sameAccountRegistered } from './repository.ts';
import { approvalsRequiredNow, insertPayeeVersion, lockContract } from './versions.ts';

export type RegisterOutcome = { payeeId: number; status: 'active' | 'pending' };

/** The registration without its confirmation: what the review step judges alone. */
type Registration = Omit<Command<undefined, void, RegisterOutcome>, 'confirm'>;

/**
 * R8.2: a new payee; active at once without an approval setting, otherwise pending (R8.5). Judged by
 * the register step (R1.4), details that hold, and an account not already registered for the
 * contract; judged again under the contract's lock, so two registrations of one account cannot both
 * pass.
 */
export function registration(deps: Deps, live: LiveSession, context: RequestContext, entry: PayeeEntry): Registration {
  const contractId = live.user.contract_id;
  return {
    action: 'payee.register',
    async judge(executor) {
      const rights = await payeeRightsOf(executor, live.user.id);
      if (!rights.view) return refusal('FORBIDDEN');
      if (!rights.register) return refusal('PAYEES_REGISTER_FORBIDDEN');
      await checkDetails(deps, executor, entry);
      if (await sameAccountRegistered(executor, contractId, entry)) return refusal('PAYEES_DUPLICATE');
      return { go: undefined };
    },
    lock: (tx) => lockContract(tx, contractId),
    async write(tx, _judged, _prepared, now) {
      const approvalsRequired = await approvalsRequiredNow(tx, contractId);
      const { id, status } = await insertPayeeVersion(tx, { contractId, entry, createdBy: live.user.id, now, approvalsRequired, replaces: null });
      return {
        result: { payeeId: id, status },
        details: { payeeId: id, status, approvalsRequired, nameTyped: entry.nameTyped, ...auditDetails(entry) },
      };
    },
    async notify(tx, _judged, written, now) {
      await notifyPayeeChange(deps, tx, live, context, now, {
        key: written.result.status === 'active' ? 'payees.mail.registered' : 'payees.mail.registeredPending',
        details: entry,
        registrantRef: live.user.id,
      });
      await notifyIfPayeeWaits(deps, tx, written.result.payeeId, now);
    },
  };
}

/** R1.5: the registration, confirmed with the person's confirmation password. */
export function registerPayee(deps: Deps, live: LiveSession, entry: PayeeEntry, password: string, context: RequestContext): Promise<RegisterOutcome> {
  return runCommand(deps, { live, context }, { ...registration(deps, live, context, entry), confirm: () => [confirmationPassword(password)] });
}
