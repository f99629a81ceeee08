import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { addAccount, addContract, insertTransfer } from '../ledger/fixtures.ts';
import { duplicateSql } from '../../src/modules/transfers/duplicate.ts';

/**
 * [PG] R8.6, migration 0018: the duplicate-transfer check of a contract that makes many transfers
 * reads the few alike (same account, amount and date), not every transfer of the contract in the
 * window. With only the contract's index the planner read all 20,000 of them (a sequential scan,
 * 10 ms) for every quote and every creation.
 */
let database: TestDatabase | undefined;
before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
});
after(() => database?.drop());

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

test('the duplicate check of a contract with 20,000 transfers in the window reads only the transfers alike', { skip: needsPostgres }, async () => {
  const db = database!.db;
  const deps = testDeps(db);
  const contract = await addContract(db);
  const from = await addAccount(db, contract.contractId);
  const to = { bankCode: '0001', branchCode: '001', accountNumber: '7654321' };
  const today = '2026-04-01';
  const first = await insertTransfer(db, { contract, from, to, amountYen: 1_000n, executionDate: today });
  await sql`INSERT INTO transfer (contract_id, created_by, idempotency_key, request_hash, from_account_id, payee_id, to_bank_code, to_branch_code,
      to_account_type, to_account_number, to_name_kana, amount_yen, fee_yen, execution_date, status, approvals_required, created_at, updated_at)
    SELECT contract_id, created_by, 'alike-' || lpad(g::text, 12, '0'), request_hash, from_account_id, payee_id, to_bank_code, to_branch_code,
      to_account_type, to_account_number, to_name_kana, amount_yen + g, fee_yen, execution_date, 'completed', approvals_required, ${deps.clock.now()}::timestamptz, updated_at
    FROM transfer, generate_series(1, 20000) g WHERE id = ${first.id}`.execute(db);
  await sql`ANALYZE transfer`.execute(db);

  const question = { fromAccountId: from.accountId, to: { ...to, accountType: 'ordinary' }, amountYen: 5_555n, executionDate: today, requestKeys: [] };
  const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`EXPLAIN (ANALYZE, FORMAT JSON) SELECT ${duplicateSql(deps, contract.contractId, contract.operatorRef, question)} AS earlier`.execute(db);
  const nodes = nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
  const transferScans = nodes.filter((node) => node['Node Type'].includes('Scan'));
  assert.deepEqual(transferScans.map((node) => node['Index Name'] ?? node['Node Type']), ['transfer_alike']);
  assert.ok((transferScans[0]!['Rows Removed by Filter'] ?? 0) < 10, `rows read and left: ${transferScans[0]!['Rows Removed by Filter']}`);
});
