import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Payee, PayeeStatus } from '../../db/schema-payees.ts';
import { AppError } from '../../errors.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { runCommand } from '../../command/pipeline.ts';
import { confirmationPassword, type Confirmation } from '../../command/confirmation.ts';
import { refusalToApprovePayee } from '../../domain/approval.ts';
import { detailsOf } from './details.ts';
import { judgeApproverStep } from './judgement.ts';
import { notifyPayeeChange } from './notice.ts';
import { notifyIfPayeeWaits } from './waiting-notice.ts';
import { lockPayee } from './repository.ts';
import { replaceVersion } from './versions.ts';

export type ApproveOutcome = 'active' | 'pending';

/** An approval as counted: the payee's status after it, and the approvals it has and needs. */
interface Counted {
  status: ApproveOutcome;
  approvalsGiven: number;
  approvalsRequired: number;
}

/**
 * R8.5: an approval by a person with the approve step who is neither the registrant nor someone who
 * approved it already, confirmed with the confirmation password (R1.5). The person's approval row
 * (one per person: a second insert finds the first) and the payee's count, raised only while the
 * payee waits and needs more, are the race gate: two approvals at once of a payee needing one record
 * one.
 */
export async function approvePayee(deps: Deps, live: LiveSession, payeeId: number, password: string, context: RequestContext): Promise<ApproveOutcome> {
  return (await approval(deps, live, payeeId, context, [confirmationPassword(password)])).status;
}

/** The same approval without the confirmation password: its judgements and its race gate alone. */
export async function recordApproval(deps: Deps, live: LiveSession, payeeId: number, context: RequestContext): Promise<ApproveOutcome> {
  return (await approval(deps, live, payeeId, context, [])).status;
}

function approval(deps: Deps, live: LiveSession, payeeId: number, context: RequestContext, confirmations: Confirmation[]): Promise<Counted> {
  const contractId = live.user.contract_id;
  const me = live.user.id;
  return runCommand<Payee, void, Counted>(deps, { live, context }, {
    action: 'payee.approve',
    details: { payeeId },
    judge: (executor) => judgeApproverStep(executor, live, payeeId, refusalToApprovePayee),
    confirm: () => confirmations,
    async write(tx, payee, _prepared, now) {
      const recorded = await tx
        .insertInto('payee_approval')
        .values({ payee_id: payeeId, approved_by: me, approved_at: now })
        .onConflict((conflict) => conflict.columns(['payee_id', 'approved_by']).doNothing())
        .returning('payee_id')
        .executeTakeFirst();
      if (!recorded) throw new AppError('PAYEES_ALREADY_APPROVED');
      // A change takes the row of the payee it replaces first, as a deletion of that payee does.
      if (payee.replaces_payee_id !== null) await lockPayee(tx, contractId, payee.replaces_payee_id);
      const counted = await tx
        .updateTable('payee')
        .set({
          approvals_given: sql<number>`approvals_given + 1`,
          status: sql<PayeeStatus>`CASE WHEN approvals_given + 1 >= approvals_required THEN 'active' ELSE 'pending' END`,
        })
        .where('id', '=', payeeId)
        .where('contract_id', '=', contractId)
        .where('status', '=', 'pending')
        .where('created_by', '<>', me)
        .whereRef('approvals_given', '<', 'approvals_required')
        .returning(['status', 'approvals_given', 'approvals_required', 'replaces_payee_id'])
        .executeTakeFirst();
      if (!counted) throw new AppError('PAYEES_NOT_PENDING');
      const status = counted.status === 'active' ? 'active' : 'pending';
      if (status === 'active' && counted.replaces_payee_id !== null) await replaceVersion(tx, contractId, counted.replaces_payee_id);
      return {
        result: { status, approvalsGiven: counted.approvals_given, approvalsRequired: counted.approvals_required },
        details: { status, approvalsGiven: counted.approvals_given, approvalsRequired: counted.approvals_required, replacesPayeeId: counted.replaces_payee_id },
      };
    },
    async notify(tx, payee, { result }, now) {
      await notifyPayeeChange(deps, tx, live, context, now, {
        key: result.status === 'active' ? 'payees.mail.approved' : 'payees.mail.approvalRecorded',
        details: detailsOf(payee),
        registrantRef: payee.created_by,
        extra: { given: result.approvalsGiven, required: result.approvalsRequired },
      });
      await notifyIfPayeeWaits(deps, tx, payeeId, now);
    },
  });
}
