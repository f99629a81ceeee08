import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { addBareAccount, addBareContract, addBarePerson } from '../helpers/bare-rows.ts';
import { usesAccountSql } from '../../src/modules/users/account-use.ts';
import { personByRef } from '../../src/modules/users/repository.ts';
import { usableAccountIds } from '../../src/modules/transfers/holder.ts';

/**
 * R1.4 is stated twice: in TypeScript (recordsOf's accountIds, what the people pages read) and in
 * SQL (usesAccountSql, what the one-statement reads use: the inquiry, the step holders, the holders
 * of transfers, bulk files and payments, and who a transfer or a file waits for). Both must give the
 * same answer for every person and account, and the right one. usableAccountIds gives the rule's
 * accounts, and with closed ones too (usesAccountSql's `closedToo`) the accounts whose history the
 * person sees.
 */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

const ours = '90000000001';
const theirs = '90000000002';

async function sqlSays(personRef: number, accountId: number, options: { closedToo?: boolean } = {}): Promise<boolean> {
  const { rows } = await sql<{ uses: boolean }>`SELECT ${usesAccountSql('u', 'a', options)} AS uses FROM users u, account a WHERE u.id = ${personRef} AND a.id = ${accountId}`.execute(database.db);
  return rows[0]!.uses;
}

/** The accounts whose transfers the person sees (all of them) and may act on (the open ones only). */
async function usableAccountIdsOf(personRef: number): Promise<{ seen: readonly number[]; open: readonly number[] }> {
  const user = await database.db.selectFrom('users').selectAll().where('id', '=', personRef).executeTakeFirstOrThrow();
  const contract = await database.db.selectFrom('contract').selectAll().where('id', '=', user.contract_id).executeTakeFirstOrThrow();
  const actor = { user, contract, ip: '192.0.2.10' };
  return { seen: await usableAccountIds(database.db, actor), open: await usableAccountIds(database.db, actor, { openOnly: true }) };
}

async function accountIdsTypeScriptGives(personRef: number): Promise<readonly number[]> {
  const record = await personByRef(database.db, ours, personRef);
  assert.ok(record, 'the person is of the contract');
  return record.person.accountIds;
}

test('the SQL form and the TypeScript form of account use give the same, right answers', async () => {
  await addBareContract(database.db, ours);
  await addBareContract(database.db, theirs);
  const open = await addBareAccount(database.db, ours, '1000001', { closed: false });
  const otherOpen = await addBareAccount(database.db, ours, '1000002', { closed: false });
  const closed = await addBareAccount(database.db, ours, '1000003', { closed: true });
  const anotherContracts = await addBareAccount(database.db, theirs, '2000001', { closed: false });
  const master = await addBarePerson(database.db, ours, 'master1', 'master');
  const linked = await addBarePerson(database.db, ours, 'linked1', 'user');
  const unlinked = await addBarePerson(database.db, ours, 'unlinked1', 'user');
  // Links to a closed account and, as a stray row, to another contract's account count for nothing.
  await database.db
    .insertInto('user_account')
    .values([open, closed, anotherContracts].map((account_id) => ({ user_ref: linked, account_id })))
    .execute();

  // Whether the person uses the account, and whether they see its transfers (a closed account's too).
  const cases: [string, number, number, boolean, boolean][] = [
    ['the master, an open account', master, open, true, true],
    ['the master, another open account', master, otherOpen, true, true],
    ['the master, a closed account', master, closed, false, true],
    ["the master, another contract's account", master, anotherContracts, false, false],
    ['a user, an open account linked to them', linked, open, true, true],
    ['a user, an open account not linked to them', linked, otherOpen, false, false],
    ['a user, a closed account linked to them', linked, closed, false, true],
    ["a user, another contract's account linked to them", linked, anotherContracts, false, false],
    ['a user without links, an open account', unlinked, open, false, false],
    ['a user without links, a closed account', unlinked, closed, false, false],
  ];
  const accountIdsOf = new Map<number, readonly number[]>();
  const usableOf = new Map<number, { seen: readonly number[]; open: readonly number[] }>();
  for (const person of [master, linked, unlinked]) {
    accountIdsOf.set(person, await accountIdsTypeScriptGives(person));
    usableOf.set(person, await usableAccountIdsOf(person));
  }
  for (const [what, person, account, uses, sees] of cases) {
    assert.equal(accountIdsOf.get(person)!.includes(account), uses, `TypeScript: ${what}`);
    assert.equal(await sqlSays(person, account), uses, `SQL: ${what}`);
    assert.equal(await sqlSays(person, account, { closedToo: true }), sees, `SQL, closed too: ${what}`);
    assert.equal(usableOf.get(person)!.open.includes(account), uses, `usableAccountIds, open only: ${what}`);
    assert.equal(usableOf.get(person)!.seen.includes(account), sees, `usableAccountIds, closed too: ${what}`);
  }
});
