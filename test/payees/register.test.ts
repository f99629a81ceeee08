import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../helpers/client.ts';
import { appForFile } from '../helpers/http-app.ts';
import { activePayee } from '../../src/modules/payees/service.ts';
import {
  act,
  auditActions,
  completeEntry,
  loggedOn,
  openReview,
  payeeFields,
  payeeMails,
  payeeRow,
  payeesState,
  payeesWorld,
  registerPayee,
  submitEntry,
} from './support.ts';

/** R8.2 registering, changing and deleting payees, under each approval setting (R8.5). */
const t = appForFile();

test('without approval a payee typed in hiragana is reviewed converted, then active at once, audited and mailed', async () => {
  const world = await payeesWorld(t, 'none');
  const client = await loggedOn(t, world.clerk);
  const entry = await submitEntry(client, '/payees/new', payeeFields({ name: ' やまだ　しょうじ ', accountNumber: '12345' }));
  const review = await openReview(client, entry);
  assert.ok(review.page.body.includes('ﾔﾏﾀﾞ ｼﾖｳｼﾞ'), 'the review shows the Zengin name');
  assert.ok(review.page.body.includes('やまだ　しょうじ'), 'next to the name as typed');
  assert.ok(review.page.body.includes('0012345'), 'the account number padded to seven digits');
  assert.ok(review.page.body.includes('三菱UFJ銀行') && review.page.body.includes('本店'), 'bank and branch named');
  assert.equal(await payeesState(t.deps, world.master.contractId).then((s) => (s as { payees: unknown[] }).payees.length), 0, 'the review registers nothing');

  const done = await client.post(review.action, { draft: review.draft, confirmationPassword: world.clerk.confirmationPassword });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  const id = Number(/\/payees\/(\d+)\?done=registered$/.exec(String(done.headers.location))?.[1]);
  const row = await payeeRow(t.deps, id);
  assert.equal(row.status, 'active');
  assert.equal(row.name_kana, 'ﾔﾏﾀﾞ ｼﾖｳｼﾞ');
  assert.equal(row.account_number, '0012345');
  assert.equal(row.nickname, '山田商事');
  assert.equal(row.approvals_required, 0);
  assert.ok(await activePayee(t.deps.db, world.master.contractId, id), 'a transfer may use it');
  assert.equal(await activePayee(t.deps.db, 'someothercontract', id), undefined, 'but only within its contract');

  const page = await client.get(`/payees/${id}?done=registered`);
  assert.ok(page.body.includes('data-status="active"'));
  const [audit] = await auditActions(t.deps, world.master.contractId, 'payee.');
  assert.equal(audit?.action, 'payee.register');
  assert.equal(audit?.outcome, 'success');
  assert.equal(audit?.details.nameKana, 'ﾔﾏﾀﾞ ｼﾖｳｼﾞ');
  assert.equal(audit?.details.nameTyped, 'やまだ　しょうじ');
  assert.equal((await payeeMails(t.deps, world.clerk.email)).length, 1, 'the registrant is told');
  assert.equal((await payeeMails(t.deps, world.master.email)).length, 1, 'and the master');
  assert.match((await payeeMails(t.deps, world.master.email))[0]!, /ﾔﾏﾀﾞ ｼﾖｳｼﾞ/);
});

