import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { activeMaster, startApp, type TestApp } from '../helpers/http-app.ts';
import { addAccounts, addUserWith } from '../users/helpers.ts';
import { statementRowsPerPage } from '../../src/modules/accounts/statement-query.ts';
import { assertRefusedQuery, balanceOf, loggedOn, move, refusal, statementRows } from './support.ts';

/**
 * R8.1 inquiry over HTTP: who sees which account, the balances, a statement's period and pages,
 * and refused query values. The fake clock stands at 2026-04-01 09:00 in Tokyo: today is 2026-04-01.
 */
let database: TestDatabase;
let t: TestApp;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  await t.deps.db.insertInto('own_branch').values({ code: '001', name: '本店', name_kana: 'ﾎﾝﾃﾝ' }).execute();
});
after(async () => {
  await t.app.close();
  await database.drop();
});

/** The rows of the balances page: account id → the balance shown. */
function balancesShown(page: string): Map<number, string> {
  return new Map([...page.matchAll(/<tr data-account-id="(\d+)">[\s\S]*?<td class="amount balance">([^<]*)<\/td>/g)].map((m) => [Number(m[1]), m[2]!]));
}

async function accountNumber(accountId: number): Promise<string> {
  const row = await t.deps.db.selectFrom('account').select('account_number').where('id', '=', accountId).executeTakeFirstOrThrow();
  return row.account_number;
}

test('the balances page lists exactly the open accounts a person may use, each with its ledger balance', async () => {
  const { person: master, client } = await activeMaster(t);
  const [first, second, third, closed] = (await addAccounts(t.deps, master.contractId, 4)) as [number, number, number, number];
  await t.deps.db.updateTable('account').set({ closed_at: t.deps.clock.now() }).where('id', '=', closed).execute();
  await move(t.deps, first, 1_234_567n, '2026-03-10', 'ｹﾞﾝｷﾝ');
  await move(t.deps, second, 500_000n, '2026-03-10', 'ｹﾞﾝｷﾝ');
  await move(t.deps, second, -120_000n, '2026-03-11', 'ｺｳﾌﾘ ﾃﾞﾝｷ');
  const { person: other } = await activeMaster(t);
  const [othersAccount] = (await addAccounts(t.deps, other.contractId, 1)) as [number];
  await move(t.deps, othersAccount, 7_777_777n, '2026-03-10', 'ｹﾞﾝｷﾝ');
  const user = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }], [second]);

  const page = await client.get('/accounts');
  assert.equal(page.statusCode, 200);
  // R1.4: the master may use every open account of the contract, linked or not.
  assert.deepEqual(
    balancesShown(page.body),
    new Map([
      [first, '1,234,567円'],
      [second, '380,000円'],
      [third, '0円'],
    ]),
  );
  assert.equal(await balanceOf(t.deps, second), 380_000n, 'the page shows the ledger balance');
  assert.ok(page.body.includes('本店（001）'), "the branch is named by the bank's own branch table");
  assert.ok(page.body.includes(`href="/accounts/${first}/statement"`), 'each account links to its statement');
  assert.ok(!page.body.includes(await accountNumber(othersAccount)), "another contract's account is not shown");
  assert.ok(!page.body.includes('7,777,777'));

  const userClient = await loggedOn(t.app, user);
  const userPage = await userClient.get('/accounts');
  assert.equal(userPage.statusCode, 200);
  assert.deepEqual(balancesShown(userPage.body), new Map([[second, '380,000円']]), 'a user sees the accounts linked to them only');

  const english = await client.get('/accounts?lang=en');
  assert.ok(english.body.includes('1,234,567 yen') && english.body.includes('Current balance'), 'the page reads in English too');
});

test('a person without the inquiry permission is refused FORBIDDEN on the balances, the statement and the download', async () => {
  const { person: master } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  await move(t.deps, account, 4_321_000n, '2026-03-20', 'ｹﾞﾝｷﾝ');
  const transferOnly = await addUserWith(
    t.deps,
    master.contractId,
    [{ business: 'transfer', register: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 1_000_000n }],
    [account],
  );
  const client = await loggedOn(t.app, transferOnly);
  for (const url of ['/accounts', `/accounts/${account}/statement`, `/accounts/${account}/statement.csv`]) {
    const response = await client.get(url);
    assert.equal(response.statusCode, 403, url);
    assert.equal(refusal(response), 'FORBIDDEN', url);
    assert.ok(!response.body.includes('4,321,000') && !response.body.includes(await accountNumber(account)), `${url} shows nothing of the account`);
  }
  const downloads = await t.deps.db.selectFrom('audit_log').select('id').where('action', '=', 'statement.download').where('contract_id', '=', master.contractId).execute();
  assert.equal(downloads.length, 0, 'nothing was downloaded');
});

