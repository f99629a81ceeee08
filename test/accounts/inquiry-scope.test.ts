import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { activeMaster, startApp, type TestApp } from '../helpers/http-app.ts';
import { addAccounts, addUserWith } from '../users/helpers.ts';
import { inquiryBalances } from '../../src/modules/accounts/inquiry-balances.ts';

/**
 * R8.1 with R1.4: the one statement that reads the person, their grant, their links and the
 * balances must see exactly what the separate reads saw — the person's own inquiry grant, their own
 * links, only to open accounts of their own contract — and never more.
 */
let database: TestDatabase;
let t: TestApp;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
});
after(async () => {
  await t.app.close();
  await database.drop();
});

async function refOfMaster(contractId: string): Promise<number> {
  const row = await t.deps.db.selectFrom('users').select('id').where('contract_id', '=', contractId).where('role', '=', 'master').executeTakeFirstOrThrow();
  return row.id;
}

const idsOf = (balances: { id: number }[] | undefined) => balances?.map((balance) => balance.id);

test("the combined inquiry read counts only the person's own grant and own links to open accounts of their contract", async () => {
  const { person: master } = await activeMaster(t);
  const [linked, unlinked, closed] = (await addAccounts(t.deps, master.contractId, 3)) as [number, number, number];
  await t.deps.db.updateTable('account').set({ closed_at: t.deps.clock.now() }).where('id', '=', closed).execute();
  const { person: other } = await activeMaster(t);
  const [theirs] = (await addAccounts(t.deps, other.contractId, 1)) as [number];

  const user = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }], [linked, closed]);
  // A stray link to another contract's account counts for nothing, whatever the row says.
  await t.deps.db.insertInto('user_account').values({ user_ref: user.ref, account_id: theirs }).execute();
  assert.deepEqual(idsOf(await inquiryBalances(t.deps.db, master.contractId, user.ref)), [linked], 'a user: the open linked account of the contract only');

  const unlinkedUser = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }]);
  assert.deepEqual(await inquiryBalances(t.deps.db, master.contractId, unlinkedUser.ref), [], "inquiry without links: no account, and not another person's links");

  const withoutInquiry = await addUserWith(t.deps, master.contractId, [{ business: 'transfer', register: true, perTransactionLimitYen: 1n, dailyLimitYen: 1n }], [linked]);
  assert.equal(await inquiryBalances(t.deps.db, master.contractId, withoutInquiry.ref), undefined, 'linked without inquiry: refused');

  const masterRef = await refOfMaster(master.contractId);
  assert.deepEqual(new Set(idsOf(await inquiryBalances(t.deps.db, master.contractId, masterRef))), new Set([linked, unlinked]), 'the master: every open account of the contract');
  assert.equal(await inquiryBalances(t.deps.db, other.contractId, masterRef), undefined, 'a person asked for under another contract does not exist');
  assert.deepEqual(idsOf(await inquiryBalances(t.deps.db, other.contractId, await refOfMaster(other.contractId))), [theirs], "the other master: their own contract's account only");
});
