import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approvalsRequiredByMode,
  isValidSendBackReason,
  nextAfterApproval,
  nextAtRegistration,
  payeeStatusAtRegistration,
  refusalCodes,
  refusalToApprove,
  refusalToApprovePayee,
  refusalToRegister,
  refusalToSend,
  refusalToSendBack,
  refusalToSendBackPayee,
  refusalToWithdraw,
  refusalToWithdrawPayee,
  stepAwaited,
  whoMayTake,
  type Item,
  type PayeeItem,
  type StepHolder,
} from './approval.ts';

const today = '2026-04-01';
const person = (ref: number, steps: { register?: boolean; approve?: boolean; send?: boolean } = {}, limitYen: bigint | null = 1_000_000n): StepHolder => ({
  ref,
  canRegister: steps.register ?? false,
  canApprove: steps.approve ?? false,
  canSend: steps.send ?? false,
  perTransactionLimitYen: limitYen,
  usesAccount: true,
});
const creator = person(1, { register: true, send: true });
const approver = person(2, { approve: true });
const approverSender = person(3, { approve: true, send: true });
const sender = person(4, { send: true });
const item = (overrides: Partial<Item> = {}): Item => ({
  status: 'awaiting_approval',
  createdBy: 1,
  approvalsRequired: 1,
  approvedBy: [],
  amountYen: 50_000n,
  executionDate: today,
  ...overrides,
});

test('approvals required follow the contract setting: none 0, single 1, double 2', () => {
  assert.deepEqual(approvalsRequiredByMode, { none: 0, single: 1, double: 2 });
});

test('registering needs the register step, the account and an amount within the per-transaction limit', () => {
  assert.equal(refusalToRegister(creator, 1_000_000n), undefined);
  assert.equal(refusalToRegister(approver, 1n), 'TRANSFER_NOT_PERMITTED');
  assert.equal(refusalToRegister({ ...creator, usesAccount: false }, 1n), 'TRANSFER_ACCOUNT_NOT_USABLE');
  assert.equal(refusalToRegister(creator, 1_000_001n), 'TRANSFER_PER_TRANSACTION_LIMIT');
  assert.equal(refusalToRegister({ ...creator, perTransactionLimitYen: null }, 1n), 'TRANSFER_PER_TRANSACTION_LIMIT');
});

test('without approvals a creator holding the send step sends at once; otherwise the item waits', () => {
  assert.equal(nextAtRegistration(0, creator), 'send');
  assert.equal(nextAtRegistration(0, person(5, { register: true })), 'awaiting_send');
  assert.equal(nextAtRegistration(1, creator), 'awaiting_approval');
  assert.equal(nextAtRegistration(2, creator), 'awaiting_approval');
});

test('the creator never approves their own item, even holding the approve step', () => {
  const both = person(1, { register: true, approve: true, send: true });
  assert.equal(refusalToApprove(both, item(), today), 'TRANSFER_OWN_ITEM');
});

test('one person never approves one item twice', () => {
  assert.equal(refusalToApprove(approver, item({ approvalsRequired: 2, approvedBy: [2] }), today), 'TRANSFER_STEP_TAKEN');
  assert.equal(refusalToApprove(approverSender, item({ approvalsRequired: 2, approvedBy: [2] }), today), undefined);
});

test('only an item waiting for approval is approved: not a withdrawn, sent back, or sent one', () => {
  for (const status of ['withdrawn', 'sent_back', 'awaiting_send', 'scheduled', 'completed', 'failed'] as const) {
    assert.equal(refusalToApprove(approver, item({ status }), today), 'TRANSFER_STATE_CONFLICT', status);
  }
  assert.equal(refusalToApprove(approver, item({ approvedBy: [3] }), today), 'TRANSFER_STATE_CONFLICT');
});

test('approving needs the approve step, the account, the approver’s own limit, and a date not passed', () => {
  assert.equal(refusalToApprove(sender, item(), today), 'TRANSFER_NOT_PERMITTED');
  assert.equal(refusalToApprove({ ...approver, usesAccount: false }, item(), today), 'TRANSFER_ACCOUNT_NOT_USABLE');
  assert.equal(refusalToApprove(person(2, { approve: true }, 49_999n), item(), today), 'TRANSFER_PER_TRANSACTION_LIMIT');
  assert.equal(refusalToApprove(approver, item({ executionDate: '2026-03-31' }), today), 'TRANSFER_EXPIRED');
});

test('the final approval sends when the approver holds the send step, else the item waits for a sender', () => {
  assert.equal(nextAfterApproval(approverSender, item()), 'send');
  assert.equal(nextAfterApproval(approver, item()), 'awaiting_send');
  assert.equal(nextAfterApproval(approverSender, item({ approvalsRequired: 2 })), 'awaiting_approval');
  assert.equal(nextAfterApproval(approverSender, item({ approvalsRequired: 2, approvedBy: [2] })), 'send');
});

