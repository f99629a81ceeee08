import type { Deps } from '../deps.ts';
import type { Tx } from '../db/transaction.ts';
import { enqueueEmail } from '../outbox/enqueue.ts';
import { composeNotice, type NoticeParam } from './compose.ts';
import type { MessageKey } from '../web/i18n/index.ts';

/**
 * R7.3: a security-relevant change is mailed to the addresses it concerns. Every notice says what
 * changed (`what`, a message with its parameters), to whom, when, by whom, from which IP address, and
 * what to do if it was not them. Written with the change's transaction (house rule 8).
 */
export interface SecurityChange {
  contractId: string;
  companyName: string;
  /** The person the change is about (their user ID is named in the notice). */
  subjectUserId: string;
  /** Who made the change, as the notice names them: a user ID, or the bank. */
  actorLabel: string;
  what: { key: MessageKey; params?: Record<string, NoticeParam> };
  at: Date;
  ip: string;
  /** Addresses to notify; duplicates and empty ones are dropped. */
  recipients: (string | null | undefined)[];
  /** A subject of its own, for a notice a person should tell apart at a glance; the general one otherwise. */
  subject?: MessageKey;
}

export async function notifySecurityChange(deps: Deps, tx: Tx, change: SecurityChange): Promise<void> {
  const notice = composeNotice(deps.config, {
    subject: change.subject ?? 'mail.securityChange.subject',
    lines: [
      { key: change.what.key, params: change.what.params },
      {
        key: 'mail.securityChange.facts',
        params: {
          company: change.companyName,
          userId: change.subjectUserId,
          actor: change.actorLabel,
          at: { moment: change.at },
          ip: change.ip,
        },
      },
      { key: 'mail.notYou' },
    ],
  });
  const recipients = new Set(change.recipients.filter((r): r is string => Boolean(r)));
  for (const recipient of recipients) {
    await enqueueEmail(tx, { contractId: change.contractId, recipient, ...notice }, change.at);
  }
}

/** The master's address, who is told of every change to the contract's people. */
export async function masterEmail(tx: Tx, contractId: string): Promise<string | null> {
  const master = await tx.selectFrom('users').select('email').where('contract_id', '=', contractId).where('role', '=', 'master').executeTakeFirst();
  return master?.email ?? null;
}
