import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode, type Client } from '../helpers/client.ts';
import { otpAddressOf } from '../helpers/people.ts';
import { appForFile, assertNoStackTrace, userRow } from '../helpers/http-app.ts';
import { balanceOf, fund } from '../transfers/fixtures.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { openDraft, sealDraft } from '../../src/modules/pay-easy/draft.ts';
import { sessionCookie } from '../helpers/http-app.ts';
import {
  addBill,
  billFields,
  moneyContract,
  paidId,
  payer,
  paymentCode,
  paymentState,
  payThroughPages,
  receiptsTo,
  toConfirmation,
} from './support.ts';

/**
 * R8.3, R5.2, R8.6: a payment is the bill as the biller answered it, confirmed with the confirmation
 * password and the email one-time password of this very payment, within the person's limits,
 * posted once to the ledger with its receipt, however often the form is sent.
 */
const t = appForFile();

/** The id of the client's session (its cookie is `id.secret`). */
function sessionOf(client: Client): string {
  return client.cookies.get(sessionCookie)!.split('.')[0]!;
}

async function assertLedgerClean(): Promise<void> {
  const verification = await verifyLedger(t.db);
  assert.deepEqual(verification.problems, []);
  assert.equal(verification.figures.totalYen, 0n);
}

test('a payment moves the billed amount to the clearing account, marks the bill paid, and gives a receipt page, a receipt email and a history line', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'national', { amountYen: 152_300n, feeName: '源泉所得税（令和8年3月分）' });
  const id = await payThroughPages(t.deps, client, master, bill, contract.from.id);
  assert.equal(await balanceOf(t.db, contract.from.id), 1_000_000n - 152_300n);
  const payment = await t.db.selectFrom('payment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(payment.amount_yen, 152_300n);
  assert.ok(payment.entry_id !== null);
  const entry = await t.db.selectFrom('journal_entry').selectAll().where('id', '=', payment.entry_id).executeTakeFirstOrThrow();
  assert.equal(entry.kind, 'payment');
  const postings = await t.db.selectFrom('posting').innerJoin('ledger_account', 'ledger_account.id', 'posting.ledger_account_id').select(['ledger_account.kind', 'posting.amount_yen']).where('entry_id', '=', entry.id).execute();
  assert.deepEqual(postings.map((p) => [p.kind, p.amount_yen]).sort(), [['clearing', 152_300n], ['customer', -152_300n]]);
  const registry = await t.db.selectFrom('pay_easy_bill').select(['paid_at', 'paid_receipt_number']).where('number', '=', bill.number).executeTakeFirstOrThrow();
  assert.ok(registry.paid_at, 'the biller has the bill paid');
  assert.equal(registry.paid_receipt_number, payment.receipt_number);
  assert.ok('emailOtp' in payment.protections, 'R9.1: the email one-time password is kept with the payment');

  const receipt = await client.get(`/pay-easy/payments/${id.toString()}?done=paid`);
  assert.equal(receipt.statusCode, 200);
  assert.match(receipt.body, new RegExp(`<strong id="receipt-number">${payment.receipt_number}</strong>`));
  assert.match(receipt.body, /<span id="fee-name">源泉所得税（令和8年3月分）<\/span>/);
  assert.match(receipt.body, /<strong id="paid-amount">152,300円<\/strong>/);
  assert.match(receipt.body, /id="paid-notice"/);
  const [mail] = await receiptsTo(t.deps, master.email);
  assert.ok(mail, 'the receipt is emailed');
  for (const shown of [`受付番号: ${payment.receipt_number}`, '国庫金（テスト税務署）', '料金名: 源泉所得税（令和8年3月分）', '払込金額: 152,300円', '払込日時: 2026年4月1日（水） 09:00', 'Paid at: 2026-04-01 (Wed) 09:00']) assert.ok(mail.body.includes(shown), shown);
  const history = await client.get('/pay-easy/payments');
  assert.match(history.body, new RegExp(`data-payment-id="${id.toString()}"`));
  const trail = await t.db.selectFrom('audit_log').select(['action', 'outcome', 'details']).where('action', '=', 'payment.pay').execute();
  assert.equal(trail.filter((r) => r.outcome === 'success').length, 1);

  // A payment older than the history's 100 days drops out of it; its receipt stays.
  await t.db.updateTable('payment').set({ paid_at: new Date(t.deps.clock.now().getTime() - 101 * 86_400_000) }).where('id', '=', id).execute();
  assert.doesNotMatch((await client.get('/pay-easy/payments')).body, new RegExp(`data-payment-id="${id.toString()}"`));
  assert.equal((await client.get(`/pay-easy/payments/${id.toString()}`)).statusCode, 200);
  await assertLedgerClean();
});

