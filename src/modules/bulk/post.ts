import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { bulkFileColumns, type BulkFile } from '../../db/schema-bulk.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { bankLedgerShardId } from '../ledger/bank-accounts.ts';

/**
 * R8.4, R8.6: a sent file is posted on its payment date as one journal entry — the total and the
 * fees out of the source account, each record in to its destination (a payee's account at this bank
 * directly; another bank's through interbank clearing; an account of this bank that does not exist
 * or is closed also to clearing, to be returned at settlement) and the fees to fee income — all or
 * nothing, in the caller's transaction. Four statements whatever the number of records, then the
 * audit record's append:
 *
 * 1. the claim: 'scheduled' → 'posted', only for a file that is due (the gate that posts it once
 *    however many schedulers and retries there are);
 * 2. each record's destination ledger account, set in one UPDATE;
 * 3. the entry's ledger accounts locked in id order — the order of postJournalEntry's, so entries
 *    that share accounts wait instead of deadlocking — and the source's balance judged;
 * 4. the entry, its postings with each account's running balance, and the balances moved, in one
 *    statement. The database checks at its end that the entry balances (migration 0010).
 */
export type PostOutcome = { outcome: 'posted'; file: BulkFile } | { outcome: 'insufficient_funds' | 'source_closed'; file: BulkFile };

/** 摘要 of the entry on the source account's statement, by 種別コード. */
const descriptions: Record<string, string> = { '21': 'ｿｳｺﾞｳﾌﾘｺﾐ', '11': 'ｷﾕｳﾖﾌﾘｺﾐ', '12': 'ｼﾖｳﾖﾌﾘｺﾐ' };
/** 摘要 a payee at this bank sees: 振込 and the sender. */
const receivedPrefix = 'ﾌﾘｺﾐ ';

interface LockedAccount {
  id: number;
  kind: string;
  balance_yen: bigint | string;
}

export async function postBulkFile(deps: Deps, tx: Tx, fileId: bigint, now: Date): Promise<PostOutcome> {
  const claimed = await tx
    .updateTable('bulk_file')
    .set({ status: 'posted', updated_at: now })
    .where('id', '=', fileId)
    .where('status', '=', 'scheduled')
    .where('payment_date', '<=', tokyoDate(now))
    .returning(bulkFileColumns)
    .executeTakeFirst();
  assert.ok(claimed, `bulk file ${fileId} is scheduled and due`);

  const source = await tx
    .selectFrom('account')
    .innerJoin('ledger_account', 'ledger_account.account_id', 'account.id')
    .select(['ledger_account.id as ledgerAccountId', 'account.holder_kana', 'account.closed_at'])
    .where('account.id', '=', claimed.from_account_id)
    .executeTakeFirstOrThrow();
  if (source.closed_at !== null) return { outcome: 'source_closed', file: claimed };
  const clearing = await bankLedgerShardId(tx, 'clearing', fileId);
  const feeIncome = await bankLedgerShardId(tx, 'fee_income', fileId);

  await sql`
    UPDATE bulk_record r SET credit_ledger_account_id = coalesce(
      (SELECT la.id FROM account a JOIN ledger_account la ON la.account_id = a.id
        WHERE r.bank_code = ${deps.config.bankCode} AND a.branch_code = r.branch_code AND a.account_number = r.account_number
          AND a.account_type = CASE r.account_type WHEN '1' THEN 'ordinary' WHEN '2' THEN 'current' WHEN '4' THEN 'savings' END
          AND a.closed_at IS NULL),
      ${clearing}::int)
    WHERE r.file_id = ${fileId}`.execute(tx);

  const { rows: locked } = await sql<LockedAccount>`
    SELECT id, kind, balance_yen FROM ledger_account
    WHERE id IN (SELECT credit_ledger_account_id FROM bulk_record WHERE file_id = ${fileId}) OR id IN (${source.ledgerAccountId}::int, ${feeIncome}::int)
    ORDER BY id FOR UPDATE`.execute(tx);
  const debitYen = claimed.total_yen + claimed.fee_yen;
  const sourceBalance = BigInt(locked.find((row) => row.id === source.ledgerAccountId)!.balance_yen);
  if (sourceBalance < debitYen) return { outcome: 'insufficient_funds', file: claimed };

  const { rows } = await sql<{ entry_id: bigint; posted: bigint | number; moved: bigint | number; accounts: bigint | number }>`
    WITH lines AS (
      SELECT 0 AS ord, ${source.ledgerAccountId}::int AS ledger_account_id, ${-debitYen}::int8 AS amount_yen, NULL::text AS description
      UNION ALL
      SELECT seq, credit_ledger_account_id, amount_yen,
             CASE WHEN credit_ledger_account_id <> ${clearing}::int THEN ${receivedPrefix + source.holder_kana}::text END
      FROM bulk_record WHERE file_id = ${fileId}
      UNION ALL
      SELECT 2147483647, ${feeIncome}::int, ${claimed.fee_yen}::int8, NULL WHERE ${claimed.fee_yen}::int8 > 0
    ),
    running AS (
      SELECT l.ord, l.ledger_account_id, l.amount_yen, l.description,
             la.balance_yen + sum(l.amount_yen) OVER (PARTITION BY l.ledger_account_id ORDER BY l.ord) AS balance_after_yen
      FROM lines l JOIN ledger_account la ON la.id = l.ledger_account_id
    ),
    net AS (SELECT ledger_account_id, sum(amount_yen) AS delta_yen FROM lines GROUP BY ledger_account_id),
    moved AS (
      UPDATE ledger_account la SET balance_yen = la.balance_yen + net.delta_yen
      FROM net WHERE la.id = net.ledger_account_id AND (la.kind <> 'customer' OR la.balance_yen + net.delta_yen >= 0)
      RETURNING la.id
    ),
    entry AS (
      INSERT INTO journal_entry (kind, bulk_file_id, description, value_date, posted_at)
      VALUES ('bulk', ${fileId}, ${descriptions[claimed.type_code]!}, ${claimed.payment_date}::date, ${now}::timestamptz)
      RETURNING id
    ),
    posted AS (
      INSERT INTO posting (entry_id, ledger_account_id, amount_yen, balance_after_yen, description)
      SELECT entry.id, r.ledger_account_id, r.amount_yen, r.balance_after_yen, r.description FROM entry, running r ORDER BY r.ord
      RETURNING 1
    )
    SELECT (SELECT id FROM entry) AS entry_id, (SELECT count(*) FROM posted) AS posted, (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM net) AS accounts`.execute(tx);
  const row = rows[0]!;
  // The accounts were locked and the source judged: a balance not moved is a broken invariant, rolled back.
  assert.equal(Number(row.moved), Number(row.accounts), 'every balance of the entry moved');
  assert.equal(Number(row.posted), claimed.record_count + 1 + (claimed.fee_yen > 0n ? 1 : 0), 'every posting of the entry written');

  const file = await tx.updateTable('bulk_file').set({ entry_id: row.entry_id, updated_at: now }).where('id', '=', fileId).returning(bulkFileColumns).executeTakeFirstOrThrow();
  // R9.1: the bank posted it. Appended after the last ledger lock, so the contract's audit head is
  // locked after the ledger accounts, as everywhere (decision 0026).
  await recordAudit(tx, {
    at: now,
    contractId: file.contract_id,
    userRef: null,
    actor: 'system',
    action: 'bulk.post',
    outcome: 'success',
    details: { bulkFileId: file.id.toString(), entryId: String(row.entry_id), records: file.record_count, totalYen: file.total_yen.toString(), feeYen: file.fee_yen.toString() },
  });
  return { outcome: 'posted', file };
}
