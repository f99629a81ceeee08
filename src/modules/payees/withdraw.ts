import type { Deps } from '../../deps.ts';
import type { Payee } from '../../db/schema-payees.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { runCommand } from '../../command/pipeline.ts';
import { refusalToWithdrawPayee } from '../../domain/approval.ts';
import { detailsOf } from './details.ts';
import { itemOf, judgePayeeStep } from './judgement.ts';
import { notifyPayeeChange } from './notice.ts';
import { endPending } from './versions.ts';

/** R8.5: the registrant takes back a payee before it is approved. */
export function withdrawPayee(deps: Deps, live: LiveSession, payeeId: number, context: RequestContext): Promise<void> {
  const me = live.user.id;
  return runCommand<Payee, void, void>(deps, { live, context }, {
    action: 'payee.withdraw',
    details: { payeeId },
    judge: (executor) => judgePayeeStep(executor, live, payeeId, ({ payee }) => refusalToWithdrawPayee({ ref: me }, itemOf(payee, []))),
    // R8.5: registrations, changes and approvals are confirmed with the password; withdrawing is not.
    confirm: () => [],
    async write(tx, _payee, _prepared, now) {
      await endPending(tx, live.user.contract_id, payeeId, 'withdrawn', { decided_by: me, decided_at: now }, { is: '=', ref: me });
      return { result: undefined };
    },
    async notify(tx, payee, _written, now) {
      await notifyPayeeChange(deps, tx, live, context, now, { key: 'payees.mail.withdrawn', details: detailsOf(payee), registrantRef: payee.created_by });
    },
  });
}
