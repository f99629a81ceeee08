import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { bulkFileColumns, type BulkFile, type BulkReturnReason } from '../../db/schema-bulk.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { settleAtOnce, type InterbankBulkRecord } from '../../interbank.ts';
import { bankLedgerShardId } from '../ledger/bank-accounts.ts';
import { customerLedgerAccountId, postJournalEntry } from '../ledger/post.ts';
import { mailBulkResult } from './notices.ts';

/**
 * R8.4: after a file is posted, the records that could not be credited are returned to the paying
 * account one by one [振込不能] — those to an account of this bank that does not exist or is closed,
 * and those the other banks reject through the interbank link — each with an entry of its own that
 * gives the amount and its fee back; every other record is settled, the file completed, the result
 * recorded and mailed, in one transaction. An adapter that throws (the link is down) rolls it back:
 * the file stays posted and the scheduler asks again later.
 */

/** 摘要 of a returned record on the paying account's statement: 振込不能 and the payee. */
const returnedPrefix = 'ﾌﾘｺﾐﾌﾉｳ ';

interface Returned {
  seq: number;
  reason: BulkReturnReason;
}

/** Settles a posted file locked by the caller (or returns undefined when it is no longer posted). */
export async function settleBulkFile(deps: Deps, tx: Tx, fileId: bigint, now: Date): Promise<BulkFile | undefined> {
  const file = await tx.selectFrom('bulk_file').select(bulkFileColumns).where('id', '=', fileId).where('status', '=', 'posted').forUpdate().executeTakeFirst();
  if (!file) return undefined;
  const clearing = await bankLedgerShardId(tx, 'clearing', fileId);
  const own = deps.config.bankCode;

  // This bank's own records that went to clearing: the account does not exist, or is closed.
  const { rows: ownReturns } = await sql<Returned>`
    SELECT r.seq, CASE WHEN EXISTS (
        SELECT 1 FROM account a WHERE a.branch_code = r.branch_code AND a.account_number = r.account_number
          AND a.account_type = CASE r.account_type WHEN '1' THEN 'ordinary' WHEN '2' THEN 'current' WHEN '4' THEN 'savings' END)
      THEN 'account_closed' ELSE 'account_unknown' END AS reason
    FROM bulk_record r
    WHERE r.file_id = ${fileId} AND r.status = 'pending' AND r.bank_code = ${own} AND r.credit_ledger_account_id = ${clearing}::int
    ORDER BY r.seq`.execute(tx);

  const others = await tx
    .selectFrom('bulk_record')
    .select(['seq', 'bank_code', 'branch_code', 'account_type', 'account_number', 'name_kana', 'amount_yen'])
    .where('file_id', '=', fileId)
    .where('status', '=', 'pending')
    .where('bank_code', '<>', own)
    .orderBy('seq')
    .execute();
  const adapter = deps.interbank ?? settleAtOnce;
  const records: InterbankBulkRecord[] = others.map((r) => ({
    seq: r.seq, bankCode: r.bank_code, branchCode: r.branch_code, accountType: r.account_type, accountNumber: r.account_number, nameKana: r.name_kana, amountYen: r.amount_yen,
  }));
  const rejected = others.length === 0 || !adapter.settleBulk ? [] : await adapter.settleBulk(fileId, records);
  const otherSeqs = new Set(others.map((r) => r.seq));
  const returned = [...ownReturns, ...rejected.filter((r) => otherSeqs.has(r.seq))].sort((a, b) => a.seq - b.seq);
  await returnRecords(tx, file, returned, clearing, now);

  await tx.updateTable('bulk_record').set({ status: 'settled' }).where('file_id', '=', fileId).where('status', '=', 'pending').execute();
  const completed = await tx
    .updateTable('bulk_file')
    .set({ status: 'completed', completed_at: now, updated_at: now })
    .where('id', '=', fileId)
    .returning(bulkFileColumns)
    .executeTakeFirstOrThrow();
  const returnedYen = await returnedTotal(tx, fileId);
  await recordAudit(tx, {
    at: now,
    contractId: file.contract_id,
    userRef: null,
    actor: 'system',
    action: 'bulk.settle',
    outcome: 'success',
    details: { bulkFileId: fileId.toString(), records: file.record_count, returned: returned.length, returnedYen: returnedYen.toString() },
  });
  await mailBulkResult(deps, tx, completed, { returnedCount: returned.length, returnedYen }, now);
  return completed;
}

/** One entry per returned record: the amount out of clearing, the fee out of fee income, both back to the paying account. */
async function returnRecords(tx: Tx, file: BulkFile, returned: readonly Returned[], clearing: number, now: Date): Promise<void> {
  if (returned.length === 0) return;
  const source = await customerLedgerAccountId(tx, file.from_account_id);
  const feeIncome = await bankLedgerShardId(tx, 'fee_income', file.id);
  for (const { seq, reason } of returned) {
    const record = await tx.selectFrom('bulk_record').select(['amount_yen', 'fee_yen', 'name_kana']).where('file_id', '=', file.id).where('seq', '=', seq).executeTakeFirstOrThrow();
    const postings = [
      { ledgerAccountId: clearing, amountYen: -record.amount_yen },
      ...(record.fee_yen > 0n ? [{ ledgerAccountId: feeIncome, amountYen: -record.fee_yen }] : []),
      { ledgerAccountId: source, amountYen: record.amount_yen + record.fee_yen },
    ];
    const { entryId } = await postJournalEntry(tx, {
      kind: 'bulk_return',
      bulkFileId: file.id,
      description: (returnedPrefix + record.name_kana).slice(0, 40),
      valueDate: file.payment_date,
      postedAt: now,
      postings,
    });
    await tx.updateTable('bulk_record').set({ status: 'returned', return_reason: reason, return_entry_id: entryId }).where('file_id', '=', file.id).where('seq', '=', seq).execute();
  }
}

async function returnedTotal(tx: Tx, fileId: bigint): Promise<bigint> {
  const row = await tx
    .selectFrom('bulk_record')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<bigint>('amount_yen'), sql<bigint>`0`).as('total'))
    .where('file_id', '=', fileId)
    .where('status', '=', 'returned')
    .executeTakeFirstOrThrow();
  return BigInt(row.total);
}
