import assert from 'node:assert/strict';
import type { Executor } from '../../db/transaction.ts';
import type { BankLedgerAccountCode } from '../../db/schema-ledger.ts';

/**
 * The bank's busy ledger accounts — interbank clearing and fee income — are split into this many
 * rows (migration 0005), so that concurrent transfers do not all queue on one row lock. Their
 * balance is the sum of the rows; cash (deposits) is one row.
 */
export const bankLedgerShards = 16;

export type ShardedBankAccount = Extract<BankLedgerAccountCode, 'clearing' | 'fee_income'>;

/** The row a transfer posts to: its id picks one, so consecutive transfers spread over them all. */
export function bankLedgerShardCode(kind: ShardedBankAccount, transferId: bigint): string {
  const shard = Number(transferId % BigInt(bankLedgerShards));
  return shard === 0 ? kind : `${kind}/${shard}`;
}

/** The ledger account id of the row an item posts to (clearing or fee income, by the item's id). */
export async function bankLedgerShardId(executor: Executor, kind: ShardedBankAccount, itemId: bigint): Promise<number> {
  const row = await executor.selectFrom('ledger_account').select('id').where('code', '=', bankLedgerShardCode(kind, itemId)).executeTakeFirst();
  assert.ok(row, `the bank's ledger account ${bankLedgerShardCode(kind, itemId)} exists`);
  return row.id;
}