test('without approval a change replaces the payee at once; a deletion ends it; both audited and mailed', async () => {
  const world = await payeesWorld(t, 'none');
  const client = await loggedOn(t, world.clerk);
  const { id } = await registerPayee(client, world.clerk);
  const changed = await completeEntry(client, `/payees/${id}/change`, payeeFields({ name: 'ﾔﾏﾀﾞ ｼｮｳｼﾞ ｶ)', accountType: 'current' }), world.clerk.confirmationPassword);
  assert.equal(changed.statusCode, 303, errorCode(changed.body));
  const newId = Number(/\/payees\/(\d+)\?done=changed$/.exec(String(changed.headers.location))?.[1]);
  assert.notEqual(newId, id);
  assert.equal((await payeeRow(t.deps, id)).status, 'replaced');
  const version = await payeeRow(t.deps, newId);
  assert.deepEqual([version.status, version.name_kana, version.account_type, version.replaces_payee_id], ['active', 'ﾔﾏﾀﾞ ｼﾖｳｼﾞ ｶ)', 'current', id]);
  assert.equal(await activePayee(t.deps.db, world.master.contractId, id), undefined, 'the old details are no longer used');

  const deleted = await act(client, newId, 'delete', { confirmationPassword: world.clerk.confirmationPassword });
  assert.equal(deleted.headers.location, `/payees/${newId}?done=deleted`, errorCode(deleted.body));
  assert.equal((await payeeRow(t.deps, newId)).status, 'deleted');
  assert.equal(await activePayee(t.deps.db, world.master.contractId, newId), undefined);
  assert.deepEqual((await auditActions(t.deps, world.master.contractId, 'payee.')).map((a) => a.action), ['payee.register', 'payee.change', 'payee.delete']);
  assert.equal((await payeeMails(t.deps, world.master.email)).length, 3);
  const ended = await client.get('/payees?show=ended');
  assert.ok(ended.body.includes(`data-payee-id="${newId}"`) && ended.body.includes(`data-payee-id="${id}"`), 'ended payees are listed apart');
  assert.ok(!(await client.get('/payees')).body.includes(`data-payee-id="${newId}"`));
});

test('a change with nothing different changes nothing and asks for no password', async () => {
  const world = await payeesWorld(t, 'none');
  const client = await loggedOn(t, world.clerk);
  const { id } = await registerPayee(client, world.clerk);
  const before = await payeesState(t.deps, world.master.contractId);
  // The change form shows the stored Zengin name, which converts to itself.
  const form = await client.get(`/payees/${id}/change`);
  assert.ok(form.body.includes('value="ﾔﾏﾀﾞｼﾖｳｼﾞ"'));
  const same = await client.post(`/payees/${id}/change`, payeeFields({ name: 'ﾔﾏﾀﾞｼﾖｳｼﾞ' }));
  assert.equal(same.headers.location, `/payees/${id}?done=unchanged`);
  assert.deepEqual(await payeesState(t.deps, world.master.contractId), before);
});

test('single approval: a registration waits, is not usable, and one approver other than the registrant activates it', async () => {
  const world = await payeesWorld(t, 'single');
  const clerk = await loggedOn(t, world.clerk);
  const { id, location } = await registerPayee(clerk, world.clerk);
  assert.match(location, /done=registeredPending$/);
  const row = await payeeRow(t.deps, id);
  assert.deepEqual([row.status, row.approvals_required, row.approvals_given], ['pending', 1, 0]);
  assert.equal(await activePayee(t.deps.db, world.master.contractId, id), undefined, 'a pending payee cannot be used');

  const approver = await loggedOn(t, world.approverA);
  const page = await approver.get(`/payees/${id}`);
  assert.ok(page.body.includes(`href="/payees/${id}/approve"`), 'the approver is offered approval');
  const approved = await act(approver, id, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  assert.equal(approved.headers.location, `/payees/${id}?done=approved`, errorCode(approved.body));
  assert.equal((await payeeRow(t.deps, id)).status, 'active');
  assert.ok(await activePayee(t.deps.db, world.master.contractId, id));
  assert.equal((await payeeMails(t.deps, world.clerk.email)).length, 2, 'the registrant hears of the registration and the approval');
  assert.equal((await payeeMails(t.deps, world.approverA.email)).length, 1, 'the approver of the approval');
  assert.deepEqual((await auditActions(t.deps, world.master.contractId, 'payee.')).map((a) => [a.action, a.details.status]), [['payee.register', 'pending'], ['payee.approve', 'active']]);
});

test('double approval: two different approvers are needed; the first cannot count twice', async () => {
  const world = await payeesWorld(t, 'double');
  const clerk = await loggedOn(t, world.clerk);
  const { id } = await registerPayee(clerk, world.clerk);
  const a = await loggedOn(t, world.approverA);
  const first = await act(a, id, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  assert.equal(first.headers.location, `/payees/${id}?done=approvalRecorded`, errorCode(first.body));
  assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_given], ['pending', 1]);
  const again = await a.post(`/payees/${id}/approve`, { confirmationPassword: world.approverA.confirmationPassword });
  assert.equal(errorCode(again.body), 'PAYEES_ALREADY_APPROVED');
  assert.equal((await payeeRow(t.deps, id)).approvals_given, 1);
  const b = await loggedOn(t, world.approverB);
  const second = await act(b, id, 'approve', { confirmationPassword: world.approverB.confirmationPassword });
  assert.equal(second.headers.location, `/payees/${id}?done=approved`, errorCode(second.body));
  assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_given], ['active', 2]);
  const approvals = await t.deps.db.selectFrom('payee_approval').select('approved_by').where('payee_id', '=', id).orderBy('approved_by').execute();
  assert.deepEqual(approvals.map((r) => r.approved_by), [world.approverA.ref, world.approverB.ref]);
});

