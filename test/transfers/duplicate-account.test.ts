import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { createTransfer, quoteTransfer, type Actor, type TransferInput } from '../../src/modules/transfers/service.ts';
import type { Destination } from '../../src/modules/transfers/types.ts';
import { addAccount, addContract, addPerson, newKey, today, type TestAccount } from './fixtures.ts';
import { refused } from './refusals.ts';

/**
 * R8.6: the duplicate check compares the payee's account, whichever way it was given. It is read
 * with the person's permission (decision 0025), where a registered payee's account is read in SQL:
 * a transfer to a payee duplicates one made ad hoc to the same account, and the other way round.
 */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };
let clerk: Actor;
let from: TestAccount;
let payeeId: number;

const account = { bankCode: '0001', branchCode: '001', accountType: 'ordinary' as const, accountNumber: '7654321' };
const adHoc: Destination = { adHoc: { ...account, nameInput: 'ﾔﾏﾀﾞ' } };

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
  const { contractId } = await addContract(deps, 'none');
  from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  clerk = await addPerson(deps, contractId, { register: true }, [from.id]);
  payeeId = (
    await deps.db
      .insertInto('payee')
      .values({ contract_id: contractId, bank_code: account.bankCode, branch_code: account.branchCode, account_type: account.accountType, account_number: account.accountNumber, name_kana: 'ﾔﾏﾀﾞ', status: 'active', created_by: clerk.user.id, created_at: deps.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
after(async () => {
  await database.drop();
});

function input(destination: Destination, amountYen: bigint, separatePayment: boolean): TransferInput {
  return { fromAccountId: from.id, destination, amountYen, executionDate: today, idempotencyKey: newKey(), separatePayment };
}

test('R8.6: a transfer to a registered payee duplicates one made ad hoc to its account, and the other way round', async () => {
  for (const [first, second, amountYen] of [[adHoc, { payeeId }, 1_111n], [{ payeeId }, adHoc, 2_222n]] as const) {
    const { transfer } = await createTransfer(deps, clerk, input(first, amountYen, false));
    const quote = await quoteTransfer(deps, clerk, input(second, amountYen, false));
    assert.equal(quote.duplicateOf?.id, transfer.id);
    await refused(createTransfer(deps, clerk, input(second, amountYen, false)), 'TRANSFER_DUPLICATE_UNCONFIRMED', 'separatePayment');
    // Another amount to the same account is a payment of its own.
    assert.equal((await quoteTransfer(deps, clerk, input(second, amountYen + 1n, false))).duplicateOf, undefined);
  }
});
