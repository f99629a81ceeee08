import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon } from '../helpers/people.ts';
import { appForFile, assertNoStackTrace } from '../helpers/http-app.ts';
import { assertRefused, commonBadInputs, fullWidth } from '../helpers/bad-input.ts';
import { addUserWith } from '../users/helpers.ts';
import { tokyoDate } from '../../src/domain/business-days.ts';
import { seedDemoBills } from '../../src/modules/pay-easy/collector/demo-bills.ts';
import { simulatedCollector } from '../../src/modules/pay-easy/collector/simulator.ts';
import { addBill, billFields, moneyContract, paymentCode, paymentState, toConfirmation } from './support.ts';
import { buildApp } from '../../src/app.ts';
import type { PaymentCollector } from '../../src/modules/pay-easy/collector/collector.ts';

/**
 * R8.3 at the pages: the biller's number, then the bill's numbers by the biller's kind, answered by
 * the built-in collector — no such bill, already paid, past its due date, or the bill with its
 * biller, fee name and amount — and every bad input answered on the same page, nothing changed.
 */
const t = appForFile();

test('each answer of the biller is shown on the bill page: not found, already paid, expired, and the bill with its biller, fee name and amount', async () => {
  const contract = await moneyContract(t);
  const { client } = contract;
  const due = await addBill(t.deps, 'private', { amountYen: 23_456n, feeName: '電気料金（2026年3月分）' });
  const paid = await addBill(t.deps, 'private', { paid: true });
  const expired = await addBill(t.deps, 'private', { dueInDays: -1 });
  const unknown = { ...due, number: '999999999999' };
  for (const [label, bill, code] of [
    ['not found', unknown, 'PAY_EASY_BILL_NOT_FOUND'],
    ['already paid', paid, 'PAY_EASY_BILL_PAID'],
    ['expired', expired, 'PAY_EASY_BILL_EXPIRED'],
  ] as const) {
    const before = await paymentState(t.deps);
    await client.get(`/pay-easy/bill?billerNumber=${bill.billerNumber}`);
    const answer = await client.post('/pay-easy/bill', billFields(bill, contract.from.id));
    assert.equal(errorCode(answer.body), code, label);
    assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${label}: ${answer.statusCode}`);
    assert.ok(answer.body.includes('<form method="post" action="/pay-easy/bill"'), `${label}: the bill form again`);
    assert.ok(answer.body.includes(`value="${bill.number}"`), `${label}: with the numbers typed`);
    assertNoStackTrace(answer);
    assert.deepEqual(await paymentState(t.deps), before, `${label}: nothing changed`);
  }
  const { page } = await toConfirmation(client, due, contract.from.id);
  assert.match(page, /<span id="biller-name">テスト電力株式会社<\/span>/);
  assert.match(page, /<span id="fee-name">電気料金（2026年3月分）<\/span>/);
  assert.match(page, /<strong id="bill-amount">23,456円<\/strong>/);
  assert.doesNotMatch(page, /name="amount/, 'no field asks for the amount');

  // The public billers ask for 納付番号 and 納付区分 instead of お客様番号.
  const tax = await addBill(t.deps, 'local', { amountYen: 88_000n });
  const form = await client.get(`/pay-easy/bill?billerNumber=${tax.billerNumber}`);
  assert.match(form.body, /納付番号/);
  assert.match(form.body, /name="paymentClass"/);
  const english = await client.get(`/pay-easy/bill?billerNumber=${tax.billerNumber}&lang=en`);
  assert.match(english.body, /Payment number/);
  const privateForm = await client.get(`/pay-easy/bill?billerNumber=${due.billerNumber}&lang=ja`);
  assert.match(privateForm.body, /お客様番号/);
  assert.doesNotMatch(privateForm.body, /name="paymentClass"/);
  assert.match((await toConfirmation(client, tax, contract.from.id)).page, /<strong id="bill-amount">88,000円<\/strong>/);
});

test('the demo seed gives the built-in collector one bill of each answer', async () => {
  const now = t.deps.clock.now();
  await seedDemoBills(t.deps.db, tokyoDate(now), now);
  const collector = simulatedCollector(t.deps.db);
  const today = tokyoDate(now);
  const ask = (billerNumber: string, number: string, confirmationNumber: string, paymentClass = '') => collector.inquire({ billerNumber, number, confirmationNumber, paymentClass }, today);
  const national = await ask('00100', '1001200230034004', '123456', '1');
  assert.ok('bill' in national && national.bill.billerKind === 'national' && national.bill.amountYen === 152_300n);
  const local = await ask('81300', '2100123412341234', '654321', '201');
  assert.ok('bill' in local && local.bill.billerKind === 'local');
  const electricity = await ask('58001', '300012345678', '4321');
  assert.ok('bill' in electricity && electricity.bill.feeName === '電気料金（2026年3月分）');
  assert.deepEqual(await ask('58001', '300012345679', '4321'), { noBill: 'already_paid' });
  assert.deepEqual(await ask('58001', '300012345670', '4321'), { noBill: 'expired' });
  assert.deepEqual(await ask('58001', '300012345678', '9999'), { noBill: 'not_found' });
  assert.equal((await collector.biller('00100'))?.kind, 'national');
  assert.equal(await collector.biller('99999'), undefined);
});

test('bad input on the biller and bill forms is answered on the same page with its own message, nothing changed, never a stack trace', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'national');
  await client.get('/pay-easy');
  await assertRefused(t.deps, client, master, { url: '/pay-easy' }, [
    { label: 'four digits', fields: { billerNumber: '0020' }, code: 'PAY_EASY_BILLER_NUMBER_INVALID', field: 'billerNumber' },
    { label: 'letters', fields: { billerNumber: '00a00' }, code: 'PAY_EASY_BILLER_NUMBER_INVALID', field: 'billerNumber' },
    { label: 'full-width digits', fields: { billerNumber: fullWidth('00200') }, code: 'PAY_EASY_BILLER_NUMBER_INVALID', field: 'billerNumber' },
    { label: 'a biller that does not exist', fields: { billerNumber: '99999' }, code: 'PAY_EASY_BILLER_UNKNOWN', field: 'billerNumber' },
    ...commonBadInputs({ billerNumber: bill.billerNumber }, ['billerNumber']),
  ], paymentState);

  const valid = billFields(bill, contract.from.id);
  await client.get(`/pay-easy/bill?billerNumber=${bill.billerNumber}`);
  await assertRefused(t.deps, client, master, { url: '/pay-easy/bill' }, [
    { label: 'a payment number of 17 digits', fields: { ...valid, number: '1'.repeat(17) }, code: 'PAY_EASY_PAYMENT_NUMBER_INVALID', field: 'number' },
    { label: 'a payment number with letters', fields: { ...valid, number: '12AB' }, code: 'PAY_EASY_PAYMENT_NUMBER_INVALID', field: 'number' },
    { label: 'a confirmation number of 7 digits', fields: { ...valid, confirmationNumber: '1234567' }, code: 'PAY_EASY_CONFIRMATION_NUMBER_INVALID', field: 'confirmationNumber' },
    { label: 'no payment class for a public biller', fields: { ...valid, paymentClass: '' }, code: 'PAY_EASY_PAYMENT_CLASS_INVALID', field: 'paymentClass' },
    { label: 'no account', fields: { ...valid, fromAccountId: '' }, code: 'PAY_EASY_ACCOUNT_REQUIRED', field: 'fromAccountId' },
    { label: 'an account of no one', fields: { ...valid, fromAccountId: '999999999' }, code: 'PAY_EASY_ACCOUNT_NOT_USABLE', field: 'fromAccountId' },
    // Without the biller the form cannot be shown: the biller's form is, below.
    ...commonBadInputs(valid, ['number', 'confirmationNumber', 'paymentClass', 'fromAccountId']).filter((input) => input.label !== 'no fields at all'),
  ], paymentState);
  for (const fields of [{}, { ...valid, billerNumber: '99999' }]) {
    const answer = await client.post('/pay-easy/bill', fields);
    assert.equal(errorCode(answer.body), 'PAY_EASY_BILLER_UNKNOWN');
    assert.ok(answer.body.includes('<form method="post" action="/pay-easy"'), 'the biller number is asked again');
    assertNoStackTrace(answer);
  }
  // Numbers printed in groups are taken as typed.
  const grouped = billFields(bill, contract.from.id, { number: `${bill.number.slice(0, 4)}-${bill.number.slice(4, 8)} ${bill.number.slice(8)}` });
  const answer = await client.post('/pay-easy/bill', grouped);
  assert.equal(answer.statusCode, 303, errorCode(answer.body));
});

test('a person without the permission of tax and fee payments is refused on every page, and the menu still leads to a clear answer', async () => {
  const contract = await moneyContract(t);
  const bill = await addBill(t.deps, 'private');
  const clerk = await addUserWith(t.deps, contract.master.contractId, [{ business: 'inquiry' }], [contract.from.id]);
  const client = new Client(t.app);
  assert.equal((await logon(client, clerk)).headers.location, '/status');
  for (const path of ['/pay-easy', `/pay-easy/bill?billerNumber=${bill.billerNumber}`, '/pay-easy/payments']) {
    const page = await client.get(path);
    assert.equal(page.statusCode, 403, path);
    assert.equal(errorCode(page.body), 'PAY_EASY_NOT_PERMITTED', path);
    assertNoStackTrace(page);
  }
  const before = await paymentState(t.deps);
  await client.get('/status');
  const posted = await client.post('/pay-easy/bill', billFields(bill, contract.from.id));
  assert.equal(posted.statusCode, 403);
  assert.equal(errorCode(posted.body), 'PAY_EASY_NOT_PERMITTED');
  assert.deepEqual(await paymentState(t.deps), before);
  // Someone else's receipt is not found, whoever asks.
  assert.equal((await client.get('/pay-easy/payments/1')).statusCode, 403);
});

test('when the link to the billers fails, the person is told on the page to try again later (503), and nothing is paid', async () => {
  const contract = await moneyContract(t);
  const bill = await addBill(t.deps, 'private');
  const { draft } = await toConfirmation(contract.client, bill, contract.from.id);
  const working = simulatedCollector(t.deps.db);
  let down: 'biller' | 'inquire' | 'collect' | undefined;
  const failing: PaymentCollector = {
    biller: (n) => (down === 'biller' ? Promise.reject(new Error('gateway timeout')) : working.biller(n)),
    inquire: (q, today) => (down === 'inquire' ? Promise.reject(new Error('gateway timeout')) : working.inquire(q, today)),
    collect: (tx, b, p) => (down === 'collect' ? Promise.reject(new Error('gateway timeout')) : working.collect(tx, b, p)),
  };
  const app = await buildApp(t.deps, { logger: false, paymentCollector: failing });
  try {
    const client = new Client(app);
    for (const [name, value] of contract.client.cookies) client.cookies.set(name, value);
    for (const where of ['biller', 'inquire'] as const) {
      down = where;
      const before = await paymentState(t.deps);
      await client.get('/pay-easy');
      const answer = where === 'biller' ? await client.post('/pay-easy', { billerNumber: bill.billerNumber }) : await client.post('/pay-easy/bill', billFields(bill, contract.from.id));
      assert.equal(answer.statusCode, 503, where);
      assert.equal(errorCode(answer.body), 'PAY_EASY_COLLECTOR_UNAVAILABLE', where);
      assert.match(answer.body, /しばらくしてからもう一度お試しください/);
      assertNoStackTrace(answer);
      assert.deepEqual(await paymentState(t.deps), before, `${where}: nothing changed`);
    }
    // At the payment itself: the transaction that would post it rolls back, and the code is not spent.
    down = undefined;
    await client.get(`/pay-easy/confirm?draft=${draft}`);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(client.lastPage)![1]!;
    const otp = await paymentCode(t.deps, client, contract.master, draft, key);
    down = 'collect';
    const before = await paymentState(t.deps);
    const paying = { draft, idempotencyKey: key, confirmationPassword: contract.master.confirmationPassword, otp };
    const refused = await client.post('/pay-easy/confirm', paying);
    assert.equal(refused.statusCode, 503);
    assert.equal(errorCode(refused.body), 'PAY_EASY_COLLECTOR_UNAVAILABLE');
    assert.deepEqual(await paymentState(t.deps), before, 'collect: nothing paid');
    down = undefined;
    assert.equal((await client.post('/pay-easy/confirm', paying)).statusCode, 303, 'paid once the link is back, with the same code');
  } finally {
    await app.close();
  }
});
