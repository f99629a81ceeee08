import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bankLedgerShards } from '../../src/modules/ledger/bank-accounts.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import type { Db } from '../../src/db/open.ts';
import { bankLedgerAccountId, InsufficientFundsError, postJournalEntry } from '../../src/modules/ledger/post.ts';
import { addAccount, addContract, balanceOf, deposit, type LedgerTestAccount } from './fixtures.ts';

/**
 * House rule 2, checked by the database itself: whatever code writes to the ledger, an entry whose
 * postings do not sum to zero cannot commit, and no posting or entry can be changed or removed.
 */
let database: TestDatabase;
let db: Db;
let a: LedgerTestAccount;
let b: LedgerTestAccount;
before(async () => {
  database = await createTestDatabase();
  db = database.db;
  const contract = await addContract(db);
  a = await addAccount(db, contract.contractId);
  b = await addAccount(db, contract.contractId);
  await deposit(db, a.ledgerAccountId, 10_000n);
});
after(() => database.drop());

const when = new Date('2026-04-01T01:00:00Z');

/** The SQLSTATE of a failed database call, through either driver. */
async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    const code = (error as { code?: string }).code;
    assert.ok(code, `a database error with a code, got ${String(error)}`);
    return code;
  }
  assert.fail('the database accepted it');
}

async function counts() {
  const row = await sql<{ entries: bigint; postings: bigint }>`
    SELECT (SELECT count(*) FROM journal_entry) AS entries, (SELECT count(*) FROM posting) AS postings`.execute(db);
  return row.rows[0]!;
}

test('every account gets its ledger account, including accounts inserted by anyone later, and the bank has its own', async () => {
  const rows = await sql<{ missing: bigint }>`
    SELECT count(*) AS missing FROM account a WHERE NOT EXISTS (SELECT 1 FROM ledger_account la WHERE la.account_id = a.id AND la.kind = 'customer')`.execute(db);
  assert.equal(rows.rows[0]!.missing, 0n);
  const bank = await sql<{ kind: string; rows: bigint }>`SELECT kind, count(*) AS rows FROM ledger_account WHERE kind <> 'customer' GROUP BY kind ORDER BY kind`.execute(db);
  assert.deepEqual(bank.rows.map((r) => [r.kind, Number(r.rows)]), [['cash', 1], ['clearing', bankLedgerShards], ['fee_income', bankLedgerShards]]);
});

test('an entry whose postings do not sum to zero is refused, leaving nothing behind', async () => {
  const before = await counts();
  const code = await refusal(() =>
    db.transaction().execute(async (tx) => {
      const entry = await tx
        .insertInto('journal_entry')
        .values({ kind: 'deposit', description: 'ﾃｽﾄ', value_date: '2026-04-01', posted_at: when })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('posting')
        .values([
          { entry_id: entry.id, ledger_account_id: a.ledgerAccountId, amount_yen: 500n, balance_after_yen: 10_500n },
          { entry_id: entry.id, ledger_account_id: b.ledgerAccountId, amount_yen: -400n, balance_after_yen: -400n },
        ])
        .execute();
    }),
  );
  assert.equal(code, '23514');
  assert.deepEqual(await counts(), before);
});

test('an entry with a single posting or none is refused', async () => {
  for (const amounts of [[], [700n]]) {
    const code = await refusal(() =>
      db.transaction().execute(async (tx) => {
        const entry = await tx
          .insertInto('journal_entry')
          .values({ kind: 'deposit', description: 'ﾃｽﾄ', value_date: '2026-04-01', posted_at: when })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const amount of amounts) {
          await tx.insertInto('posting').values({ entry_id: entry.id, ledger_account_id: a.ledgerAccountId, amount_yen: amount, balance_after_yen: 0n }).execute();
        }
      }),
    );
    assert.equal(code, '23514', `${amounts.length} posting(s)`);
  }
});

test('a posting added later to a balanced entry is refused', async () => {
  const entryId = await deposit(db, a.ledgerAccountId, 100n);
  const code = await refusal(() =>
    db.insertInto('posting').values({ entry_id: entryId, ledger_account_id: b.ledgerAccountId, amount_yen: 100n, balance_after_yen: 100n }).execute(),
  );
  assert.equal(code, '23514');
});