test("another contract's account, a closed one, one not linked to the person or no account at all is NOT_FOUND and shows nothing", async () => {
  const { person: master, client } = await activeMaster(t);
  const [mine, unlinked, closed] = (await addAccounts(t.deps, master.contractId, 3)) as [number, number, number];
  await move(t.deps, closed, 10_000n, '2026-03-01', 'ｹﾞﾝｷﾝ');
  await t.deps.db.updateTable('account').set({ closed_at: t.deps.clock.now() }).where('id', '=', closed).execute();
  await move(t.deps, unlinked, 2_468_000n, '2026-03-20', 'ｹﾞﾝｷﾝ');
  const { person: other } = await activeMaster(t);
  const [theirs] = (await addAccounts(t.deps, other.contractId, 1)) as [number];
  await move(t.deps, theirs, 9_876_000n, '2026-03-20', 'ﾋﾐﾂ ﾉ ﾆﾕｳｷﾝ');
  const user = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }], [mine]);
  const userClient = await loggedOn(t.app, user);

  const attempts: [Client, number | string, string][] = [
    [client, theirs, "the master, another contract's account"],
    [client, closed, 'the master, a closed account'],
    [userClient, unlinked, 'a user, an account not linked to them'],
    [userClient, theirs, "a user, another contract's account"],
    ...['abc', '0', '-1', '1.5', '99999999999', '2147483648', '1e3'].map((id): [Client, string, string] => [client, id, `id ${id}`]),
  ];
  for (const [who, id, label] of attempts) {
    for (const url of [`/accounts/${id}/statement`, `/accounts/${id}/statement.csv`, `/accounts/${id}/statement?from=2026-03-01&to=2026-03-31&page=1`]) {
      const response = await who.get(url);
      assert.equal(response.statusCode, 404, `${label}: ${url}`);
      assert.equal(refusal(response), 'NOT_FOUND', `${label}: ${url}`);
      assert.ok(!/9,876,000|2,468,000|ﾋﾐﾂ/.test(response.body), `${label}: ${url} shows nothing`);
    }
  }
  // A link taken away after logon counts at once: permissions are read afresh on every request.
  assert.equal((await userClient.get(`/accounts/${mine}/statement`)).statusCode, 200);
  const { id: userRef } = await t.deps.db.selectFrom('users').select('id').where('contract_id', '=', master.contractId).where('user_id', '=', user.userId).executeTakeFirstOrThrow();
  await t.deps.db.deleteFrom('user_account').where('user_ref', '=', userRef).execute();
  assert.equal((await userClient.get(`/accounts/${mine}/statement`)).statusCode, 404);
});

