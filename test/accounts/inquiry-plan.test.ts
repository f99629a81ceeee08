import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { inquiryBalances } from '../../src/modules/accounts/inquiry-balances.ts';
import { createTestDatabase, needsPostgres } from '../helpers/database.ts';

/**
 * The inquiry runs on the status and statement pages, so it is prepared once per connection and
 * should be planned once too (docs/decisions/0010). PostgreSQL keeps a prepared statement's one
 * plan only when it costs no more than the plans made for each value; when contracts differ in
 * size and the contract's value reaches the estimate of its accounts, the plans made for each
 * value always look cheaper, and the statement is planned anew at every page, at several times
 * the cost of running it (docs/decisions/0035). Data shaped so: one customer with a thousand
 * accounts beside customers with one each, their masters holding inquiry and linked to their
 * account, and the statistics gathered, as autovacuum would.
 */
const customers = 12;
const bigCustomerAccounts = 1_000;

test('the inquiry keeps one plan for every contract however the contracts differ in size', { skip: needsPostgres }, async () => {
  // One connection: prepared statements and their plans belong to the connection.
  const database = await createTestDatabase({ poolSize: 1 });
  const db = database.db;
  try {
    const now = new Date('2026-04-01T00:00:00Z');
    await sql`INSERT INTO contract (id, company_name, lock_mode, created_at)
      SELECT (10000000000 + n)::text, 'ｶｲｼｬ', 'unlinked', ${now} FROM generate_series(0, ${customers}) AS n`.execute(db);
    await sql`INSERT INTO account (contract_id, branch_code, account_type, account_number, holder_kana, opened_at)
      SELECT (10000000000 + n)::text, '001', 'ordinary', (1000000 + n)::text, 'ｶｲｼｬ', ${now} FROM generate_series(1, ${customers}) AS n`.execute(db);
    await sql`INSERT INTO account (contract_id, branch_code, account_type, account_number, holder_kana, opened_at)
      SELECT '10000000000', '001', 'ordinary', (2000000 + n)::text, 'ｵｵｷﾅｶｲｼｬ', ${now} FROM generate_series(1, ${bigCustomerAccounts}) AS n`.execute(db);
    await sql`INSERT INTO users (contract_id, user_id, display_name, role, created_at)
      SELECT (10000000000 + n)::text, 'master' || n, 'ﾏｽﾀｰ', 'master', ${now} FROM generate_series(1, ${customers}) AS n`.execute(db);
    await sql`INSERT INTO user_permission (user_ref, business, can_register, can_approve, can_send)
      SELECT id, 'inquiry', false, false, false FROM users`.execute(db);
    await sql`INSERT INTO user_account (user_ref, account_id) SELECT u.id, a.id FROM users u JOIN account a ON a.contract_id = u.contract_id`.execute(db);
    await sql`ANALYZE`.execute(db);

    const masters = await db.selectFrom('users').select(['id', 'contract_id']).orderBy('id').execute();
    for (const master of masters) {
      const balances = await inquiryBalances(db, master.contract_id, master.id);
      assert.equal(balances?.length, 1, `the master of ${master.contract_id} sees their one account`);
    }

    const { rows } = await sql<{ generic_plans: string; custom_plans: string }>`
      SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%"inquirer"%'`.execute(db);
    assert.equal(rows.length, 1, 'the inquiry ran as one prepared statement');
    const { generic_plans: generic, custom_plans: custom } = rows[0]!;
    // PostgreSQL plans the first five runs for their values, then compares.
    assert.ok(Number(generic) >= customers - 5, `the one plan was kept: ${generic} runs on it, ${custom} planned for their values`);
  } finally {
    await database.drop();
  }
});
