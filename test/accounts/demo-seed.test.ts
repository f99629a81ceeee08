import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { seedDemo } from '../../src/operator/demo-seed.ts';
import { demoHistory, demoHistoryDays } from '../../src/operator/demo-accounts-history.ts';
import { demoHolderKana } from '../../src/operator/demo-accounts.ts';
import { addDays } from '../../src/domain/business-days.ts';
import { isZenginKana } from '../../src/domain/zengin-kana.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';

/**
 * R8.1: the demo contract comes with accounts and about three months of history, posted through
 * the ledger; seeding again (a restart) changes nothing. Today is 2026-04-01 in Tokyo.
 */
let database: TestDatabase;
let dataDir: string;
before(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'demo-seed-'));
});
after(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Everything the seed writes, to compare a second run against. */
async function ledgerState() {
  const db = database.db;
  const count = async (table: 'contract' | 'account' | 'user_account' | 'journal_entry' | 'posting' | 'own_branch' | 'audit_log') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const balances = await db.selectFrom('ledger_account').select(['id', 'balance_yen']).orderBy('id').execute();
  return {
    contracts: await count('contract'),
    accounts: await count('account'),
    links: await count('user_account'),
    entries: await count('journal_entry'),
    postings: await count('posting'),
    branches: await count('own_branch'),
    audit: await count('audit_log'),
    balances: balances.map((row) => `${row.id}:${row.balance_yen}`),
  };
}

test('the demo contract has three accounts of the master, whose balances are the sum of their postings, and a second seed changes nothing', async () => {
  const deps = testDeps(database.db, { env: { DATA_DIR: dataDir } });
  const first = await seedDemo(deps);
  assert.equal(first.created, true);
  const contractId = first.credentials!.contractId;
  const contract = await database.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
  assert.equal(contract.approval_mode, 'none', 'R8.5: the demo needs no approval');

  const accounts = await database.db
    .selectFrom('account')
    .innerJoin('ledger_account', 'ledger_account.account_id', 'account.id')
    .select(['account.id', 'account.branch_code', 'account.account_type', 'account.account_number', 'account.holder_kana', 'ledger_account.id as ledger_id', 'ledger_account.balance_yen'])
    .where('account.contract_id', '=', contractId)
    .orderBy('account.id')
    .execute();
  assert.deepEqual(
    accounts.map((a) => [a.branch_code, a.account_type, a.holder_kana]),
    [
      ['001', 'ordinary', demoHolderKana],
      ['001', 'current', demoHolderKana],
      ['002', 'ordinary', demoHolderKana],
    ],
  );
  assert.ok(isZenginKana(demoHolderKana));
  const branches = await database.db.selectFrom('own_branch').selectAll().orderBy('code').execute();
  assert.deepEqual(branches, [
    { code: '001', name: '本店', name_kana: 'ﾎﾝﾃﾝ' },
    { code: '002', name: '駅前支店', name_kana: 'ｴｷﾏｴ' },
  ]);
  const master = await database.db.selectFrom('users').select('id').where('contract_id', '=', contractId).where('role', '=', 'master').executeTakeFirstOrThrow();
  const links = await database.db.selectFrom('user_account').select('account_id').where('user_ref', '=', master.id).orderBy('account_id').execute();
  assert.deepEqual(links.map((l) => l.account_id), accounts.map((a) => a.id), 'the accounts are linked to the master');

  for (const account of accounts) {
    const postings = await database.db
      .selectFrom('posting')
      .innerJoin('journal_entry', 'journal_entry.id', 'posting.entry_id')
      .select(['posting.amount_yen', 'posting.balance_after_yen', 'journal_entry.value_date'])
      .where('posting.ledger_account_id', '=', account.ledger_id)
      .orderBy('posting.id')
      .execute();
    // At least the opening deposit and three months of the account's monthly movements.
    assert.ok(postings.length >= 10, `account ${account.account_number} has a history (${postings.length} lines)`);
    let running = 0n;
    for (const posting of postings) {
      running += posting.amount_yen;
      assert.equal(posting.balance_after_yen, running, 'each line carries the balance after it');
      assert.ok(running >= 0n, 'never overdrawn');
    }
    assert.equal(account.balance_yen, running, `account ${account.account_number}: the balance is the sum of its postings`);
    assert.ok(account.balance_yen > 0n);
    const dates = postings.map((p) => p.value_date);
    assert.deepEqual(dates, [...dates].sort(), 'posted in date order, so the statement reads as a passbook');
    assert.ok(dates[0]! >= addDays('2026-04-01', -demoHistoryDays) && dates[0]! <= '2026-01-06', `the history starts about three months ago (${dates[0]})`);
    assert.ok(dates.at(-1)! <= '2026-04-01' && dates.at(-1)! >= '2026-03-01', `the history runs to recent days (${dates.at(-1)})`);
    if (account.account_type === 'ordinary' && account.branch_code === '001') assert.equal(dates.at(-1), '2026-04-01', 'the history ends today');
  }
  // R8.6: the ledger reconciles: entries balance, balances are their postings, the whole sums to zero.
  const verified = await verifyLedger(database.db);
  assert.deepEqual(verified.problems, []);
  assert.equal(verified.figures.totalYen, 0n);
  assert.equal(verified.figures.customerBalancesYen, accounts.reduce((sum, a) => sum + a.balance_yen, 0n));
  const kinds = await database.db.selectFrom('journal_entry').select('kind').distinct().orderBy('kind').execute();
  assert.deepEqual(kinds.map((k) => k.kind), ['deposit', 'withdrawal']);
  // Transfers between the company's own accounts: one entry, out of one account into another.
  const customerIds = accounts.map((a) => a.ledger_id);
  const ownTransfers = await sql<{ entry_id: bigint }>`
    SELECT entry_id FROM posting WHERE ledger_account_id IN (${sql.join(customerIds)})
    GROUP BY entry_id HAVING count(*) = 2 AND sum(amount_yen) = 0`.execute(database.db);
  assert.ok(ownTransfers.rows.length >= 3, `monthly transfers between the accounts (${ownTransfers.rows.length})`);

  const before = await ledgerState();
  deps.clock.advanceSeconds(3 * 86_400);
  const second = await seedDemo(deps);
  assert.equal(second.created, false);
  assert.deepEqual(second.credentials, first.credentials, 'a restart shows the same credentials');
  assert.deepEqual(await ledgerState(), before, 'a restart seeds nothing again');
});

test('the demo history is the same for the same contract and day, differs between contracts, and is written in Zengin kana', () => {
  const a = demoHistory('12345678901', '2026-04-01');
  assert.deepEqual(demoHistory('12345678901', '2026-04-01'), a);
  assert.notDeepEqual(demoHistory('98765432109', '2026-04-01'), a);
  assert.ok(a.length > 60, `about three months of movements (${a.length})`);
  for (const event of a) {
    assert.ok(isZenginKana(event.movement.description, 48), `${event.movement.description} is half-width kana`);
    if (event.movement.kind === 'own_transfer') for (const text of [event.movement.fromDescription, event.movement.toDescription]) assert.ok(isZenginKana(text, 48), text);
    assert.ok(event.movement.amountYen > 0n);
    assert.ok(event.valueDate <= '2026-04-01' && event.valueDate >= addDays('2026-04-01', -demoHistoryDays));
  }
  const salaries = a.filter((e) => e.movement.description === 'ｷﾕｳﾖ ｿｳﾌﾘ').map((e) => e.valueDate);
  assert.deepEqual(salaries, ['2026-01-23', '2026-02-25', '2026-03-25'], 'salaries on the 25th, or the business day before (2026-01-25 is a Sunday)');
});
