import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon } from '../helpers/people.ts';
import { activeMaster, startApp, type TestApp } from '../helpers/http-app.ts';
import { newStaff, staffLogon, startConsole, type TestConsole } from '../operator/console-support.ts';
import { addUserWith } from '../users/helpers.ts';
import { addAccount } from '../transfers/fixtures.ts';

/**
 * The top page after logon [トップページ]: the bank's notices [お知らせ] within their period and to
 * their target contract only, posted from the console by staff (audited, bad input refused with its
 * code), and the balances of the accounts the person may use only (R8.1).
 */
let database: TestDatabase;
let t: TestApp;
let console_: TestConsole;
let staff: Client;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  console_ = await startConsole(database.db, {}, t.deps);
  staff = await staffLogon(console_, await newStaff(console_.deps, 'recorder', 'notices1'));
});
after(async () => {
  await t.app.close();
  await console_.app.close();
  await database.drop();
});

async function post(fields: Record<string, string>) {
  await staff.get('/operator/notices');
  return staff.post('/operator/notices', fields);
}

const noticeIds = (page: string) => [...page.matchAll(/<li data-notice-id="(\d+)"/g)].map((m) => m[1]!);

test('bank notices are shown only within their period and only to their target contract', async () => {
  // The fake clock starts at 2026-04-01 (Asia/Tokyo).
  const a = await activeMaster(t);
  const b = await activeMaster(t);
  const idOf = async (fields: Record<string, string>) => {
    const answer = await post({ body: '本文', contractId: '', ...fields });
    assert.equal(answer.statusCode, 303, errorCode(answer.body));
    return /posted=(\d+)/.exec(answer.headers.location as string)![1]!;
  };
  const forAll = await idOf({ title: 'システムメンテナンスのお知らせ', shownFrom: '2026-04-01', shownUntil: '2026-04-10' });
  const forA = await idOf({ title: 'ご契約内容のご案内', shownFrom: '2026-03-25', shownUntil: '2026-04-01', contractId: a.person.contractId });
  const past = await idOf({ title: '終了したお知らせ', shownFrom: '2026-03-01', shownUntil: '2026-03-31' });
  const future = await idOf({ title: '予定のお知らせ', shownFrom: '2026-04-02', shownUntil: '2026-04-30' });

  const seenByA = noticeIds((await a.client.get('/status')).body);
  const seenByB = noticeIds((await b.client.get('/status')).body);
  assert.ok(seenByA.includes(forAll) && seenByA.includes(forA), 'A sees the notice to all and its own');
  assert.ok(seenByB.includes(forAll) && !seenByB.includes(forA), 'B sees the notice to all, not A\'s');
  for (const seen of [seenByA, seenByB]) assert.ok(!seen.includes(past) && !seen.includes(future), 'outside its period a notice is not shown');

  const audit = await t.deps.db.selectFrom('audit_log').select(['actor', 'outcome', 'contract_id']).where('action', '=', 'bank_notice.post').execute();
  assert.equal(audit.length, 4, 'every posting is audited');
  assert.ok(audit.every((row) => row.actor === 'staff:notices1' && row.outcome === 'success'));
  assert.equal(audit.filter((row) => row.contract_id === a.person.contractId).length, 1, 'a targeted notice is recorded on its contract');
});

test('the console refuses an empty title, an end before the start and an unknown contract, and posts nothing', async () => {
  const count = async () => Number((await t.deps.db.selectFrom('bank_notice').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = await count();
  const valid = { title: 'お知らせ', body: '', shownFrom: '2026-04-01', shownUntil: '2026-04-02', contractId: '' };
  const cases: [Record<string, string>, string][] = [
    [{ ...valid, title: '   ' }, 'BANK_NOTICE_TITLE_REQUIRED'],
    [{ ...valid, shownFrom: '2026-04-05', shownUntil: '2026-04-04' }, 'BANK_NOTICE_PERIOD_ORDER'],
    [{ ...valid, shownFrom: '2026-02-30' }, 'BANK_NOTICE_DATE_INVALID'],
    [{ ...valid, contractId: '99999999999' }, 'BANK_NOTICE_CONTRACT_UNKNOWN'],
    [{ ...valid, contractId: 'abc' }, 'BANK_NOTICE_CONTRACT_UNKNOWN'],
  ];
  for (const [fields, code] of cases) {
    const answer = await post(fields);
    assert.equal(answer.statusCode, 400, code);
    assert.equal(errorCode(answer.body), code);
  }
  assert.equal(await count(), before, 'nothing was posted');
  const customers = await new Client(t.app).get('/operator/notices');
  assert.equal(customers.statusCode, 404, 'the portal has no console page');
});

test('the top page shows the balances of the accounts the person may use, and no other', async () => {
  const { person } = await activeMaster(t);
  const mine = await addAccount(t.deps, person.contractId, { fundYen: 123_456n });
  const notMine = await addAccount(t.deps, person.contractId, { fundYen: 999n });
  const user = await addUserWith(t.deps, person.contractId, [{ business: 'inquiry' }], [mine.id]);
  const client = new Client(t.app);
  assert.equal((await logon(client, user)).headers.location, '/status');
  const page = (await client.get('/status')).body;
  assert.match(page, new RegExp(`<tr data-account-id="${mine.id}">[\\s\\S]*?data-balance="123456"`));
  assert.doesNotMatch(page, new RegExp(`data-account-id="${notMine.id}"`));

  const noInquiry = await addUserWith(t.deps, person.contractId, [], [mine.id]);
  const other = new Client(t.app);
  assert.equal((await logon(other, noInquiry)).headers.location, '/status');
  assert.doesNotMatch((await other.get('/status')).body, /id="balances"/, 'without inquiry no balances are shown');
});