test('the amount cannot be altered by a tampered request: a changed draft is refused, an amount sent along is ignored, a bill changed at the biller is refused', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'private', { amountYen: 23_456n });
  const { draft, key } = await toConfirmation(client, bill, contract.from.id);
  const otp = await paymentCode(t.deps, client, master, draft, key);
  const before = await paymentState(t.deps);
  const flipped = draft.slice(0, -6) + (draft.at(-6) === 'A' ? 'B' : 'A') + draft.slice(-5);
  for (const [label, fields] of [
    ['a draft with a character changed', { draft: flipped }],
    ['a draft sealed for another session, for one yen', { draft: sealDraft(t.deps, 'another-session', { ...openDraft(t.deps, sessionOf(client), draft), bill: { ...openDraft(t.deps, sessionOf(client), draft).bill, amountYen: 1n } }) }],
    ['no draft', { draft: '' }],
  ] as const) {
    const answer = await client.post('/pay-easy/confirm', { ...fields, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp });
    assert.equal(errorCode(answer.body), 'PAY_EASY_DRAFT_INVALID', label);
    assertNoStackTrace(answer);
    assert.deepEqual(await paymentState(t.deps), before, `${label}: nothing posted`);
  }
  // The biller raises the bill after the confirmation page: the payment is refused, nothing posted.
  await t.db.updateTable('pay_easy_bill').set({ amount_yen: 1n }).where('number', '=', bill.number).execute();
  const changed = await client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp });
  assert.equal(errorCode(changed.body), 'PAY_EASY_BILL_CHANGED');
  await t.db.updateTable('pay_easy_bill').set({ amount_yen: 23_456n }).where('number', '=', bill.number).execute();
  const afterChange = await paymentState(t.deps);
  assert.deepEqual(afterChange, before, 'nothing posted');
  // Fields the form does not have are not read: the amount paid is the biller's.
  const id = paidId(await client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp, amount: '1', amountYen: '1', bill: '1' }));
  const payment = await t.db.selectFrom('payment').select('amount_yen').where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(payment.amount_yen, 23_456n);
  assert.equal(await balanceOf(t.db, contract.from.id), 1_000_000n - 23_456n);
  await assertLedgerClean();
});

