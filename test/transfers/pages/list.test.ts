import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { errorCode } from '../../helpers/client.ts';
import { assertNoStackTrace, startApp, userRow, type TestApp } from '../../helpers/http-app.ts';
import { type Actor } from '../../../src/modules/transfers/service.ts';
import { newKey, toAccount, createAs } from '../fixtures.ts';
import { adHocFields, createThroughPages, moneyContract, transfersOf, type MoneyContract } from './support.ts';

/** R8.2, R8.5: the list of transfers with its filter and pages, a registered payee in the form, and the code look-up. */
let database: TestDatabase;
let t: TestApp;
let contract: MoneyContract;
let master: Actor;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  contract = await moneyContract(t);
  const user = await userRow(t.deps, contract.master);
  const row = await t.deps.db.selectFrom('contract').selectAll().where('id', '=', contract.master.contractId).executeTakeFirstOrThrow();
  master = { user, contract: row, ip: '192.0.2.1' };
});
after(async () => {
  await t.app.close();
  await database.drop();
});

function rowsOf(page: string): string[] {
  return [...page.matchAll(/<tr data-transfer-id="(\d+)"/g)].map((m) => m[1]!);
}

test('the list shows twenty transfers a page, newest first, filters by status and pages through', async () => {
  // 22 posted today and 3 scheduled for tomorrow.
  for (let i = 0; i < 25; i++) {
    await createAs(t.deps, master, {
      fromAccountId: contract.from.id,
      destination: toAccount(contract.payee),
      amountYen: BigInt(100 + i),
      executionDate: i < 22 ? '2026-04-01' : '2026-04-02',
      idempotencyKey: newKey(),
    });
  }
  const ids = (await transfersOf(t.deps, contract.master.contractId)).map((row) => row.id.toString()).reverse();
  const first = await contract.client.get('/transfers');
  assert.deepEqual(rowsOf(first.body), ids.slice(0, 20));
  assert.match(first.body, /id="transfer-count">25件/);
  assert.match(first.body, /<a href="\/transfers\?page=2" rel="next">/);
  const second = await contract.client.get('/transfers?page=2');
  assert.deepEqual(rowsOf(second.body), ids.slice(20));
  assert.match(second.body, /<a href="\/transfers" rel="prev">/);

  const scheduled = await contract.client.get('/transfers?status=scheduled');
  assert.deepEqual(rowsOf(scheduled.body), ids.slice(0, 3));
  assert.match(scheduled.body, /<option value="scheduled" selected>/);
  assert.equal(rowsOf((await contract.client.get('/transfers?status=withdrawn')).body).length, 0);
  assert.equal(rowsOf((await contract.client.get('/transfers?page=9')).body).length, 0, 'a page beyond the last is empty');
});

test('a bad status or page in the address is refused with its message and the whole list is shown', async () => {
  for (const query of ['status=bogus', 'status=completed&status=failed', 'page=0', 'page=-1', 'page=1.5', 'page=abc', `page=${'9'.repeat(20)}`, 'status=%00']) {
    const page = await contract.client.get(`/transfers?${query}`);
    assert.equal(page.statusCode, 200, query);
    assert.equal(errorCode(page.body), 'TRANSFER_PAGES_FILTER_INVALID', query);
    assert.ok(rowsOf(page.body).length > 0, `${query}: the list is shown unfiltered`);
    assertNoStackTrace(page);
  }
});

