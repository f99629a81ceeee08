import {
  refusalToApprove,
  refusalToApprovePayee,
  refusalToSend,
  type ApprovalTrail,
  type Item,
  type StepHolder,
} from '../../domain/approval.ts';

/**
 * R8.5: the kinds of item that wait for a person's step. A change of a user takes effect at once
 * (the master's confirmation password and token confirm it, R1.5): it never waits for anyone.
 */
export const waitingKinds = ['transfer', 'payee', 'bulk'] as const;
export type WaitingKind = (typeof waitingKinds)[number];

/** The business whose steps each kind follows (R1.4): payees are approved by the fund-transfer approvers. */
export const businessOf: Record<WaitingKind, 'transfer' | 'bulk_transfer'> = { transfer: 'transfer', payee: 'transfer', bulk: 'bulk_transfer' };

/** An item as the rule reads it: its approval trail, and for money its status, amount and date. */
export type WaitingSubject = { kind: 'transfer' | 'bulk'; item: Item } | { kind: 'payee'; item: ApprovalTrail & { status: 'pending' } };

export type NextStep = 'approve' | 'send';

/**
 * R8.5: the step this person may take on the item now, if any — the same rules of
 * src/domain/approval.ts the item's own steps apply, so a person is told about (and counts) exactly
 * the items whose buttons they will find.
 */
export function nextStepFor(person: StepHolder, subject: WaitingSubject, today: string): NextStep | undefined {
  if (subject.kind === 'payee') return refusalToApprovePayee(person, subject.item) === undefined ? 'approve' : undefined;
  const { item } = subject;
  if (item.status === 'awaiting_approval') return refusalToApprove(person, item, today) === undefined ? 'approve' : undefined;
  if (item.status !== 'awaiting_send') return undefined;
  // After the approvals anyone holding the send step may send, the registrant included (decision 0008).
  return refusalToSend(person, item, today) === undefined ? 'send' : undefined;
}
