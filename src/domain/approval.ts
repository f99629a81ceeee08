/**
 * R8.5: who may take which step of an item under the contract's approval setting (none, single or
 * double), each step only by a person holding it and never the same person twice for one item. The
 * items are transfers — register → approve → send (docs/decisions/0008) — and payees — register →
 * approve (docs/decisions/0012). Pure rules: each answers with the code of a refusal, or undefined
 * when the step is allowed. The services ask before showing a button and again inside the
 * transaction of the step; the database's unique keys and conditional writes gate what two people do
 * at the same moment.
 */

export type ApprovalMode = 'none' | 'single' | 'double';

/** R8.5: approvals an item needs, fixed when it is registered. */
export const approvalsRequiredByMode: Readonly<Record<ApprovalMode, 0 | 1 | 2>> = { none: 0, single: 1, double: 2 };

/** R8.5: an item registered under a setting that asks for approvals waits for them; otherwise it needs none. */
export function waitsForApproval(approvalsRequired: number): boolean {
  return approvalsRequired > 0;
}

/** A person as every item's rules see them: who they are, and whether they hold the approve step (R1.4). */
export interface Approver {
  ref: number;
  canApprove: boolean;
}

/** Who made an item and who approved it: what the four-eyes rule reads. */
export interface ApprovalTrail {
  createdBy: number;
  /** Who approved, in step order. */
  approvedBy: readonly number[];
}

/** The kinds of item the rules cover. */
export type ItemKind = 'transfer' | 'payee';

/** What the rules both kinds share may find wrong with a step. */
export interface RefusalCodes<Code extends string = string> {
  /** The person does not hold the step. */
  notHeld: Code;
  /** The item does not (or no longer) wait for the step. */
  notWaiting: Code;
  /** The person made the item. */
  ownItem: Code;
  /** The person already took a step on the item. */
  stepTaken: Code;
  /** Only the person who made the item may withdraw it. */
  notCreator: Code;
}

/** The one table of how each kind of item names those refusals: the error codes its pages show. */
export const refusalCodes = {
  transfer: {
    notHeld: 'TRANSFER_NOT_PERMITTED',
    notWaiting: 'TRANSFER_STATE_CONFLICT',
    ownItem: 'TRANSFER_OWN_ITEM',
    stepTaken: 'TRANSFER_STEP_TAKEN',
    notCreator: 'TRANSFER_NOT_PERMITTED',
  },
  payee: {
    notHeld: 'PAYEES_APPROVE_FORBIDDEN',
    notWaiting: 'PAYEES_NOT_PENDING',
    ownItem: 'PAYEES_OWN_ITEM',
    stepTaken: 'PAYEES_ALREADY_APPROVED',
    notCreator: 'PAYEES_NOT_REGISTRANT',
  },
} as const satisfies Record<ItemKind, RefusalCodes>;

/**
 * R8.5, four eyes, for every item and every step after its registration: the item waits for the
 * step, and the person neither made it nor took a step on it already.
 */
function fourEyesRefusal<Code extends string>(codes: RefusalCodes<Code>, person: { ref: number }, item: ApprovalTrail, waiting: boolean): Code | undefined {
  if (!waiting) return codes.notWaiting;
  if (item.createdBy === person.ref) return codes.ownItem;
  if (item.approvedBy.includes(person.ref)) return codes.stepTaken;
  return undefined;
}

/** Whether a person has already taken a step on the item (registered or approved it). */
export function tookStep(person: { ref: number }, item: ApprovalTrail): boolean {
  return item.createdBy === person.ref || item.approvedBy.includes(person.ref);
}

// Transfers (docs/decisions/0008).

export type ItemStatus = 'awaiting_approval' | 'awaiting_send' | 'scheduled' | 'completed' | 'failed' | 'withdrawn' | 'sent_back';

/** What a person holds of the fund-transfer business (R1.4), and the accounts they may use. */
export interface StepHolder extends Approver {
  canRegister: boolean;
  canSend: boolean;
  perTransactionLimitYen: bigint | null;
  /** The person may use the item's account (a user_account link, or the master). */
  usesAccount: boolean;
}