test('R8.5: after the approvals anyone holding the send step sends, the registrant and the approver included', () => {
  const waiting = item({ status: 'awaiting_send', approvedBy: [3] });
  assert.equal(refusalToSend(sender, waiting, today), undefined);
  assert.equal(refusalToSend(approverSender, waiting, today), undefined, 'the approver who holds the send step');
  assert.equal(refusalToSend(person(1, { register: true, send: true }), waiting, today), undefined, 'the registrant');
  assert.equal(refusalToSend(approver, waiting, today), 'TRANSFER_NOT_PERMITTED');
  assert.equal(refusalToSend(person(1, { register: true }), waiting, today), 'TRANSFER_NOT_PERMITTED', 'the registrant without the send step');
  assert.equal(refusalToSend({ ...sender, usesAccount: false }, waiting, today), 'TRANSFER_ACCOUNT_NOT_USABLE');
  assert.equal(refusalToSend(sender, item(), today), 'TRANSFER_STATE_CONFLICT', 'not before the approvals');
  assert.equal(refusalToSend(sender, item({ status: 'sent_back' }), today), 'TRANSFER_STATE_CONFLICT');
  assert.equal(refusalToSend(sender, { ...waiting, executionDate: '2026-03-31' }, today), 'TRANSFER_EXPIRED');
});

test('R8.5: one table says who may take each step — the four eyes are the approvals\'', () => {
  assert.deepEqual(whoMayTake, {
    approve: { needs: 'approve', registrant: 'refused', approver: 'refused' },
    send: { needs: 'send', registrant: 'allowed', approver: 'allowed' },
    sendBack: { needs: 'approve', registrant: 'refused', approver: 'refused' },
    withdraw: { needs: null, registrant: 'only', approver: 'allowed' },
  });
});

test('R8.5: nobody approves their own item, and the two approvals of double approval are by two people', () => {
  const selfApprover = person(1, { register: true, approve: true, send: true });
  assert.equal(refusalToApprove(selfApprover, item(), today), 'TRANSFER_OWN_ITEM');
  const double = item({ approvalsRequired: 2, approvedBy: [2] });
  assert.equal(refusalToApprove(approver, double, today), 'TRANSFER_STEP_TAKEN');
  assert.equal(refusalToApprove(approverSender, double, today), undefined);
  // The same table governs payees: their own registration is not theirs to approve.
  assert.equal(refusalToApprovePayee({ ref: 1, canApprove: true }, { status: 'pending', createdBy: 1, approvedBy: [] }), 'PAYEES_OWN_ITEM');
});

test('R8.5: single approval is done by two people — the registrant registers and sends, another approves', () => {
  const registrantSender = person(1, { register: true, send: true });
  const registered = item();
  assert.equal(refusalToApprove(approver, registered, today), undefined);
  assert.equal(nextAfterApproval(approver, registered), 'awaiting_send');
  assert.equal(refusalToSend(registrantSender, item({ status: 'awaiting_send', approvedBy: [2] }), today), undefined);
  // Or the approver holding the send step approves and sends in one step.
  assert.equal(nextAfterApproval(approverSender, registered), 'send');
});

test('the step an item waits for is the one the page names people for', () => {
  assert.equal(stepAwaited(item()), 'approve');
  assert.equal(stepAwaited(item({ status: 'awaiting_send', approvedBy: [2] })), 'send');
  assert.equal(stepAwaited(item({ status: 'scheduled' })), undefined);
  assert.equal(stepAwaited(item({ status: 'sent_back' })), undefined);
});

test('the creator alone withdraws, and only before the final approval', () => {
  assert.equal(refusalToWithdraw(creator, item()), undefined);
  assert.equal(refusalToWithdraw(creator, item({ approvalsRequired: 2, approvedBy: [2] })), undefined);
  assert.equal(refusalToWithdraw(creator, item({ status: 'awaiting_send', approvalsRequired: 0 })), undefined);
  assert.equal(refusalToWithdraw(creator, item({ status: 'awaiting_send', approvedBy: [2] })), 'TRANSFER_STATE_CONFLICT');
  assert.equal(refusalToWithdraw(creator, item({ status: 'scheduled' })), 'TRANSFER_STATE_CONFLICT');
  assert.equal(refusalToWithdraw(approver, item()), 'TRANSFER_NOT_PERMITTED');
});

test('an approver other than the creator sends back before sending, once per person', () => {
  assert.equal(refusalToSendBack(approver, item()), undefined);
  assert.equal(refusalToSendBack(approver, item({ status: 'awaiting_send', approvedBy: [3] })), undefined);
  assert.equal(refusalToSendBack(approverSender, item({ status: 'awaiting_send', approvedBy: [3] })), 'TRANSFER_STEP_TAKEN');
  assert.equal(refusalToSendBack(person(1, { register: true, approve: true }), item()), 'TRANSFER_OWN_ITEM');
  assert.equal(refusalToSendBack(sender, item()), 'TRANSFER_NOT_PERMITTED');
  assert.equal(refusalToSendBack(approver, item({ status: 'scheduled' })), 'TRANSFER_STATE_CONFLICT');
  assert.equal(refusalToSendBack(approver, item({ status: 'withdrawn' })), 'TRANSFER_STATE_CONFLICT');
});

