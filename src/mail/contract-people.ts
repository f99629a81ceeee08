import type { Deps } from '../deps.ts';
import type { Tx } from '../db/transaction.ts';
import type { Contract, User } from '../db/schema.ts';
import { enqueueEmail } from '../outbox/enqueue.ts';
import { composeNotice, type NoticeParam } from './compose.ts';
import type { MessageKey } from '../web/i18n/index.ts';

export type NoticeLine = { key: MessageKey; params?: Record<string, NoticeParam> };

/**
 * A change that concerns every person of a contract (a contract-wide stop, its lift, the switch to
 * client certificates) is told to each of them, not to the master alone: each must know what to do
 * for themselves. `letter` writes one person's notice, or nothing for a person it need not reach.
 * Written with the change's transaction (house rule 8); people without an address, and deleted
 * ones, are skipped; two people sharing an address get their own notices.
 */
export async function notifyEveryPerson(
  deps: Deps,
  tx: Tx,
  contract: Contract,
  at: Date,
  letter: (person: User) => { subject: MessageKey; lines: NoticeLine[] } | undefined,
): Promise<number> {
  const people = await tx
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', contract.id)
    .where('status', '<>', 'deleted')
    .where('email', 'is not', null)
    // The master first, so the order of the outbox reads as the notices' importance.
    .orderBy('role')
    .orderBy('id')
    .execute();
  let sent = 0;
  for (const person of people) {
    const parts = letter(person);
    if (!parts || !person.email) continue;
    await enqueueEmail(tx, { contractId: contract.id, recipient: person.email, ...composeNotice(deps.config, parts) }, at);
    sent++;
  }
  return sent;
}
