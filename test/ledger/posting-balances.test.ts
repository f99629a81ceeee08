import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { InsufficientFundsError, postJournalEntry } from '../../src/modules/ledger/post.ts';
import { outboxInsert } from '../../src/outbox/enqueue.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, balanceOf, deposit } from './fixtures.ts';

/**
 * Decision 0031: the posting's statement locks the entry's accounts and computes from their
 * balances, in SQL, each posting's balance just after it (postings on one account apply in their
 * order) and whether a customer's account would go below zero. Refused, it writes nothing — not
 * even the caller's write made with it — and InsufficientFundsError names the account.
 */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

const postedAt = new Date('2026-04-01T01:00:00Z');
const email = { contractId: null, recipient: 'someone@example.jp', subject: 'ﾃｽﾄ', body: 'ﾃｽﾄ' };

async function outboxRows(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE recipient = ${email.recipient}`.execute(database.db);
  return rows[0]!.n;
}

test('each posting carries its account\'s balance just after it, postings on one account in their order', async () => {
  const { db } = database;
  const contract = await addContract(db);
  const [paying, payee] = [await addAccount(db, contract.contractId), await addAccount(db, contract.contractId)];
  await deposit(db, paying.ledgerAccountId, 100n);
  await deposit(db, payee.ledgerAccountId, 7n);
  const { entryId, alongsideRows } = await db.transaction().execute((tx) =>
    postJournalEntry(tx, {
      kind: 'deposit',
      description: 'ﾃｽﾄ',
      valueDate: '2026-04-01',
      postedAt,
      postings: [
        { ledgerAccountId: paying.ledgerAccountId, amountYen: -30n },
        { ledgerAccountId: payee.ledgerAccountId, amountYen: 50n },
        { ledgerAccountId: paying.ledgerAccountId, amountYen: -20n },
      ],
    }, { alongside: (posted) => sql`${outboxInsert([email], postedAt, posted)} RETURNING 1` }),
  );
  const lines = await db.selectFrom('posting').select(['ledger_account_id', 'amount_yen', 'balance_after_yen']).where('entry_id', '=', entryId).orderBy('id').execute();
  assert.deepEqual(lines.map((line) => [line.ledger_account_id, BigInt(line.amount_yen), BigInt(line.balance_after_yen)]), [
    [paying.ledgerAccountId, -30n, 70n],
    [payee.ledgerAccountId, 50n, 57n],
    [paying.ledgerAccountId, -20n, 50n],
  ]);
  assert.equal(await balanceOf(db, paying.ledgerAccountId), 50n);
  assert.equal(await balanceOf(db, payee.ledgerAccountId), 57n);
  assert.equal(alongsideRows, 1);
  assert.equal(await outboxRows(), 1);
  assert.deepEqual((await verifyLedger(db)).problems, []);
});

test('an entry that would take a customer\'s account below zero writes nothing, the caller\'s write neither, and names the account', async () => {
  const { db } = database;
  const contract = await addContract(db);
  const [paying, payee] = [await addAccount(db, contract.contractId), await addAccount(db, contract.contractId)];
  await deposit(db, paying.ledgerAccountId, 100n);
  const entriesBefore = await db.selectFrom('journal_entry').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const outboxBefore = await outboxRows();
  const refused = await db.transaction().execute(async (tx) => {
    const error = await postJournalEntry(tx, {
      kind: 'deposit',
      description: 'ﾃｽﾄ',
      valueDate: '2026-04-01',
      postedAt,
      postings: [
        { ledgerAccountId: paying.ledgerAccountId, amountYen: -60n },
        { ledgerAccountId: payee.ledgerAccountId, amountYen: 101n },
        { ledgerAccountId: paying.ledgerAccountId, amountYen: -41n },
      ],
    }, { alongside: (posted) => sql`${outboxInsert([email], postedAt, posted)} RETURNING 1` }).catch((caught: unknown) => caught);
    // The caller's transaction goes on, as the scheduler's does to mark a transfer failed.
    await sql`SELECT 1`.execute(tx);
    return error;
  });
  assert.ok(refused instanceof InsufficientFundsError);
  assert.equal(refused.ledgerAccountId, paying.ledgerAccountId);
  assert.equal(await balanceOf(db, paying.ledgerAccountId), 100n);
  assert.equal(await balanceOf(db, payee.ledgerAccountId), 0n);
  const entriesAfter = await db.selectFrom('journal_entry').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(entriesAfter.n), Number(entriesBefore.n));
  assert.equal(await outboxRows(), outboxBefore);
});
