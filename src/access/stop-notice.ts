import type { Deps } from '../deps.ts';
import type { Tx } from '../db/transaction.ts';
import type { Contract, User } from '../db/schema.ts';
import { enqueueEmail } from '../outbox/enqueue.ts';
import { composeNotice } from '../mail/compose.ts';
import { masterEmail } from '../mail/security-notice.ts';
import { formatJstJapanese } from '../domain/tokyo-time.ts';

/** R2.3: a stop is emailed to the person and to the master. */
export async function notifyStop(deps: Deps, tx: Tx, stop: { user: User; contract: Contract; at: Date; ip: string }): Promise<void> {
  const recipients = new Set([stop.user.email, await masterEmail(tx, stop.contract.id)].filter((e): e is string => Boolean(e)));
  const notice = composeNotice(deps.config, {
    subject: 'mail.stopped.subject',
    lines: [
      {
        key: 'mail.stopped.body',
        params: { company: stop.contract.company_name, userId: stop.user.user_id, at: formatJstJapanese(stop.at), ip: stop.ip },
      },
      { key: 'mail.stopped.howToLift' },
    ],
  });
  for (const recipient of recipients) {
    await enqueueEmail(tx, { contractId: stop.contract.id, recipient, ...notice }, stop.at);
  }
}
