import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Tx } from '../../db/transaction.ts';
import type { ResultEmailTo, Role } from '../../db/schema.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { bankLedgerShardCode } from './bank-accounts.ts';

/** A person the result of a transfer may be mailed to (R7.3). */
export interface ResultRecipient {
  id: number;
  role: Role;
  email: string | null;
}

/** A claimed transfer with everything its execution needs, read in the claiming statement. */
export interface ClaimedTransfer {
  transfer: Transfer;
  source: { ledgerAccountId: number; closed: boolean; holderKana: string; branchCode: string; accountType: Transfer['to_account_type']; accountNumber: string };
  /** The payee's account when it is at this bank and exists (closed or not); null otherwise. */
  destination: { ledgerAccountId: number; closed: boolean; sameContract: boolean } | null;
  ownBranchName: string | null;
  clearingLedgerAccountId: number;
  feeIncomeLedgerAccountId: number;
  companyName: string;
  resultEmailTo: ResultEmailTo;
  /** The creator, the sender and the master (those of them who are not deleted). */
  people: ResultRecipient[];
}

type ClaimRow = Transfer & {
  source: ClaimedTransfer['source'] | null;
  destination: ClaimedTransfer['destination'];
  own_branch_name: string | null;
  clearing_ledger_account_id: number;
  fee_income_ledger_account_id: number;
  company_name: string;
  result_email_to: ResultEmailTo;
  people: ResultRecipient[];
};

/**
 * Claims a due transfer for execution: one conditional UPDATE is the race gate (house rule 4), so
 * a transfer runs once however many processes try. The row leaves 'scheduled' as 'completed' at
 * once; a failure found later in the same transaction turns it to 'failed' before anyone can see
 * it. The same statement reads the accounts, the bank's ledger accounts, the contract's setting
 * for result emails and the people it may go to, so the claim costs one round trip. The clearing
 * and fee income rows are the transfer's shards of them (./bank-accounts.ts).
 *
 * It locks no ledger account: the posting's own statement locks the entry's accounts and reads
 * their balances (./post.ts, decision 0031), so the paying account, which every transfer from it
 * updates, is held from the posting to the commit, not from the claim. The contract's audit chain
 * head is not locked here either: the execution's append locks it, after the posting
 * (src/audit/audit-trail.ts, decision 0026). `looked` is materialised so that the look-ups are
 * evaluated once.
 */
export async function claimDueTransfer(tx: Tx, input: { transferId: bigint; today: string; now: Date; bankCode: string }): Promise<ClaimedTransfer | undefined> {
  // Each look-up is a scalar subquery of its own rather than a join: planned one by one, they cost
  // far less to plan than one join of eight tables.
  const result = await sql<ClaimRow>`
    WITH claimed AS (
      UPDATE transfer SET status = 'completed', status_reason = NULL, completed_at = ${input.now}, updated_at = ${input.now}
      WHERE id = ${input.transferId} AND status = 'scheduled' AND execution_date <= ${input.today}::date
      RETURNING *
    ),
    looked AS MATERIALIZED (
      SELECT claimed.*,
        (SELECT json_build_object('ledgerAccountId', la.id, 'closed', a.closed_at IS NOT NULL, 'holderKana', a.holder_kana,
                                  'branchCode', a.branch_code, 'accountType', a.account_type, 'accountNumber', a.account_number)
           FROM account a JOIN ledger_account la ON la.account_id = a.id WHERE a.id = claimed.from_account_id) AS source,
        (SELECT json_build_object('ledgerAccountId', la.id, 'closed', a.closed_at IS NOT NULL, 'sameContract', a.contract_id = claimed.contract_id)
           FROM account a JOIN ledger_account la ON la.account_id = a.id
          WHERE claimed.to_bank_code = ${input.bankCode} AND a.branch_code = claimed.to_branch_code
            AND a.account_type = claimed.to_account_type AND a.account_number = claimed.to_account_number) AS destination,
        (SELECT name FROM own_branch WHERE claimed.to_bank_code = ${input.bankCode} AND code = claimed.to_branch_code) AS own_branch_name,
        (SELECT id FROM ledger_account WHERE code = ${bankLedgerShardCode('clearing', input.transferId)}) AS clearing_ledger_account_id,
        (SELECT id FROM ledger_account WHERE code = ${bankLedgerShardCode('fee_income', input.transferId)}) AS fee_income_ledger_account_id,
        (SELECT company_name FROM contract WHERE id = claimed.contract_id) AS company_name,
        (SELECT result_email_to FROM contract WHERE id = claimed.contract_id) AS result_email_to,
        (SELECT coalesce(json_agg(json_build_object('id', u.id, 'role', u.role, 'email', u.email)), '[]'::json)
           FROM users u
          WHERE u.contract_id = claimed.contract_id AND u.status <> 'deleted'
            AND (u.id = claimed.created_by OR u.id = claimed.sent_by OR u.role = 'master')) AS people
      FROM claimed
    )
    SELECT looked.*
    FROM looked`.execute(tx);
  const row = result.rows[0];
  if (!row) return undefined;
  const {
    source, destination, own_branch_name, clearing_ledger_account_id, fee_income_ledger_account_id,
    company_name, result_email_to, people, ...transfer
  } = row;
  assert.ok(source, `the paying account of transfer ${transfer.id} has its ledger account`);
  return {
    transfer,
    source,
    destination,
    ownBranchName: own_branch_name,
    clearingLedgerAccountId: clearing_ledger_account_id,
    feeIncomeLedgerAccountId: fee_income_ledger_account_id,
    companyName: company_name,
    resultEmailTo: result_email_to,
    people,
  };
}

/** Turns a claimed transfer to failed, in the claiming transaction. */
export function markFailed(tx: Tx, transferId: bigint, reason: string): Promise<Transfer> {
  return tx.updateTable('transfer').set({ status: 'failed', status_reason: reason }).where('id', '=', transferId).returningAll().executeTakeFirstOrThrow();
}