export interface Item extends ApprovalTrail {
  status: ItemStatus;
  approvalsRequired: number;
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

const transfer = refusalCodes.transfer;

/** What happens at a registration or a final approval: the item waits for its next step, or goes out. */
export type Next = 'awaiting_approval' | 'awaiting_send' | 'send';

function withinLimit(amountYen: bigint, limitYen: bigint | null): boolean {
  return limitYen !== null && amountYen <= limitYen;
}

/** R1.4: registering needs the register step, the account, and an amount within the per-transaction limit. */
export function refusalToRegister(person: StepHolder, amountYen: bigint): StepRefusal | undefined {
  if (!person.canRegister) return transfer.notHeld;
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  if (!withinLimit(amountYen, person.perTransactionLimitYen)) return 'TRANSFER_PER_TRANSACTION_LIMIT';
  return undefined;
}

/**
 * R8.5: without approvals the registration goes out at once when the creator also holds the send
 * step; otherwise it waits for approval, or for someone else who holds the send step.
 */
export function nextAtRegistration(approvalsRequired: number, creator: StepHolder): Next {
  if (waitsForApproval(approvalsRequired)) return 'awaiting_approval';
  return creator.canSend ? 'send' : 'awaiting_send';
}

/**
 * R8.5: an approval is given by a holder of the approve step who may use the account, within their
 * own per-transaction limit (R1.4), never to their own item nor twice to one item, only while the
 * item waits for approval and before its date has passed.
 */
export function refusalToApprove(person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  if (!person.canApprove) return transfer.notHeld;
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  const waiting = item.status === 'awaiting_approval' && item.approvedBy.length < item.approvalsRequired;
  const refusal = fourEyesRefusal(transfer, person, item, waiting);
  if (refusal) return refusal;
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
  if (!person.canSend) return transfer.notHeld;
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  const refusal = fourEyesRefusal(transfer, person, item, item.status === 'awaiting_send');
  if (refusal) return refusal;
  if (item.executionDate < today) return 'TRANSFER_EXPIRED';
  return undefined;
}

/**
 * R8.5 as the bulk files follow it: after the approvals, anyone holding the send step may send —
 * the registrant included (the four eyes are the approvals') — while the item waits to be sent and
 * before its date has passed.
 */
export function refusalToSendAfterApprovals(person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  if (!person.canSend) return transfer.notHeld;
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  if (item.status !== 'awaiting_send') return transfer.notWaiting;
  if (item.executionDate < today) return 'TRANSFER_EXPIRED';
  return undefined;
}

/**
 * R8.5: the creator withdraws their item before its final approval — while it waits for approval,
 * or, when it needs none, while it waits for someone to send it.
 */
export function refusalToWithdraw(person: StepHolder, item: Item): StepRefusal | undefined {
  if (item.createdBy !== person.ref) return transfer.notCreator;
  const beforeFinalApproval = item.status === 'awaiting_approval' || (item.status === 'awaiting_send' && item.approvalsRequired === 0);
  return beforeFinalApproval ? undefined : transfer.notWaiting;
}

/**
 * R8.5: an approver sends an item back to its creator, with a reason, before it is sent: a holder of
 * the approve step who may use the account, not the creator, and not someone who already approved it
 * (that would be a second step of one person).
 */
export function refusalToSendBack(person: StepHolder, item: Item): StepRefusal | undefined {
  if (!person.canApprove) return transfer.notHeld;
  if (!person.usesAccount) return 'TRANSFER_ACCOUNT_NOT_USABLE';
  return fourEyesRefusal(transfer, person, item, item.status === 'awaiting_approval' || item.status === 'awaiting_send');
}

/** A send-back reason: 1–100 characters once trimmed, no control characters. */
export const sendBackReasonLengthMax = 100;

export function isValidSendBackReason(reason: string): boolean {
  const trimmed = reason.trim();
  return trimmed.length >= 1 && [...trimmed].length <= sendBackReasonLengthMax && !/[\p{Cc}]/u.test(trimmed);
}

// Payees (docs/decisions/0012): a registration or a change waits for its approvals while 'pending'.

export type PayeeItemStatus = 'pending' | 'active' | 'rejected' | 'withdrawn' | 'deleted' | 'replaced';

export interface PayeeItem extends ApprovalTrail {
  status: PayeeItemStatus;
}

export type PayeeStepRefusal = (typeof refusalCodes.payee)[keyof RefusalCodes];

const payee = refusalCodes.payee;

/** R8.5: a registration or change is in use at once without approvals, and waits for them otherwise. */
export function payeeStatusAtRegistration(approvalsRequired: number): 'active' | 'pending' {
  return waitsForApproval(approvalsRequired) ? 'pending' : 'active';
}

/** R8.5: an approval by a holder of the approve step, of a pending payee, never its registrant's, never twice. */
export function refusalToApprovePayee(person: Approver, item: PayeeItem): PayeeStepRefusal | undefined {
  if (!person.canApprove) return payee.notHeld;
  return fourEyesRefusal(payee, person, item, item.status === 'pending');
}

/**
 * R8.5: an approver sends a pending payee back (its audit record says 'reject') on the terms of an
 * approval: not their own, and not one they approved already.
 */
export function refusalToSendBackPayee(person: Approver, item: PayeeItem): PayeeStepRefusal | undefined {
  return refusalToApprovePayee(person, item);
}

/** R8.5: the registrant takes back their payee while it waits. */
export function refusalToWithdrawPayee(person: { ref: number }, item: PayeeItem): PayeeStepRefusal | undefined {
  if (item.status !== 'pending') return payee.notWaiting;
  if (item.createdBy !== person.ref) return payee.notCreator;
  return undefined;
}
