/**
 * R8.5: who may take which step of a transfer — register → approve → send — under the contract's
 * approval setting (none, single or double), each step only by a person holding it and never the
 * same person twice for one item (docs/decisions/0008). Pure rules: each answers with the code of
 * a refusal, or undefined when the step is allowed. The services ask before showing a button and
 * again on the item's row locked inside the transaction of the step; the database's unique keys and
 * conditional writes gate what two people do at the same moment.
 */

export type ApprovalMode = 'none' | 'single' | 'double';

export type ItemStatus = 'awaiting_approval' | 'awaiting_send' | 'scheduled' | 'completed' | 'failed' | 'withdrawn' | 'sent_back';

/** R8.5: approvals an item needs, fixed when it is registered. */
export const approvalsRequiredByMode: Readonly<Record<ApprovalMode, 0 | 1 | 2>> = { none: 0, single: 1, double: 2 };

/** What a person holds of the fund-transfer business (R1.4), and the accounts they may use. */
export interface StepHolder {
  ref: number;
  canRegister: boolean;
  canApprove: boolean;
  canSend: boolean;
  perTransactionLimitYen: bigint | null;
  /** The person may use the item's account (a user_account link, or the master). */
  usesAccount: boolean;
}

export interface Item {
  status: ItemStatus;
  createdBy: number;
  approvalsRequired: number;
  /** Who approved, in step order. */
  approvedBy: readonly number[];
  amountYen: bigint;
  /** 'YYYY-MM-DD' (Asia/Tokyo). */
  executionDate: string;
}

export type StepRefusal =
  | 'TRANSFER_NOT_PERMITTED'
  | 'TRANSFER_ACCOUNT_NOT_USABLE'
  | 'TRANSFER_STATE_CONFLICT'
  | 'TRANSFER_OWN_ITEM'
  | 'TRANSFER_STEP_TAKEN'
  | 'TRANSFER_PER_TRANSACTION_LIMIT'
  | 'TRANSFER_EXPIRED';

/** What happens at a registration or a final approval: the item waits for its next step, or goes out. */
export type Next = 'awaiting_approval' | 'awaiting_send' | 'send';

/** Whether a person has already taken a step on the item (registered or approved it). */
export function tookStep(person: StepHolder, item: Item): boolean {
  return item.createdBy === person.ref || item.approvedBy.includes(person.ref);
}

function withinLimit(amountYen: bigint, limitYen: bigint | null): boolean {
  return limitYen !== null && amountYen <= limitYen;
}

/** R1.4: registering needs the register step, the account, and an amount within the per-transaction limit. */
export function refusalToRegister(person: StepHolder, amountYen: bigint): StepRefusal | undefined {
  if (!person.canRegister) return 'TRANSFER_NOT_PERMITTED';
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  if (!withinLimit(amountYen, person.perTransactionLimitYen)) return 'TRANSFER_PER_TRANSACTION_LIMIT';
  return undefined;
}

/**
 * R8.5: without approvals the registration goes out at once when the creator also holds the send
 * step; otherwise it waits for approval, or for someone else who holds the send step.
 */
export function nextAtRegistration(approvalsRequired: number, creator: StepHolder): Next {
  if (approvalsRequired > 0) return 'awaiting_approval';
  return creator.canSend ? 'send' : 'awaiting_send';
}

/**
 * R8.5: an approval is given by a holder of the approve step who may use the account, within their
 * own per-transaction limit (R1.4), never to their own item nor twice to one item, only while the
 * item waits for approval and before its date has passed.
 */
export function refusalToApprove(person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  if (!person.canApprove) return 'TRANSFER_NOT_PERMITTED';
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  if (item.status !== 'awaiting_approval' || item.approvedBy.length >= item.approvalsRequired) return 'TRANSFER_STATE_CONFLICT';
  if (item.createdBy === person.ref) return 'TRANSFER_OWN_ITEM';
  if (item.approvedBy.includes(person.ref)) return 'TRANSFER_STEP_TAKEN';
  if (item.executionDate < today) return 'TRANSFER_EXPIRED';
  if (!withinLimit(item.amountYen, person.perTransactionLimitYen)) return 'TRANSFER_PER_TRANSACTION_LIMIT';
  return undefined;
}

/**
 * After an allowed approval: more approvals to come, or the final one — which sends the item when
 * the approver holds the send step (one step of that person), or leaves it for someone who does.
 */
export function nextAfterApproval(approver: StepHolder, item: Item): Next {
  if (item.approvedBy.length + 1 < item.approvalsRequired) return 'awaiting_approval';
  return approver.canSend ? 'send' : 'awaiting_send';
}

/** R8.5: sending an item that waits for it, by a holder of the send step who took no other step on it. */
export function refusalToSend(person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  if (!person.canSend) return 'TRANSFER_NOT_PERMITTED';
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  if (item.status !== 'awaiting_send') return 'TRANSFER_STATE_CONFLICT';
  if (item.createdBy === person.ref) return 'TRANSFER_OWN_ITEM';
  if (item.approvedBy.includes(person.ref)) return 'TRANSFER_STEP_TAKEN';
  if (item.executionDate < today) return 'TRANSFER_EXPIRED';
  return undefined;
}

/**
 * R8.5: the creator withdraws their item before its final approval — while it waits for approval,
 * or, when it needs none, while it waits for someone to send it.
 */
export function refusalToWithdraw(person: StepHolder, item: Item): StepRefusal | undefined {
  if (item.createdBy !== person.ref) return 'TRANSFER_NOT_PERMITTED';
  const beforeFinalApproval = item.status === 'awaiting_approval' || (item.status === 'awaiting_send' && item.approvalsRequired === 0);
  return beforeFinalApproval ? undefined : 'TRANSFER_STATE_CONFLICT';
}

/**
 * R8.5: an approver sends an item back to its creator, with a reason, before it is sent: a holder of
 * the approve step who may use the account, not the creator, and not someone who already approved it
 * (that would be a second step of one person).
 */
export function refusalToSendBack(person: StepHolder, item: Item): StepRefusal | undefined {
  if (!person.canApprove) return 'TRANSFER_NOT_PERMITTED';
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  if (item.status !== 'awaiting_approval' && item.status !== 'awaiting_send') return 'TRANSFER_STATE_CONFLICT';
  if (item.createdBy === person.ref) return 'TRANSFER_OWN_ITEM';
  if (item.approvedBy.includes(person.ref)) return 'TRANSFER_STEP_TAKEN';
  return undefined;
}

/** A send-back reason: 1–100 characters once trimmed, no control characters. */
export const sendBackReasonLengthMax = 100;

export function isValidSendBackReason(reason: string): boolean {
  const trimmed = reason.trim();
  return trimmed.length >= 1 && [...trimmed].length <= sendBackReasonLengthMax && !/[\p{Cc}]/u.test(trimmed);
}
