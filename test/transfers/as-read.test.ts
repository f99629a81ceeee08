import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { AppError } from '../../src/errors.ts';
import { translator } from '../../src/web/i18n/index.ts';
import { quoteTransfer } from '../../src/modules/transfers/service.ts';
import { statementLines } from '../../src/modules/accounts/repository.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, addPerson, newKey, otherOwnBranchCode, toAccount, today, createAs } from './fixtures.ts';

let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

async function refusalOf(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  assert.fail('refused');
}

test('a refusal over the daily limit states the limit and what is left of today, in Japanese and English; over the per-transaction limit, that limit', async () => {
  const { contractId } = await addContract(deps, 'none');
  const from = await addAccount(deps, contractId, { fundYen: 5_000_000n });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const creator = await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 800_000n, dailyLimitYen: 1_000_000n }, [from.id]);
  await createAs(deps, creator, { fromAccountId: from.id, destination: toAccount(payee), amountYen: 750_000n, executionDate: today, idempotencyKey: newKey() });

  const daily = await refusalOf(quoteTransfer(deps, creator, { fromAccountId: from.id, destination: toAccount(payee), amountYen: 300_000n, executionDate: today }));
  assert.equal(daily.code, 'TRANSFER_DAILY_LIMIT');
  assert.equal(daily.field, 'amount');
  const ja = translator('ja')(daily.messageKey, daily.params);
  assert.ok(ja.includes('1日の振込限度額 1,000,000円を超えます（本日の残り 250,000円）'), ja);
  const en = translator('en')(daily.messageKey, daily.params);
  assert.ok(en.includes('1,000,000 yen') && en.includes('250,000 yen left today'), en);

  // The same refusal from the write itself (house rule 5), with the same figures.
  const written = await refusalOf(createAs(deps, creator, { fromAccountId: from.id, destination: toAccount(payee), amountYen: 300_000n, executionDate: today, idempotencyKey: newKey() }));
  assert.equal(written.code, 'TRANSFER_DAILY_LIMIT');
  assert.deepEqual(written.params, daily.params);

  const single = await refusalOf(quoteTransfer(deps, creator, { fromAccountId: from.id, destination: toAccount(payee), amountYen: 800_001n, executionDate: today }));
  assert.equal(single.code, 'TRANSFER_PER_TRANSACTION_LIMIT');
  assert.ok(translator('ja')(single.messageKey, single.params).includes('1回あたりの振込限度額 800,000円'));
  assert.ok(translator('en')(single.messageKey, single.params).includes('800,000 yen'));
});

test('an outgoing transfer and its fee are two statement lines, 振込 <payee> and 振込手数料, each with the transfer number; the ledger still verifies', async () => {
  const { contractId } = await addContract(deps, 'none');
  const from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const creator = await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 500_000n, dailyLimitYen: 600_000n }, [from.id]);
  const { transfer } = await createAs(deps, creator, { fromAccountId: from.id, destination: toAccount(payee, 'ﾔﾏﾀﾞｼﾖｳｼﾞ'), amountYen: 40_000n, executionDate: today, idempotencyKey: newKey() });
  assert.equal(transfer.fee_yen, 220n);
  const lines = (await statementLines(deps.db, from.ledgerAccountId, today, today, { offset: 0, limit: 50 })).filter((line) => line.transferId === transfer.id);
  assert.deepEqual(lines.map((line) => [line.description, line.amountYen]), [['振込 ﾔﾏﾀﾞｼﾖｳｼﾞ', -40_000n], ['振込手数料', -220n]]);
  assert.equal(lines[1]!.balanceAfterYen, 1_000_000n - 40_220n, 'the fee line ends on the balance after both');
  assert.equal((await verifyLedger(deps.db)).ok, true);
});

test('a transfer between the company’s own accounts is a 振替 line without a fee line', async () => {
  const { contractId } = await addContract(deps, 'none');
  const from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  const own = await addAccount(deps, contractId, { branchCode: otherOwnBranchCode });
  const creator = await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 500_000n, dailyLimitYen: 600_000n }, [from.id, own.id]);
  const { transfer } = await createAs(deps, creator, { fromAccountId: from.id, destination: toAccount(own), amountYen: 40_000n, executionDate: today, idempotencyKey: newKey() });
  assert.equal(transfer.fee_yen, 0n);
  const lines = (await statementLines(deps.db, from.ledgerAccountId, today, today, { offset: 0, limit: 50 })).filter((line) => line.transferId === transfer.id);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!.description, /^振替 /);
  assert.equal((await verifyLedger(deps.db)).ok, true);
});

test('at entry, a payee name that is not the holder’s of an account at this bank is flagged; the holder’s own name is not', async () => {
  const { contractId, master } = await addContract(deps, 'none');
  const from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const holder = await deps.db.selectFrom('account').select('holder_kana').where('id', '=', payee.id).executeTakeFirstOrThrow();
  const quote = (name: string) => quoteTransfer(deps, master, { fromAccountId: from.id, destination: toAccount(payee, name), amountYen: 1_000n, executionDate: today });
  assert.equal((await quote('ﾍﾞﾂﾉ ﾋﾄ')).holderNameDiffers, true);
  assert.equal((await quote(holder.holder_kana)).holderNameDiffers, false);
});