test('a send-back reason is 1 to 100 characters without control characters', () => {
  assert.equal(isValidSendBackReason('金額誤り'), true);
  assert.equal(isValidSendBackReason('あ'.repeat(100)), true);
  assert.equal(isValidSendBackReason('あ'.repeat(101)), false);
  assert.equal(isValidSendBackReason('   '), false);
  assert.equal(isValidSendBackReason('a\u0007b'), false);
});

const payeeItem = (overrides: Partial<PayeeItem> = {}): PayeeItem => ({ status: 'pending', createdBy: 1, approvedBy: [], ...overrides });
const payeeApprover = { ref: 2, canApprove: true };

test('a payee registered without approvals is in use at once; with one or two it waits', () => {
  assert.equal(payeeStatusAtRegistration(approvalsRequiredByMode.none), 'active');
  assert.equal(payeeStatusAtRegistration(approvalsRequiredByMode.single), 'pending');
  assert.equal(payeeStatusAtRegistration(approvalsRequiredByMode.double), 'pending');
});

test('a payee is approved by a holder of the approve step, while pending, never by its registrant, never twice', () => {
  assert.equal(refusalToApprovePayee(payeeApprover, payeeItem()), undefined);
  assert.equal(refusalToApprovePayee({ ref: 2, canApprove: false }, payeeItem()), 'PAYEES_APPROVE_FORBIDDEN');
  assert.equal(refusalToApprovePayee({ ref: 1, canApprove: true }, payeeItem()), 'PAYEES_OWN_ITEM');
  assert.equal(refusalToApprovePayee(payeeApprover, payeeItem({ approvedBy: [2] })), 'PAYEES_ALREADY_APPROVED');
  assert.equal(refusalToApprovePayee({ ref: 3, canApprove: true }, payeeItem({ approvedBy: [2] })), undefined);
  for (const status of ['active', 'rejected', 'withdrawn', 'deleted', 'replaced'] as const) {
    assert.equal(refusalToApprovePayee(payeeApprover, payeeItem({ status })), 'PAYEES_NOT_PENDING', status);
  }
  assert.equal(refusalToApprovePayee({ ref: 1, canApprove: false }, payeeItem({ status: 'active' })), 'PAYEES_APPROVE_FORBIDDEN', 'the step is judged first');
});

test('a payee is sent back on the terms of an approval', () => {
  assert.equal(refusalToSendBackPayee(payeeApprover, payeeItem()), undefined);
  assert.equal(refusalToSendBackPayee({ ref: 2, canApprove: false }, payeeItem()), 'PAYEES_APPROVE_FORBIDDEN');
  assert.equal(refusalToSendBackPayee({ ref: 1, canApprove: true }, payeeItem()), 'PAYEES_OWN_ITEM');
  assert.equal(refusalToSendBackPayee(payeeApprover, payeeItem({ approvedBy: [2] })), 'PAYEES_ALREADY_APPROVED');
  assert.equal(refusalToSendBackPayee(payeeApprover, payeeItem({ status: 'active' })), 'PAYEES_NOT_PENDING');
});

test('the registrant alone withdraws a pending payee; a payee no longer pending is refused as such first', () => {
  assert.equal(refusalToWithdrawPayee({ ref: 1 }, payeeItem()), undefined);
  assert.equal(refusalToWithdrawPayee({ ref: 1 }, payeeItem({ approvedBy: [2] })), undefined);
  assert.equal(refusalToWithdrawPayee({ ref: 2 }, payeeItem()), 'PAYEES_NOT_REGISTRANT');
  assert.equal(refusalToWithdrawPayee({ ref: 1 }, payeeItem({ status: 'active' })), 'PAYEES_NOT_PENDING');
  assert.equal(refusalToWithdrawPayee({ ref: 2 }, payeeItem({ status: 'withdrawn' })), 'PAYEES_NOT_PENDING');
});

test('the one table names the shared refusals of each kind of item', () => {
  assert.equal(refusalToApprove(approver, item({ status: 'withdrawn' }), today), refusalCodes.transfer.notWaiting);
  assert.equal(refusalToApprovePayee(payeeApprover, payeeItem({ status: 'withdrawn' })), refusalCodes.payee.notWaiting);
  assert.equal(refusalToWithdraw(approver, item()), refusalCodes.transfer.notCreator);
  assert.equal(refusalToWithdrawPayee(payeeApprover, payeeItem()), refusalCodes.payee.notCreator);
});
