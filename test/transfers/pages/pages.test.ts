import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../../helpers/client.ts';
import { logon } from '../../helpers/people.ts';
import { runDueTransfers } from '../../../src/modules/ledger/scheduler.ts';
import { appForFile, assertNoStackTrace, en, ja } from '../../helpers/http-app.ts';
import { balanceOf } from '../fixtures.ts';
import { adHocFields, confirmationOneTimePassword, createThroughPages, draftOf, entriesOf, hiddenValue, moneyContract, transfersOf } from './support.ts';

const t = appForFile();

test('R8.2: a transfer entered, quoted and confirmed through the pages is posted once, and its page says so', async () => {
  const contract = await moneyContract(t);
  const { client, master } = contract;
  const form = await client.get('/transfers/new');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<form method="post" action="\/transfers\/new"/);
  assert.match(form.body, new RegExp(`<option value="${contract.from.id}"[^>]*>[^<]*1,000,000円`), 'the account is offered with its balance');
  assert.match(form.body, /name="executionDate" type="date" value="2026-04-01"/, 'today, a business day, is the default date');

  const draft = draftOf(await client.post('/transfers/new', adHocFields(contract, { name: 'てすと　たろう', amount: '12,345' })));
  const confirm = await client.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(confirm.statusCode, 200);
  assert.match(confirm.body, /<span class="kana" id="payee-kana">ﾃｽﾄ ﾀﾛｳ<\/span>/, 'the name typed in hiragana is shown as Zengin kana');
  assert.match(confirm.body, /id="quote-amount">12,345円/);
  assert.match(confirm.body, /id="quote-fee">110円/, 'same bank, another branch, under 30,000 yen');
  assert.match(confirm.body, /id="quote-total">12,455円/);
  assert.equal(hiddenValue(confirm.body, 'idempotencyKey', '/transfers/confirm').length, 32);
  assert.equal(await transfersOf(t.deps, master.contractId).then((rows) => rows.length), 0, 'the quote writes nothing');

  const key = hiddenValue(confirm.body, 'idempotencyKey', '/transfers/confirm');
  // R5.2, R5.3: the confirmation sends the transfer at once, so it asks for the one-time password,
  // with the instruction to compare the email with this page.
  assert.match(confirm.body, /<section class="otp" id="email-otp">[\s\S]*id="otp-compare"/);
  assert.match(confirm.body, /name="otp"/);
  const otp = await confirmationOneTimePassword(t.deps, client, master, draft, key);
  const done = await client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: master.confirmationPassword, otp });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  const [transfer] = await transfersOf(t.deps, master.contractId);
  assert.ok(transfer);
  assert.equal(done.headers.location, `/transfers/${transfer.id}?done=created`);
  assert.equal(transfer.status, 'completed');
  assert.equal(transfer.to_name_kana, 'ﾃｽﾄ ﾀﾛｳ');
  assert.equal(await entriesOf(t.deps, transfer.id), 1);
  assert.equal(await balanceOf(t.deps.db, contract.from.id), 1_000_000n - 12_455n);

  const detail = await client.get(String(done.headers.location));
  assert.equal(detail.statusCode, 200);
  assert.match(detail.body, /data-status="completed"/);
  assert.ok(detail.body.includes(ja('transferPages.done.created', { id: transfer.id.toString() })));
  assertNoStackTrace(detail);
});

test('every transfer page is served in Japanese and in English', async () => {
  const contract = await moneyContract(t, 'single');
  const { client, master } = contract;
  const id = await createThroughPages(client, master, adHocFields(contract), t.deps);
  const draft = draftOf(await client.post('/transfers/new', adHocFields(contract)));
  const pages: [string, 'transferPages.new.title' | 'transferPages.confirm.title' | 'transferPages.list.title' | 'approvals.title' | 'transferPages.detail.title'][] = [
    ['/transfers/new', 'transferPages.new.title'],
    [`/transfers/confirm?draft=${draft}`, 'transferPages.confirm.title'],
    ['/transfers', 'transferPages.list.title'],
    // The waiting page of every kind of item (src/modules/approvals/).
    ['/approvals', 'approvals.title'],
    [`/transfers/${id}`, 'transferPages.detail.title'],
  ];
  for (const [path, title] of pages) {
    for (const [lang, translate] of [['ja', ja], ['en', en]] as const) {
      const page = await client.get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
      assert.equal(page.statusCode, 200, `${path} in ${lang}`);
      assert.ok(page.body.includes(`<h1>${translate(title)}</h1>`), `${path} in ${lang} has its title`);
      assert.ok(page.body.includes('<nav class="menu"'), `${path} has the menu`);
      assertNoStackTrace(page);
    }
  }
});

test('a done notice in the address is shown only when it is one the pages give, whatever else is asked', async () => {
  const contract = await moneyContract(t);
  const id = await createThroughPages(contract.client, contract.master, adHocFields(contract), t.deps);
  for (const done of ['constructor', '__proto__', 'toString', 'x'.repeat(5000), '']) {
    const page = await contract.client.get(`/transfers/${id}?done=${encodeURIComponent(done)}`);
    assert.equal(page.statusCode, 200, done.slice(0, 20));
    assert.doesNotMatch(page.body, /<div class="notice" role="status">/, done.slice(0, 20));
    assertNoStackTrace(page);
  }
  const created = await contract.client.get(`/transfers/${id}?done=created`);
  assert.match(created.body, /<div class="notice" role="status">/);
});

test('a scheduled transfer says it waits for its date, and one that failed on its date says why', async () => {
  const contract = await moneyContract(t);
  const later = await createThroughPages(contract.client, contract.master, adHocFields(contract, { amount: '900,000', executionDate: '2026-04-02' }), t.deps);
  const scheduled = await contract.client.get(`/transfers/${later}`);
  assert.match(scheduled.body, /data-status="scheduled"/);
  assert.ok(scheduled.body.includes(ja('transferPages.result.scheduled')));
  await createThroughPages(contract.client, contract.master, adHocFields(contract, { amount: '500,000' }), t.deps);
  // The next morning the scheduler finds the balance short: the transfer fails and says so.
  t.deps.clock.set('2026-04-02T00:30:00Z');
  assert.equal(await runDueTransfers(t.deps), 1);
  const client = new Client(t.app);
  assert.equal((await logon(client, contract.master)).headers.location, '/status');
  const failed = await client.get(`/transfers/${later}`);
  assert.match(failed.body, /data-status="failed"/);
  assert.ok(failed.body.includes(ja('ledger.failure.insufficient_funds')), 'the reason is named in words');
  assert.equal(await entriesOf(t.deps, later), 0, 'nothing was posted');
});