test('the statement shows the last 30 days by default, oldest first, with withdrawal, deposit and the balance after each line', async () => {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  await move(t.deps, account, 1_000_000n, '2026-02-20', 'ｹﾞﾝｷﾝ');
  await move(t.deps, account, -10_000n, '2026-03-02', 'ｺｳﾌﾘ ﾃﾞﾝｷﾘﾖｳｷﾝ');
  await move(t.deps, account, 250_000n, '2026-03-03', 'ﾌﾘｺﾐ ｶ)ﾃｽﾄｼﾖｳｼﾞ');
  await move(t.deps, account, -40_000n, '2026-03-31', 'ﾔﾁﾝ');
  await move(t.deps, account, 5_000n, '2026-04-01', 'ﾘｿｸ');

  const page = await client.get(`/accounts/${account}/statement`);
  assert.equal(page.statusCode, 200);
  // 30 days up to today, both included: 2026-03-03 … 2026-04-01.
  assert.ok(page.body.includes('value="2026-03-03"') && page.body.includes('value="2026-04-01"'), 'the form shows the default period');
  assert.deepEqual(statementRows(page.body), [
    { date: '2026年3月3日（火）', description: 'ﾌﾘｺﾐ ｶ)ﾃｽﾄｼﾖｳｼﾞ', withdrawal: '', deposit: '250,000', balance: '1,240,000' },
    { date: '2026年3月31日（火）', description: 'ﾔﾁﾝ', withdrawal: '40,000', deposit: '', balance: '1,200,000' },
    { date: '2026年4月1日（水）', description: 'ﾘｿｸ', withdrawal: '', deposit: '5,000', balance: '1,205,000' },
  ]);
  assert.ok(page.body.includes('1,205,000円'), 'the current balance heads the page');
  assert.ok(page.body.includes(`/accounts/${account}/statement.csv?from=2026-03-03&amp;to=2026-04-01&amp;encoding=utf-8`), 'the download is offered for the period shown');

  const earlier = await client.get(`/accounts/${account}/statement?from=2026-02-01&to=2026-03-02`);
  assert.deepEqual(
    statementRows(earlier.body).map((row) => [row.date, row.withdrawal, row.deposit, row.balance]),
    [
      ['2026年2月20日（金）', '', '1,000,000', '1,000,000'],
      ['2026年3月2日（月）', '10,000', '', '990,000'],
    ],
  );
  const fromOnly = await client.get(`/accounts/${account}/statement?from=2026-03-31`);
  assert.deepEqual(statementRows(fromOnly.body).map((row) => row.date), ['2026年3月31日（火）', '2026年4月1日（水）'], 'a period without an end runs to today');
  const oneDay = await client.get(`/accounts/${account}/statement?from=2026-03-31&to=2026-03-31&page=1`);
  assert.deepEqual(statementRows(oneDay.body).map((row) => row.date), ['2026年3月31日（火）']);
  const empty = await client.get(`/accounts/${account}/statement?from=2026-01-01&to=2026-01-31`);
  assert.equal(empty.statusCode, 200);
  assert.ok(empty.body.includes('id="no-lines"') && statementRows(empty.body).length === 0, 'a quiet period says so');
});

test('a long statement is paged fifty lines a page, in ledger order, with links that keep the period', async () => {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  const lines = 2 * statementRowsPerPage + 20;
  for (let i = 1; i <= lines; i++) await move(t.deps, account, BigInt(i), i <= 60 ? '2026-03-10' : '2026-03-11', `ﾆﾕｳｷﾝ ${i}`);
  const base = `/accounts/${account}/statement?from=2026-03-01&to=2026-03-31`;

  const first = await client.get(base);
  const firstRows = statementRows(first.body);
  assert.equal(firstRows.length, statementRowsPerPage);
  assert.deepEqual([firstRows[0]!.description, firstRows.at(-1)!.description], ['ﾆﾕｳｷﾝ 1', `ﾆﾕｳｷﾝ ${statementRowsPerPage}`]);
  assert.equal(firstRows.at(-1)!.balance, ((statementRowsPerPage * (statementRowsPerPage + 1)) / 2).toLocaleString('en-US'), 'each balance follows from the one before');
  assert.ok(first.body.includes(`href="/accounts/${account}/statement?from=2026-03-01&amp;to=2026-03-31&amp;page=2" rel="next"`), 'the next page keeps the period');
  assert.ok(!first.body.includes('rel="prev"'), 'the first page has no previous page');

  const second = await client.get(`${base}&page=2`);
  assert.equal(statementRows(second.body)[0]!.description, `ﾆﾕｳｷﾝ ${statementRowsPerPage + 1}`);
  assert.ok(second.body.includes('rel="prev"') && second.body.includes('rel="next"'));

  const last = await client.get(`${base}&page=3`);
  const lastRows = statementRows(last.body);
  assert.equal(lastRows.length, 20);
  assert.equal(lastRows.at(-1)!.balance, ((lines * (lines + 1)) / 2).toLocaleString('en-US'));
  assert.ok(!last.body.includes('rel="next"'), 'the last page has no next page');

  assertRefusedQuery(await client.get(`${base}&page=4`), 'ACCOUNTS_PAGE_INVALID', 'a page beyond the last');
});