test('with approval a change waits as a new version; the old details stay in use until it is approved', async () => {
  const world = await payeesWorld(t, 'single');
  const clerk = await loggedOn(t, world.clerk);
  const approver = await loggedOn(t, world.approverA);
  const { id } = await registerPayee(clerk, world.clerk);
  await act(approver, id, 'approve', { confirmationPassword: world.approverA.confirmationPassword });

  const changed = await completeEntry(clerk, `/payees/${id}/change`, payeeFields({ accountNumber: '7654321' }), world.clerk.confirmationPassword);
  const newId = Number(/\/payees\/(\d+)\?done=changedPending$/.exec(String(changed.headers.location))?.[1]);
  assert.ok(newId > id, String(changed.headers.location));
  assert.equal((await payeeRow(t.deps, id)).status, 'active', 'the old details are still used');
  assert.equal((await payeeRow(t.deps, newId)).status, 'pending');
  assert.ok((await clerk.get(`/payees/${id}`)).body.includes(`href="/payees/${newId}"`), 'the payee links its waiting change');

  const secondPage = await clerk.get(`/payees/${id}/change`);
  assert.deepEqual([secondPage.statusCode, errorCode(secondPage.body)], [409, 'PAYEES_CHANGE_PENDING'], 'one change waits at a time');
  const second = await clerk.post(`/payees/${id}/change`, payeeFields({ accountNumber: '1111111' }));
  assert.deepEqual([second.statusCode, errorCode(second.body)], [409, 'PAYEES_CHANGE_PENDING']);

  const approved = await act(approver, newId, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  assert.equal(approved.headers.location, `/payees/${newId}?done=approved`, errorCode(approved.body));
  assert.equal((await payeeRow(t.deps, id)).status, 'replaced');
  assert.equal((await payeeRow(t.deps, newId)).account_number, '7654321');
  assert.ok(await activePayee(t.deps.db, world.master.contractId, newId));
});

test('with approval a deletion is immediate and withdraws a change still waiting', async () => {
  const world = await payeesWorld(t, 'double');
  const clerk = await loggedOn(t, world.clerk);
  const a = await loggedOn(t, world.approverA);
  const b = await loggedOn(t, world.approverB);
  const { id } = await registerPayee(clerk, world.clerk);
  await act(a, id, 'approve', { confirmationPassword: world.approverA.confirmationPassword });
  await act(b, id, 'approve', { confirmationPassword: world.approverB.confirmationPassword });
  assert.equal((await payeeRow(t.deps, id)).status, 'active');
  const changed = await completeEntry(clerk, `/payees/${id}/change`, payeeFields({ nickname: '新しい呼び名' }), world.clerk.confirmationPassword);
  const newId = Number(/\/payees\/(\d+)\?/.exec(String(changed.headers.location))?.[1]);
  const deleted = await act(clerk, id, 'delete', { confirmationPassword: world.clerk.confirmationPassword });
  assert.equal(deleted.headers.location, `/payees/${id}?done=deleted`, errorCode(deleted.body));
  assert.equal((await payeeRow(t.deps, id)).status, 'deleted');
  assert.equal((await payeeRow(t.deps, newId)).status, 'withdrawn');
  const late = await act(b, newId, 'approve', { confirmationPassword: world.approverB.confirmationPassword });
  assert.equal(errorCode(late.body), 'PAYEES_NOT_PENDING');
});

test('without JavaScript the bank and branch are found by name, kana or code and picked by a link', async () => {
  const world = await payeesWorld(t, 'none');
  const client = await loggedOn(t, world.clerk);
  const banks = await client.get(`/payees/new?bankQuery=${encodeURIComponent('みつびし')}`);
  assert.ok(banks.body.includes('href="/payees/new?bankCode=0005"'), 'a hiragana search lists the bank as a link');
  assert.ok(banks.body.includes('ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ'), 'with its kana');
  const picked = await client.get('/payees/new?bankCode=0005');
  assert.ok(picked.body.includes('id="f-bankCode" name="bankCode" type="text" value="0005"'), 'picking fills the code in');
  const branches = await client.get(`/payees/new?bankCode=0005&branchQuery=${encodeURIComponent('ﾎﾝﾃﾝ')}`);
  assert.ok(branches.body.includes('href="/payees/new?bankCode=0005&amp;branchCode=001"'), 'a half-width kana search lists the branch');
  const both = await client.get('/payees/new?bankCode=0005&branchCode=001');
  assert.ok(both.body.includes('name="branchCode" type="text" value="001"'));
  const english = await client.get('/payees/new?bankCode=0005&lang=en');
  assert.ok(english.body.includes('Choose the branch'), 'the page is in English too');
  const none = await client.get(`/payees/new?bankQuery=${encodeURIComponent('存在しない銀行')}`);
  assert.ok(none.body.includes('role="status"'), 'no match is said');
});

test('going back from the review keeps what was typed', async () => {
  const world = await payeesWorld(t, 'none');
  const client = await loggedOn(t, world.clerk);
  const review = await openReview(client, await submitEntry(client, '/payees/new', payeeFields({ name: 'すずき', nickname: '鈴木さん' })));
  const back = /href="(\/payees\/new\?draft=[^"]+)"/.exec(review.page.body)?.[1];
  assert.ok(back);
  const form = await client.get(back.replace(/&amp;/g, '&'));
  assert.ok(form.body.includes('value="すずき"') && form.body.includes('value="鈴木さん"'));
  assert.ok(!back.includes('すずき') && !decodeURIComponent(back).includes('1234567'), 'no payee detail in the address');
});

test('a payee at the bank itself is registered by the bank’s own code and one of its own branches', async () => {
  const world = await payeesWorld(t, 'none');
  await t.deps.db.insertInto('own_branch').values({ code: '321', name: '丸の内支店', name_kana: 'ﾏﾙﾉｳﾁ' }).onConflict((oc) => oc.column('code').doNothing()).execute();
  const client = await loggedOn(t, world.clerk);
  const own = t.deps.config.bankCode;
  const banks = await client.get(`/payees/new?bankQuery=${encodeURIComponent(t.deps.config.bankName)}`);
  assert.ok(banks.body.includes(`href="/payees/new?bankCode=${own}"`), 'the bank itself is found by its name');
  const { id } = await registerPayee(client, world.clerk, { bankCode: own, branchCode: '321', name: 'ﾄﾘﾋｷｻｷ' });
  const page = await client.get(`/payees/${id}`);
  assert.ok(page.body.includes('丸の内支店') && page.body.includes(t.deps.config.bankName));
  const unknown = await submitEntry(client, '/payees/new', payeeFields({ bankCode: own, branchCode: '322' }));
  assert.equal(errorCode(unknown.body), 'PAYEES_BRANCH_INVALID', 'a branch the bank does not have is refused');
});