test('a registered payee is offered in the form and a transfer to it shows its kana', async () => {
  const payee = await t.deps.db
    .insertInto('payee')
    .values({
      contract_id: contract.master.contractId,
      bank_code: '0999',
      branch_code: contract.payee.branchCode,
      account_type: 'ordinary',
      account_number: contract.payee.accountNumber,
      name_kana: 'ｶ)ﾄﾘﾋｷｻｷ',
      nickname: '取引先',
      status: 'active',
      created_by: master.user.id,
      created_at: t.deps.clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const form = await contract.client.get('/transfers/new');
  assert.match(form.body, new RegExp(`<option value="${payee.id}">取引先（ｶ\\)ﾄﾘﾋｷｻｷ）　デモ銀行 駅前支店 普通 ${contract.payee.accountNumber}</option>`));
  assert.match(form.body, /value="payee" checked/, 'with payees registered, the form starts with them');
  const id = await createThroughPages(contract.client, contract.master, {
    fromAccountId: String(contract.from.id),
    destination: 'payee',
    payeeId: String(payee.id),
    amount: '1,500',
    executionDate: '2026-04-01',
  }, t.deps);
  const transfer = (await transfersOf(t.deps, contract.master.contractId)).find((row) => row.id === id)!;
  assert.equal(transfer.payee_id, payee.id);
  assert.equal(transfer.to_name_kana, 'ｶ)ﾄﾘﾋｷｻｷ');
});

test('bank and branch codes are found by name under the form, and a pick fills them in', async () => {
  const banks = await contract.client.get('/transfers/new?destination=adHoc&bankQuery=' + encodeURIComponent('みずほ'));
  assert.match(banks.body, /<a href="\/transfers\/new\?destination=adHoc&amp;bankCode=0001#code-lookup">0001 みずほ/);
  const branches = await contract.client.get('/transfers/new?destination=adHoc&bankCode=0001&branchQuery=' + encodeURIComponent('東京営業部'));
  assert.match(branches.body, /name="bankCode" type="text" value="0001"/, 'the bank picked is in the form');
  assert.match(branches.body, /bankCode=0001&amp;branchCode=001#code-lookup">001 東京営業部/);
  const picked = await contract.client.get('/transfers/new?destination=adHoc&bankCode=0001&branchCode=001');
  assert.match(picked.body, /name="branchCode" type="text" value="001"/);
  assert.match(picked.body, /value="adHoc" checked/);
  // What the address brings is only a starting point: anything malformed is left out, never an error.
  const odd = await contract.client.get(`/transfers/new?destination=x&bankCode=12345&branchCode=%3Cb%3E&bankQuery=${'a'.repeat(10_000)}`);
  assert.equal(odd.statusCode, 200);
  assert.doesNotMatch(odd.body, /value="12345"|<b>/);
  assertNoStackTrace(odd);
});

test('looking a bank and a branch up from the form keeps everything typed on it, sealed out of the address', async () => {
  await contract.client.get('/transfers/new');
  const sent = await contract.client.post('/transfers/new', adHocFields(contract, { bankCode: '', branchCode: '', accountNumber: '7654321', name: 'ﾔﾏﾀﾞ ｼﾖｳｼﾞ', amount: '１２３，４５６円', do: 'lookup' }));
  assert.equal(sent.statusCode, 303);
  const location = String(sent.headers.location);
  assert.match(location, /^\/transfers\/new\?typed=[A-Za-z0-9._-]+#code-lookup$/);
  assert.doesNotMatch(location, /7654321|ﾔﾏﾀﾞ/, 'the typed values are not in the address in clear');
  const typed = new URL(location, 'https://x').searchParams.get('typed')!;
  const search = await contract.client.get(`/transfers/new?destination=adHoc&typed=${typed}&bankQuery=${encodeURIComponent('みずほ')}`);
  assert.match(search.body, /name="accountNumber" type="text" value="7654321"/);
  const pick = /<a href="(\/transfers\/new\?destination=adHoc&amp;bankCode=0001&amp;typed=[^"]+)">0001 /.exec(search.body)?.[1];
  assert.ok(pick, 'the bank found links back with what was typed');
  const picked = await contract.client.get(pick.replaceAll('&amp;', '&'));
  assert.match(picked.body, /name="bankCode" type="text" value="0001"/);
  assert.match(picked.body, /name="accountNumber" type="text" value="7654321"/);
  assert.match(picked.body, /name="name" type="text" value="ﾔﾏﾀﾞ ｼﾖｳｼﾞ"/);
  assert.match(picked.body, /name="amount" type="text" value="１２３，４５６円"/);
});
