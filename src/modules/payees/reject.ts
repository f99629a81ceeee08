import type { Deps } from '../../deps.ts';
import type { Payee } from '../../db/schema-payees.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { runCommand } from '../../command/pipeline.ts';
import { refusalToSendBackPayee } from '../../domain/approval.ts';
import { detailsOf } from './details.ts';
import { judgeApproverStep } from './judgement.ts';
import { notifyPayeeChange } from './notice.ts';
import { endPending } from './versions.ts';

/** R8.5: an approver sends a pending payee back, with a reason the registrant reads. */
export function rejectPayee(deps: Deps, live: LiveSession, payeeId: number, reason: string, context: RequestContext): Promise<void> {
  const me = live.user.id;
  return runCommand<Payee, void, void>(deps, { live, context }, {
    action: 'payee.reject',
    details: { payeeId },
    judge: (executor) => judgeApproverStep(executor, live, payeeId, refusalToSendBackPayee),
    // R8.5: registrations, changes and approvals are confirmed with the password; sending back is not.
    confirm: () => [],
    async write(tx, _payee, _prepared, now) {
      await endPending(tx, live.user.contract_id, payeeId, 'rejected', { decided_by: me, decided_at: now, decision_reason: reason }, { is: '<>', ref: me });
      return { result: undefined, details: { reason } };
    },
    async notify(tx, payee, _written, now) {
      await notifyPayeeChange(deps, tx, live, context, now, { key: 'payees.mail.rejected', details: detailsOf(payee), registrantRef: payee.created_by, extra: { reason } });
    },
  });
}
