import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../helpers/client.ts';
import { appForFile } from '../helpers/http-app.ts';
import { needsPostgres } from '../helpers/database.ts';
import { balanceOf } from '../transfers/fixtures.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addBill, moneyContract, paymentCode, receiptsTo, toConfirmation } from './support.ts';

/**
 * R8.6 where races are real (PostgreSQL): one payment submitted many times at once posts once and
 * every answer is its receipt; two confirmation pages of one bill submitted at once pay it once.
 */
const t = appForFile();
/** Fewer than the seven password attempts a person may have in flight at once (R2.3, src/access/attempts.ts). */
const submissions = 6;

test('[PG] parallel submissions of one payment post once, and each is answered with its receipt', { skip: needsPostgres }, async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'national', { amountYen: 50_000n });
  const { draft, key } = await toConfirmation(client, bill, contract.from.id);
  const otp = await paymentCode(t.deps, client, master, draft, key);
  const fields = { draft, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp };
  const answers = await Promise.all(Array.from({ length: submissions }, () => client.post('/pay-easy/confirm', fields)));
  const locations = new Set(answers.map((answer) => `${answer.statusCode} ${answer.headers.location ?? errorCode(answer.body)}`));
  assert.equal(locations.size, 1, `one answer for all: ${[...locations].join(', ')}`);
  assert.match([...locations][0]!, /^303 \/pay-easy\/payments\/\d+\?done=paid$/);
  assert.equal((await t.db.selectFrom('payment').select('id').where('number', '=', bill.number).execute()).length, 1);
  assert.equal(await balanceOf(t.db, contract.from.id), 1_000_000n - 50_000n);
  assert.equal((await receiptsTo(t.deps, master.email)).length, 1);
  assert.deepEqual((await verifyLedger(t.db)).problems, []);
});

test('[PG] two confirmation pages of one bill submitted at once pay it once; the other is told it is paid', { skip: needsPostgres }, async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const bill = await addBill(t.deps, 'private', { amountYen: 7_000n });
  const tabs = [];
  for (let i = 0; i < 4; i++) {
    const tab = await toConfirmation(client, bill, contract.from.id);
    tabs.push({ ...tab, otp: await paymentCode(t.deps, client, master, tab.draft, tab.key) });
  }
  const answers = await Promise.all(
    tabs.map((tab) => client.post('/pay-easy/confirm', { draft: tab.draft, idempotencyKey: tab.key, confirmationPassword: master.confirmationPassword, otp: tab.otp })),
  );
  assert.equal(answers.filter((answer) => answer.statusCode === 303).length, 1);
  assert.deepEqual(answers.filter((answer) => answer.statusCode !== 303).map((answer) => errorCode(answer.body)), ['PAY_EASY_BILL_PAID', 'PAY_EASY_BILL_PAID', 'PAY_EASY_BILL_PAID']);
  assert.equal(await balanceOf(t.db, contract.from.id), 1_000_000n - 7_000n);
  assert.deepEqual((await verifyLedger(t.db)).problems, []);
});