test('the per-transaction and daily limits refuse a payment over them, with nothing posted; the refusal is in the audit trail', async () => {
  const contract = await moneyContract(t);
  const clerk = await payer(t, contract, { perTransactionLimitYen: 30_000n, dailyLimitYen: 50_000n });
  const over = await addBill(t.deps, 'private', { amountYen: 30_001n });
  await clerk.client.get(`/pay-easy/bill?billerNumber=${over.billerNumber}`);
  const before = await paymentState(t.deps);
  const refused = await clerk.client.post('/pay-easy/bill', billFields(over, contract.from.id));
  assert.equal(errorCode(refused.body), 'PAY_EASY_PER_TRANSACTION_LIMIT');
  assert.deepEqual(await paymentState(t.deps), before);

  await payThroughPages(t.deps, clerk.client, clerk.person, await addBill(t.deps, 'private', { amountYen: 30_000n }), contract.from.id);
  const second = await addBill(t.deps, 'local', { amountYen: 20_001n });
  await clerk.client.get(`/pay-easy/bill?billerNumber=${second.billerNumber}`);
  assert.equal(errorCode((await clerk.client.post('/pay-easy/bill', billFields(second, contract.from.id))).body), 'PAY_EASY_DAILY_LIMIT');

  // A limit lowered between the confirmation page and the payment is judged again at the payment.
  const within = await addBill(t.deps, 'local', { amountYen: 20_000n });
  const { draft, key } = await toConfirmation(clerk.client, within, contract.from.id);
  const otp = await paymentCode(t.deps, clerk.client, clerk.person, draft, key);
  await t.db.updateTable('user_permission').set({ daily_limit_yen: 40_000n }).where('user_ref', '=', clerk.ref).where('business', '=', 'tax_payment').execute();
  const beforePay = await paymentState(t.deps);
  const late = await clerk.client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: clerk.person.confirmationPassword, otp });
  assert.equal(errorCode(late.body), 'PAY_EASY_DAILY_LIMIT');
  assert.deepEqual(await paymentState(t.deps), beforePay);
  const usage = await t.db.selectFrom('daily_usage').select('used_yen').where('user_ref', '=', clerk.ref).where('business', '=', 'tax_payment').executeTakeFirstOrThrow();
  assert.equal(usage.used_yen, 30_000n);
  const trail = await t.db.selectFrom('audit_log').select(['action', 'reason']).where('user_ref', '=', clerk.ref).where('action', 'like', 'payment.%').where('outcome', '=', 'failure').orderBy('id').execute();
  assert.deepEqual(trail.map((r) => `${r.action} ${r.reason}`), ['payment.inquire pay_easy_per_transaction_limit', 'payment.inquire pay_easy_daily_limit', 'payment.pay pay_easy_daily_limit']);
  // The permission taken away: the confirmation is refused as well.
  await t.db.deleteFrom('user_permission').where('user_ref', '=', clerk.ref).where('business', '=', 'tax_payment').execute();
  const gone = await clerk.client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: clerk.person.confirmationPassword, otp });
  assert.equal(errorCode(gone.body), 'PAY_EASY_NOT_PERMITTED');
  await assertLedgerClean();
});

