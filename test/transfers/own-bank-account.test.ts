import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { StatementCounter } from '../helpers/statement-counter.ts';
import { addBareAccount, addBareContract } from '../helpers/bare-rows.ts';
import { ownBankAccountOf, type OwnAccountKey, type OwnBankAccount } from '../../src/modules/transfers/own-bank-account.ts';

/**
 * ownBankAccountOf reads the account an ad hoc destination names by a statement of its own when the
 * person's permission statement did not read it (holder.ts): the open account at this bank with that
 * branch, type and number, never a closed one, and nothing for an account at another bank.
 */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

const contractId = '92000000001';

async function addAccount(accountNumber: string, holderKana: string, closed: boolean): Promise<OwnAccountKey> {
  await addBareAccount(database.db, contractId, accountNumber, { closed, holderKana });
  return { branchCode: '001', accountType: 'ordinary', accountNumber };
}

/** What ownBankAccountOf gives for the destination, and the statements it sent for it. */
async function lookedUp(to: OwnAccountKey & { own: boolean }, known?: { key: OwnAccountKey; account: OwnBankAccount | undefined }) {
  const counter = new StatementCounter();
  const account = await ownBankAccountOf(database.db.withPlugin(counter), to, known);
  return { account, statements: counter.count };
}

test('read alone, the own-bank account of an ad hoc destination is the open account at this bank it names, not a closed one nor another bank\'s', async () => {
  await addBareContract(database.db, contractId, '自行口座商事');
  const open = await addAccount('1200001', 'ｶ)ｼﾞｺｳ', false);
  const closed = await addAccount('1200002', 'ｶ)ﾍｲｻ', true);

  assert.deepEqual(await lookedUp({ ...open, own: true }), { account: { contractId, holderKana: 'ｶ)ｼﾞｺｳ' }, statements: 1 }, 'the open account it names');
  // The permission statement read another account: this one is read now.
  const other = { key: closed, account: undefined };
  assert.deepEqual(await lookedUp({ ...open, own: true }, other), { account: { contractId, holderKana: 'ｶ)ｼﾞｺｳ' }, statements: 1 }, 'read now when another was read before');
  assert.deepEqual(await lookedUp({ ...closed, own: true }), { account: undefined, statements: 1 }, 'a closed account is nobody\'s to pay into');
  assert.deepEqual(await lookedUp({ ...open, accountType: 'current', own: true }), { account: undefined, statements: 1 }, 'the same number of another type is another account');
  assert.deepEqual(await lookedUp({ ...open, own: false }), { account: undefined, statements: 0 }, 'the same branch, type and number at another bank');
});
