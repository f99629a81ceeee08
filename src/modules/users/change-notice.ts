import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { masterEmail, notifySecurityChange, type SecurityChange } from '../../mail/security-notice.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';

export interface PersonChangeNotice {
  what: SecurityChange['what'];
  subjectUserId: string;
  recipients: (string | null)[];
}

/** R7.3: a change to a person is mailed to the person it concerns and to the master, in the change's transaction. */
export async function mailPersonChange(deps: Deps, tx: Tx, live: LiveSession, context: RequestContext, at: Date, notice: PersonChangeNotice): Promise<void> {
  await notifySecurityChange(deps, tx, {
    contractId: live.contract.id,
    companyName: live.contract.company_name,
    subjectUserId: notice.subjectUserId,
    actorLabel: live.user.user_id,
    what: notice.what,
    at,
    ip: context.ip,
    recipients: [...notice.recipients, await masterEmail(tx, live.contract.id)],
  });
}