test('the email one-time password is required and bound to its payment: none, a wrong one, and one sent for another payment are refused', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const first = await addBill(t.deps, 'private', { amountYen: 1_000n });
  const second = await addBill(t.deps, 'private', { amountYen: 2_000n });
  const a = await toConfirmation(client, first, contract.from.id);
  const before = await paymentState(t.deps);
  const pay = (confirmation: { draft: string; key: string }, otp?: string) =>
    client.post('/pay-easy/confirm', { draft: confirmation.draft, idempotencyKey: confirmation.key, confirmationPassword: master.confirmationPassword, ...(otp === undefined ? {} : { otp }) });
  assert.equal(errorCode((await pay(a)).body), 'EMAIL_OTP_NOT_SENT', 'no code sent: refused');
  const codeA = await paymentCode(t.deps, client, master, a.draft, a.key);
  assert.equal(errorCode((await pay(a)).body), 'EMAIL_OTP_FORMAT', 'no code typed: refused');
  assert.equal(errorCode((await pay(a, codeA === '000000' ? '000001' : '000000')).body), 'EMAIL_OTP_WRONG');
  const mail = (await t.db.selectFrom('outbox').select('body').where('recipient', '=', otpAddressOf(master)).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).body;
  assert.ok(mail.includes('テスト電力株式会社') && mail.includes('1,000円'), 'R5.3: the email states the biller and the amount');

  // The code of payment A, entered for payment B: refused, nothing posted.
  t.deps.clock.advanceSeconds(61);
  const b = await toConfirmation(client, second, contract.from.id);
  assert.equal(errorCode((await pay(b, codeA)).body), 'EMAIL_OTP_NOT_SENT');
  const codeB = await paymentCode(t.deps, client, master, b.draft, b.key);
  if (codeA !== codeB) assert.equal(errorCode((await pay(b, codeA)).body), 'EMAIL_OTP_WRONG');
  // A wrong confirmation password is counted towards the stop and pays nothing.
  const failures = (await userRow(t.deps, master)).failed_attempts;
  const wrongPassword = await client.post('/pay-easy/confirm', { draft: b.draft, idempotencyKey: b.key, confirmationPassword: 'Wrong2026pass', otp: codeB });
  assert.equal(errorCode(wrongPassword.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.equal((await userRow(t.deps, master)).failed_attempts, failures + 1);
  assert.deepEqual(await paymentState(t.deps), before, 'nothing posted');

  paidId(await pay(b, codeB));
  paidId(await pay(a, codeA));
  await assertLedgerClean();
});

test('paying the same bill twice posts once: a double submit gets the first receipt, a second tab is told the bill is paid', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'local', { amountYen: 88_000n });
  const tabA = await toConfirmation(client, bill, contract.from.id);
  const tabB = await toConfirmation(client, bill, contract.from.id);
  assert.notEqual(tabA.key, tabB.key, 'each confirmation page has its own key');
  const otpA = await paymentCode(t.deps, client, master, tabA.draft, tabA.key);
  const fields = { draft: tabA.draft, idempotencyKey: tabA.key, confirmationPassword: master.confirmationPassword, otp: otpA };
  const first = paidId(await client.post('/pay-easy/confirm', fields));
  const again = paidId(await client.post('/pay-easy/confirm', fields));
  assert.equal(again, first, 'the retry leads to the first receipt');
  const otpB = await paymentCode(t.deps, client, master, tabB.draft, tabB.key);
  const second = await client.post('/pay-easy/confirm', { draft: tabB.draft, idempotencyKey: tabB.key, confirmationPassword: master.confirmationPassword, otp: otpB });
  assert.equal(errorCode(second.body), 'PAY_EASY_BILL_PAID');
  assert.equal((await t.db.selectFrom('payment').select('id').where('bill_ref', 'like', 'sim-%').where('number', '=', bill.number).execute()).length, 1);
  assert.equal(await balanceOf(t.db, contract.from.id), 1_000_000n - 88_000n);
  assert.equal((await receiptsTo(t.deps, master.email)).length, 1, 'one receipt');
  // The key of a payment made, with another bill's draft: refused.
  const other = await toConfirmation(client, await addBill(t.deps, 'local'), contract.from.id);
  const mismatch = await client.post('/pay-easy/confirm', { draft: other.draft, idempotencyKey: tabA.key, confirmationPassword: master.confirmationPassword, otp: otpA });
  assert.equal(errorCode(mismatch.body), 'PAY_EASY_IDEMPOTENCY_MISMATCH');
  await assertLedgerClean();
});

test('a payment the balance does not cover is refused with nothing posted and the code still good', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'private', { amountYen: 900_000n });
  const { draft, key } = await toConfirmation(client, bill, contract.from.id);
  const otp = await paymentCode(t.deps, client, master, draft, key);
  // Money leaves the account after the confirmation page: the payment's write finds the balance short.
  await payThroughPages(t.deps, client, master, await addBill(t.deps, 'private', { amountYen: 200_000n }), contract.from.id);
  const before = await paymentState(t.deps);
  const short = await client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp });
  assert.equal(errorCode(short.body), 'PAY_EASY_INSUFFICIENT_FUNDS');
  assert.deepEqual(await paymentState(t.deps), before);
  const bills = await t.db.selectFrom('pay_easy_bill').select('paid_at').where('number', '=', bill.number).executeTakeFirstOrThrow();
  assert.equal(bills.paid_at, null, 'the bill stays unpaid at the biller');
  // R5.2: the refusal left the code good for this payment: with the money there, it pays.
  await fund(t.db, contract.from.ledgerAccountId, 100_000n);
  paidId(await client.post('/pay-easy/confirm', { draft, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp }));
  assert.equal(await balanceOf(t.db, contract.from.id), 0n);
  await assertLedgerClean();
});
