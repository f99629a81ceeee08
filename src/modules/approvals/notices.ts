import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { composeNotice, type NoticeParam } from '../../mail/compose.ts';
import { formatYen } from '../../domain/money.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { enqueueEmail } from '../../outbox/enqueue.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { asStepHolder, stepHolders } from './step-holders.ts';
import { businessOf, nextStepFor, type WaitingKind, type WaitingSubject } from './waiting-rule.ts';

/**
 * R7.3, R8.5 [承認依頼通知]: the one notice module of the items that wait for a step — transfers,
 * payees and bulk files. Each notice is written in the transaction of the step that made the item
 * wait or moved it on (house rule 8), so nobody is told of a step that rolled back.
 */
export interface NoticeItem {
  id: bigint | number;
  contractId: string;
  createdBy: number;
  /** The account the item pays from: only people who may use it take its steps (R1.4). */
  accountId?: number;
  subject: WaitingSubject;
  /** For money: the amount and the date it moves on. */
  money?: { amountYen: bigint; date: string };
}

const pathOf: Record<WaitingKind, string> = { transfer: '/transfers/', payee: '/payees/', bulk: '/bulk/files/' };

function itemLines(deps: Deps, item: NoticeItem): { key: MessageKey; params?: Record<string, NoticeParam> }[] {
  return [
    ...(item.money ? [{ key: 'approvals.mail.money' as const, params: { amount: formatYen(item.money.amountYen), date: { day: item.money.date } } }] : []),
    { key: 'approvals.mail.link', params: { url: `${deps.config.publicUrl}${pathOf[item.subject.kind]}${item.id.toString()}` } },
  ];
}

const kindParam = (kind: WaitingKind): NoticeParam => ({ message: `approvals.kind.${kind}` });

/**
 * R8.5: everyone who may take the item's next step now — approve or send, by the same rules its
 * pages apply — is asked to, each at their registered address. Nobody else is told.
 */
export async function notifyWaiting(deps: Deps, tx: Tx, item: NoticeItem, at: Date): Promise<void> {
  const today = tokyoDate(at);
  const people = await stepHolders(tx, item.contractId, businessOf[item.subject.kind]);
  for (const person of people) {
    const step = nextStepFor(asStepHolder(person, item.accountId), item.subject, today);
    if (!step || !person.email) continue;
    const notice = composeNotice(deps.config, {
      subject: 'approvals.mail.waiting.subject',
      lines: [
        { key: 'approvals.mail.waiting', params: { kind: kindParam(item.subject.kind), id: item.id.toString(), step: { message: `approvals.step.${step}` } } },
        ...itemLines(deps, item),
      ],
    });
    await enqueueEmail(tx, { contractId: item.contractId, recipient: person.email, ...notice }, at);
  }
}

/** R7.3: the registrant learns that their item received its final approval. */
export async function notifyApproved(deps: Deps, tx: Tx, item: NoticeItem, at: Date): Promise<void> {
  const registrant = await tx.selectFrom('users').select('email').where('id', '=', item.createdBy).where('status', '<>', 'deleted').executeTakeFirst();
  if (!registrant?.email) return;
  const notice = composeNotice(deps.config, {
    subject: 'approvals.mail.approved.subject',
    lines: [{ key: 'approvals.mail.approved', params: { kind: kindParam(item.subject.kind), id: item.id.toString(), at: { moment: at } } }, ...itemLines(deps, item)],
  });
  await enqueueEmail(tx, { contractId: item.contractId, recipient: registrant.email, ...notice }, at);
}

/**
 * R8.5 [承認依頼通知]: after a step on a money item, in the step's transaction: the people who may
 * take its next step are asked to, and at its final approval its registrant is told. The item (with
 * its approvals) is read only when a notice is due.
 */
export async function noticesAfterStep(deps: Deps, tx: Tx, step: string, status: string, item: () => Promise<NoticeItem>, at: Date): Promise<void> {
  const waits = status === 'awaiting_approval' || status === 'awaiting_send';
  const approved = step === 'approve' && status !== 'awaiting_approval';
  if (!waits && !approved) return;
  const noticeItem = await item();
  if (approved) await notifyApproved(deps, tx, noticeItem, at);
  if (waits) await notifyWaiting(deps, tx, noticeItem, at);
}
