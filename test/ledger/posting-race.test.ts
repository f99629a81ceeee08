import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import type { Db } from '../../src/db/open.ts';
import { transferPostings } from '../../src/domain/ledger.ts';
import { bankLedgerAccountId, InsufficientFundsError, postJournalEntry } from '../../src/modules/ledger/post.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, balanceOf, deposit, type LedgerTestAccount } from './fixtures.ts';

/**
 * House rules 2 and 5 under real concurrency: entries posted at once between the same few accounts,
 * in both directions, with nothing else serialising them (no transfer, no audit record). None may
 * deadlock, none may take an account below zero, and the balances and the postings must agree.
 */
let database: TestDatabase;
let db: Db;
before(async () => {
  database = await createTestDatabase({ poolSize: 12 });
  db = database.db;
});
after(() => database.drop());

const workers = 10;
const entriesPerWorker = 60;
const accountCount = 4;
const openingYen = 10_000n;

test('entries posted at once between a few accounts in both directions never deadlock, overdraw or lose a yen', { skip: needsPostgres }, async () => {
  const contract = await addContract(db);
  const accounts: LedgerTestAccount[] = [];
  for (let i = 0; i < accountCount; i++) {
    const account = await addAccount(db, contract.contractId);
    await deposit(db, account.ledgerAccountId, openingYen);
    accounts.push(account);
  }
  const feeIncome = await bankLedgerAccountId(db, 'fee_income');
  let posted = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; i < entriesPerWorker; i++) {
        const from = accounts[(worker + i) % accountCount]!;
        const to = accounts[(worker + 2 * i + 1) % accountCount]!;
        if (from === to) continue;
        // Large enough that accounts run dry and some entries are refused.
        const amountYen = BigInt(500 + ((worker * 7919 + i * 104_729) % 4_000));
        try {
          await db.transaction().execute((tx) =>
            postJournalEntry(tx, {
              kind: 'deposit',
              description: 'ﾃｽﾄ',
              valueDate: '2026-04-01',
              postedAt: new Date('2026-04-01T01:00:00Z'),
              postings: transferPostings({ sourceLedgerAccountId: from.ledgerAccountId, destinationLedgerAccountId: to.ledgerAccountId, feeIncomeLedgerAccountId: feeIncome, amountYen, feeYen: 110n }),
            }),
          );
          posted++;
        } catch (error) {
          if (!(error instanceof InsufficientFundsError)) throw error;
          assert.equal(error.ledgerAccountId, from.ledgerAccountId);
          refused++;
        }
      }
    }),
  );
  assert.ok(posted > 0 && refused > 0, `${posted} posted, ${refused} refused: both happen`);
  let total = 0n;
  for (const account of accounts) {
    const balance = await balanceOf(db, account.ledgerAccountId);
    assert.ok(balance >= 0n);
    total += balance;
  }
  assert.equal(total + (await balanceOf(db, feeIncome)), openingYen * BigInt(accountCount));
  assert.deepEqual((await verifyLedger(db)).problems, []);
});
