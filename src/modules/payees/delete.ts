import type { Deps } from '../../deps.ts';
import type { Payee } from '../../db/schema-payees.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { runCommand } from '../../command/pipeline.ts';
import { confirmationPassword } from '../../command/confirmation.ts';
import { auditDetails, detailsOf } from './details.ts';
import { itemOf, judgePayeeStep } from './judgement.ts';
import { notifyPayeeChange } from './notice.ts';
import { lockPayee } from './repository.ts';
import { refusalToDelete } from './rules.ts';
import { deleteActive } from './versions.ts';

/**
 * R8.2: an active payee is deleted at once, confirmed with the confirmation password (R1.5); a change
 * of it still waiting is withdrawn with it.
 */
export function deletePayee(deps: Deps, live: LiveSession, payeeId: number, password: string, context: RequestContext): Promise<void> {
  const contractId = live.user.contract_id;
  return runCommand<Payee, void, void>(deps, { live, context }, {
    action: 'payee.delete',
    details: { payeeId },
    judge: (executor) => judgePayeeStep(executor, live, payeeId, ({ rights, payee }) => refusalToDelete(rights, itemOf(payee, []))),
    confirm: () => [confirmationPassword(password)],
    // The payee's row first, then its waiting change's: the order an approval of that change takes them in.
    async lock(tx) {
      await lockPayee(tx, contractId, payeeId);
    },
    async write(tx, payee, _prepared, now) {
      const changesWithdrawn = await deleteActive(tx, contractId, payeeId, { decided_by: live.user.id, decided_at: now });
      return { result: undefined, details: { ...auditDetails(detailsOf(payee)), changesWithdrawn } };
    },
    async notify(tx, payee, _written, now) {
      await notifyPayeeChange(deps, tx, live, context, now, { key: 'payees.mail.deleted', details: detailsOf(payee), registrantRef: payee.created_by });
    },
  });
}
