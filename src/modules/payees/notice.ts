import type { Deps } from '../../deps.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { NoticeParam } from '../../mail/compose.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { ownBank } from './own-bank.ts';
import type { PayeeDetails } from './form-input.ts';
import { userLabel } from './repository.ts';

/** The payee's destination as a notice names it, in each language. */
async function describe(deps: Deps, executor: Executor, details: PayeeDetails): Promise<Record<string, NoticeParam>> {
  const own = ownBank(deps, executor);
  const bank = findBank(own, details.bankCode);
  const branch = await findBranch(own, details.bankCode, details.branchCode);
  return {
    name: details.nameKana,
    bank: `${details.bankCode} ${bank?.name ?? ''}`.trim(),
    branch: `${details.branchCode} ${branch?.name ?? ''}`.trim(),
    accountType: { message: `payees.accountType.${details.accountType}` },
    accountNumber: details.accountNumber,
  };
}

export interface PayeeNotice {
  key: MessageKey;
  details: PayeeDetails;
  /** The person who registered the item the change is about. */
  registrantRef: number;
  extra?: Record<string, NoticeParam>;
}

/**
 * R7.3: a payee change is mailed to whoever made it, to the person who registered the item (when
 * someone else acts on it) and to the master, in the change's transaction (house rule 8).
 */
export async function notifyPayeeChange(deps: Deps, tx: Tx, live: LiveSession, context: RequestContext, at: Date, notice: PayeeNotice): Promise<void> {
  const registrant = await userLabel(tx, notice.registrantRef);
  await notifySecurityChange(deps, tx, {
    contractId: live.contract.id,
    companyName: live.contract.company_name,
    subjectUserId: registrant.user_id,
    actorLabel: live.user.user_id,
    what: { key: notice.key, params: { ...(await describe(deps, tx, notice.details)), ...notice.extra } },
    at,
    ip: context.ip,
    recipients: [live.user.email, registrant.email, await masterEmail(tx, live.contract.id)],
  });
}
