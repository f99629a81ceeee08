import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { addBareAccount, addBareContract, addBarePerson } from '../helpers/bare-rows.ts';
import type { Deps } from '../../src/deps.ts';
import type { LiveSession } from '../../src/access/sessions.ts';
import { securityOverview } from '../../src/modules/security-page/service.ts';

/**
 * R7.4, R1.4: the accounts the security page lists for each person are the ones R1.4 lets them use:
 * every open account of the contract for the master, the open ones linked to them for anyone else;
 * never a closed account, nor another contract's, whatever a link says.
 */
let database: TestDatabase;
let deps: Deps;
before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

const ours = '91000000001';
const theirs = '91000000002';

/** The master as their session presents them to the page's use case (which reads no more of it). */
async function masterLive(ref: number): Promise<LiveSession> {
  const user = await deps.db.selectFrom('users').selectAll().where('id', '=', ref).executeTakeFirstOrThrow();
  const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', user.contract_id).executeTakeFirstOrThrow();
  const session = { id: `security-accounts-${ref}`, stage: 'active', user_ref: ref, contract_id: user.contract_id } as LiveSession['session'];
  return { session, user, contract, mayAdminister: true, needsOtpAddress: false, needsTokenActivation: false, heldSteps: [], shownChallenge: undefined };
}

test('the page lists the open accounts of the contract for the master, and the open ones linked to them for a user', async () => {
  for (const id of [ours, theirs]) await addBareContract(deps.db, id);
  const second = await addBareAccount(deps.db, ours, '1100002', { closed: false });
  const first = await addBareAccount(deps.db, ours, '1100001', { closed: false });
  const closed = await addBareAccount(deps.db, ours, '1100003', { closed: true });
  const anotherContracts = await addBareAccount(deps.db, theirs, '2100001', { closed: false });
  const master = await addBarePerson(deps.db, ours, 'master1', 'master');
  const linked = await addBarePerson(deps.db, ours, 'linked1', 'user');
  await addBarePerson(deps.db, ours, 'unlinked1', 'user');
  await deps.db
    .insertInto('user_account')
    .values([second, closed, anotherContracts].map((account_id) => ({ user_ref: linked, account_id })))
    .execute();
  // The master's own links count for nothing more: the master uses every open account anyway.
  await deps.db.insertInto('user_account').values({ user_ref: master, account_id: first }).execute();

  const overview = await securityOverview(deps, await masterLive(master));
  const numbersOf = (userId: string) => overview.people.find((person) => person.userId === userId)!.accounts.map((account) => account.accountNumber);
  assert.deepEqual(numbersOf('master1'), ['1100001', '1100002'], 'the master: every open account, in order');
  assert.deepEqual(numbersOf('linked1'), ['1100002'], 'a user: the open account linked to them, not the closed one nor another contract\'s');
  assert.deepEqual(numbersOf('unlinked1'), [], 'a user without links: none');
});