test('postings and entries cannot be updated, deleted or truncated', async () => {
  const entryId = await deposit(db, a.ledgerAccountId, 100n);
  const statements = [
    sql`UPDATE posting SET amount_yen = amount_yen * 2 WHERE entry_id = ${entryId}`,
    sql`UPDATE posting SET balance_after_yen = 0 WHERE entry_id = ${entryId}`,
    sql`DELETE FROM posting WHERE entry_id = ${entryId}`,
    sql`UPDATE journal_entry SET description = 'ｶｲｻﾞﾝ' WHERE id = ${entryId}`,
    sql`DELETE FROM journal_entry WHERE id = ${entryId}`,
    sql`TRUNCATE posting`,
    sql`TRUNCATE journal_entry CASCADE`,
  ];
  const before = await counts();
  for (const statement of statements) {
    assert.equal(await refusal(() => statement.execute(db)), '42501', statement.compile(db).sql);
  }
  assert.deepEqual(await counts(), before);
});

test('postJournalEntry refuses an unbalanced entry before writing anything', async () => {
  const before = await counts();
  await assert.rejects(
    db.transaction().execute((tx) =>
      postJournalEntry(tx, {
        kind: 'deposit',
        description: 'ﾃｽﾄ',
        valueDate: '2026-04-01',
        postedAt: when,
        postings: [
          { ledgerAccountId: a.ledgerAccountId, amountYen: 1n },
          { ledgerAccountId: b.ledgerAccountId, amountYen: 1n },
        ],
      }),
    ),
    /sum to 2 yen/,
  );
  assert.deepEqual(await counts(), before);
});

test('a posting that would take a customer account below zero writes nothing and names the account', async () => {
  const before = await counts();
  const balanceA = await balanceOf(db, a.ledgerAccountId);
  const balanceB = await balanceOf(db, b.ledgerAccountId);
  const fee = await bankLedgerAccountId(db, 'fee_income');
  const feeBefore = await balanceOf(db, fee);
  // The transaction goes on after the refusal (as a transfer marked failed does) and commits.
  const error = await db.transaction().execute(async (tx) => {
    try {
      await postJournalEntry(tx, {
        kind: 'deposit',
        description: 'ﾃｽﾄ',
        valueDate: '2026-04-01',
        postedAt: when,
        postings: [
          { ledgerAccountId: fee, amountYen: 5n },
          { ledgerAccountId: b.ledgerAccountId, amountYen: balanceA + 1n },
          { ledgerAccountId: a.ledgerAccountId, amountYen: -(balanceA + 6n) },
        ],
      });
    } catch (caught) {
      return caught;
    }
    return undefined;
  });
  assert.ok(error instanceof InsufficientFundsError);
  assert.equal(error.ledgerAccountId, a.ledgerAccountId);
  assert.deepEqual(await counts(), before);
  assert.equal(await balanceOf(db, a.ledgerAccountId), balanceA);
  assert.equal(await balanceOf(db, b.ledgerAccountId), balanceB);
  assert.equal(await balanceOf(db, fee), feeBefore);
});

test('each posting records the balance just after it, also when one account appears twice', async () => {
  const start = await balanceOf(db, b.ledgerAccountId);
  const cash = await bankLedgerAccountId(db, 'cash');
  const { entryId } = await db.transaction().execute((tx) =>
    postJournalEntry(tx, {
      kind: 'deposit',
      description: 'ﾃｽﾄ',
      valueDate: '2026-04-01',
      postedAt: when,
      postings: [
        { ledgerAccountId: b.ledgerAccountId, amountYen: 300n },
        { ledgerAccountId: cash, amountYen: -500n },
        { ledgerAccountId: b.ledgerAccountId, amountYen: 200n, description: 'ﾍﾞﾂ' },
      ],
    }),
  );
  const postings = await db.selectFrom('posting').selectAll().where('entry_id', '=', entryId).orderBy('id').execute();
  assert.deepEqual(
    postings.filter((p) => p.ledger_account_id === b.ledgerAccountId).map((p) => [p.amount_yen, p.balance_after_yen, p.description]),
    [
      [300n, start + 300n, null],
      [200n, start + 500n, 'ﾍﾞﾂ'],
    ],
  );
  assert.equal(await balanceOf(db, b.ledgerAccountId), start + 500n);
});
