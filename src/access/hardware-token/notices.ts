import type { Deps } from '../../deps.ts';
import type { User } from '../../db/schema.ts';
import type { Tx } from '../../db/transaction.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { NoticeParam } from '../../mail/compose.ts';
import type { RequestContext } from '../request-context.ts';

/** R7.3: a change to a person's token, told to the person and the master, in the change's transaction. */
export async function notifyTokenChange(
  deps: Deps,
  tx: Tx,
  subject: User,
  change: { actorLabel: string; what: MessageKey; params?: Record<string, NoticeParam>; ip: string; at: Date },
): Promise<void> {
  const contract = await tx.selectFrom('contract').select('company_name').where('id', '=', subject.contract_id).executeTakeFirstOrThrow();
  await notifySecurityChange(deps, tx, {
    contractId: subject.contract_id,
    companyName: contract.company_name,
    subjectUserId: subject.user_id,
    actorLabel: change.actorLabel,
    what: { key: change.what, params: change.params },
    at: change.at,
    ip: change.ip,
    recipients: [subject.email, await masterEmail(tx, subject.contract_id)],
    subject: 'hardwareToken.notice.subject',
  });
}

/** R6.6: the person's token use was stopped by five wrong codes. */
export function notifyTokenStop(deps: Deps, tx: Tx, user: User, context: RequestContext, at: Date): Promise<void> {
  return notifyTokenChange(deps, tx, user, { actorLabel: user.user_id, what: 'hardwareToken.notice.stopped', ip: context.ip, at });
}
