/**
 * R8.5: who may take which step of an item under the contract's approval setting (none, single or
 * double), as one table (`whoMayTake`): each step only by a person holding it, nobody approving their
 * own item, two approvals by two people, and after them the send by anyone holding it. The items are
 * transfers and bulk files — register → approve → send (docs/decisions/0008, 0019) — and payees —
 * register → approve (docs/decisions/0012). Pure rules: each answers with the code of a refusal, or undefined
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
 * R8.5, the one table of who may take which step after an item's registration, for every kind of
 * item (transfers, bulk files, payees): the permission the step needs, and whether the registrant
 * and a person who already approved the item may take it. Nobody approves their own item, the two
 * approvals of double approval are by different people, and a send-back is an approver's word on
 * someone else's item; after the approvals anyone holding the send step may send, the registrant
 * included — the four eyes are the approvals'. Only the registrant withdraws.
 */
export type ItemStep = 'approve' | 'send' | 'sendBack' | 'withdraw';

export interface WhoMayTake {
  /** The step of the business the person must hold (R1.4); none for a withdrawal. */
  needs: 'approve' | 'send' | null;
  /** The person who registered the item: refused, allowed, or the only one allowed. */
  registrant: 'refused' | 'allowed' | 'only';
  /** A person who already approved the item. */
  approver: 'refused' | 'allowed';
}

export const whoMayTake: Readonly<Record<ItemStep, WhoMayTake>> = {
  approve: { needs: 'approve', registrant: 'refused', approver: 'refused' },
  send: { needs: 'send', registrant: 'allowed', approver: 'allowed' },
  sendBack: { needs: 'approve', registrant: 'refused', approver: 'refused' },
  withdraw: { needs: null, registrant: 'only', approver: 'allowed' },
};

/** A person as the table reads them: who they are and which steps they hold. */
export interface StepPerson extends Approver {
  canSend?: boolean;
}

function holds(person: StepPerson, needs: WhoMayTake['needs']): boolean {
  if (needs === 'approve') return person.canApprove;
  if (needs === 'send') return person.canSend === true;
  return true;
}

/**
 * R8.5, the table applied: the permission, then (for a withdrawal) the registrant, then `between`
 * (what a kind checks before whether the item waits, such as the account), whether the item waits,
 * and who the person is to the item.
 */
function whoRefusal<Code extends string>(
  step: ItemStep,
  codes: RefusalCodes<Code>,
  person: StepPerson,
  item: ApprovalTrail,
  waiting: boolean,
  between: () => Code | undefined = () => undefined,
): Code | undefined {
  const rule = whoMayTake[step];
  if (!holds(person, rule.needs)) return codes.notHeld;
  if (rule.registrant === 'only' && item.createdBy !== person.ref) return codes.notCreator;
  const early = between();
  if (early) return early;
  if (!waiting) return codes.notWaiting;
  if (rule.registrant === 'refused' && item.createdBy === person.ref) return codes.ownItem;
  if (rule.approver === 'refused' && item.approvedBy.includes(person.ref)) return codes.stepTaken;
  return undefined;
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

/** Whether the item waits for the step (R8.5). */
const waitsFor: Readonly<Record<ItemStep, (item: Item) => boolean>> = {
  approve: (item) => item.status === 'awaiting_approval' && item.approvedBy.length < item.approvalsRequired,
  send: (item) => item.status === 'awaiting_send',
  sendBack: (item) => item.status === 'awaiting_approval' || item.status === 'awaiting_send',
  // Before the final approval: while it waits for approval, or, when it needs none, to be sent.
  withdraw: (item) => item.status === 'awaiting_approval' || (item.status === 'awaiting_send' && item.approvalsRequired === 0),
};

/**
 * R8.5 for a transfer or a bulk file: the table (`whoMayTake`), the account the person may use
 * (R1.4), and, for the steps that move the item towards the money going out, its date not passed;
 * an approval also within the approver's own per-transaction limit.
 */
export function refusalToStep(step: ItemStep, person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  const account = () => (step !== 'withdraw' && !person.usesAccount ? 'TRANSFER_ACCOUNT_NOT_USABLE' : undefined);
  const refusal = whoRefusal<StepRefusal>(step, transfer, person, item, waitsFor[step](item), account);
  if (refusal) return refusal;
  if ((step === 'approve' || step === 'send') && item.executionDate < today) return 'TRANSFER_EXPIRED';
  if (step === 'approve' && !withinLimit(item.amountYen, person.perTransactionLimitYen)) return 'TRANSFER_PER_TRANSACTION_LIMIT';
  return undefined;
}

/** R8.5: an approval — never of one's own item nor twice by one person, within one's own limit (R1.4). */
export function refusalToApprove(person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  return refusalToStep('approve', person, item, today);
}

/**
 * After an allowed approval: more approvals to come, or the final one — which sends the item when
 * the approver holds the send step (one step of that person), or leaves it for someone who does.
 */
export function nextAfterApproval(approver: StepHolder, item: Item): Next {
  if (item.approvedBy.length + 1 < item.approvalsRequired) return 'awaiting_approval';
  return approver.canSend ? 'send' : 'awaiting_send';
}

/** R8.5: after the approvals, anyone holding the send step sends, the registrant included. */
export function refusalToSend(person: StepHolder, item: Item, today: string): StepRefusal | undefined {
  return refusalToStep('send', person, item, today);
}

/** R8.5: the creator takes their item back before its final approval. */
export function refusalToWithdraw(person: StepHolder, item: Item): StepRefusal | undefined {
  return refusalToStep('withdraw', person, item, '');
}

/** R8.5: an approver sends an item back to its creator, with a reason, before it is sent. */
export function refusalToSendBack(person: StepHolder, item: Item): StepRefusal | undefined {
  return refusalToStep('sendBack', person, item, '');
}

/** The step an item waits for now, if any: what the page names the people for (R8.5). */
export function stepAwaited(item: Item): 'approve' | 'send' | undefined {
  if (waitsFor.approve(item)) return 'approve';
  if (waitsFor.send(item)) return 'send';
  return undefined;
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
  return whoRefusal('approve', payee, person, item, item.status === 'pending');
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
  // A payee's withdrawal names the state before the person (its tests ask that order).
  if (item.status !== 'pending') return payee.notWaiting;
  return whoRefusal('withdraw', payee, { ...person, canApprove: false }, { createdBy: item.createdBy, approvedBy: item.approvedBy }, true);
}