test('bad query values show the statement page again with a message, never a 500 and never lines', async () => {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  await move(t.deps, account, 100_000n, '2026-03-20', 'ｹﾞﾝｷﾝ');
  const cases: [string, string][] = [
    ['page=-1', 'ACCOUNTS_PAGE_INVALID'],
    ['page=abc', 'ACCOUNTS_PAGE_INVALID'],
    ['page=0', 'ACCOUNTS_PAGE_INVALID'],
    ['page=1.5', 'ACCOUNTS_PAGE_INVALID'],
    ['page=01', 'ACCOUNTS_PAGE_INVALID'],
    ['page=9999999999999999999999', 'ACCOUNTS_PAGE_INVALID'],
    ['page=1&page=2', 'ACCOUNTS_PAGE_INVALID'],
    ['page=2', 'ACCOUNTS_PAGE_INVALID'],
    ['from=2026-02-30', 'ACCOUNTS_DATE_INVALID'],
    ['from=2026-03-01&to=2026-13-01', 'ACCOUNTS_DATE_INVALID'],
    ['from=abc', 'ACCOUNTS_DATE_INVALID'],
    ['from=2026/03/01', 'ACCOUNTS_DATE_INVALID'],
    [`from=${encodeURIComponent('２０２６-03-01')}`, 'ACCOUNTS_DATE_INVALID'],
    [`from=${'9'.repeat(5000)}`, 'ACCOUNTS_DATE_INVALID'],
    ['from=2026-03-01&from=2026-03-02', 'ACCOUNTS_DATE_INVALID'],
    ['from=2026-03-31&to=2026-03-01', 'ACCOUNTS_RANGE_ORDER'],
    ['from=2020-01-01&to=2026-04-01', 'ACCOUNTS_RANGE_TOO_LONG'],
    ['from=2025-03-31&to=2026-04-01', 'ACCOUNTS_RANGE_TOO_LONG'],
    ['to=2026-04-02', 'ACCOUNTS_DATE_FUTURE'],
    ['from=2099-01-01&to=2099-01-02', 'ACCOUNTS_DATE_FUTURE'],
  ];
  for (const [query, code] of cases) {
    const response = await client.get(`/accounts/${account}/statement?${query}`);
    assertRefusedQuery(response, code, query);
    // The download takes no page: it makes the same checks of the period.
    if (!query.startsWith('page=')) assertRefusedQuery(await client.get(`/accounts/${account}/statement.csv?${query}`), code, `CSV ${query}`);
  }
  assertRefusedQuery(await client.get(`/accounts/${account}/statement.csv?encoding=latin1`), 'ACCOUNTS_ENCODING_INVALID', 'an unknown encoding');
  // The longest period allowed is a year of days, both ends included (2025-04-01 … 2026-04-01 is 366 days).
  assert.equal((await client.get(`/accounts/${account}/statement?from=2025-04-01&to=2026-04-01`)).statusCode, 200);
  const downloads = await t.deps.db.selectFrom('audit_log').select('id').where('action', '=', 'statement.download').where('contract_id', '=', master.contractId).execute();
  assert.equal(downloads.length, 0, 'a refused download is not a download');
  const shown = await client.get(`/accounts/${account}/statement?from=2026-02-30&to=2026-03-05`);
  assert.ok(shown.body.includes('value="2026-02-30"') && shown.body.includes('aria-invalid="true"'), 'the refused value is shown again, marked');
});

test('without a live session the statement and the download lead to the logon, never to data', async () => {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  await move(t.deps, account, 3_141_592n, '2026-03-20', 'ｹﾞﾝｷﾝ');
  const stranger = new Client(t.app);
  for (const url of [`/accounts/${account}/statement`, `/accounts/${account}/statement.csv`, '/accounts']) {
    const response = await stranger.get(url);
    assert.equal(response.statusCode, 303, url);
    assert.ok(['/status', '/logon'].includes(String(response.headers.location)), url);
    assert.ok(!response.body.includes('3,141,592'));
  }
  // An idle session has ended: the download sends it to the logon, which says why.
  t.deps.clock.advanceSeconds(t.deps.config.sessionIdleSeconds + 1);
  const idle = await client.get(`/accounts/${account}/statement.csv`);
  assert.equal(idle.statusCode, 303);
  assert.equal(idle.headers.location, '/logon?ended=idle', 'admitted like every page: straight to the logon');
  t.deps.clock.set('2026-04-01T00:00:00Z');
});
