import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { Account, ApprovalMode } from '../../db/schema.ts';
import type { StepHolder } from '../../domain/approval.ts';
import type { BranchInfo } from '../../domain/bank-directory.ts';
import { usesAccountSql } from '../users/account-use.ts';
import { ownBankAccountSql, type OwnAccountKey, type OwnBankAccount } from './own-bank-account.ts';
import { refuse } from './refusal.ts';
import type { Actor } from './types.ts';

/**
 * What the acting person holds of the fund-transfer business (R1.4), read afresh (a permission may
 * have been changed since logon), with the contract's approval setting and, when asked, the account
 * to pay from if the person may use it (../users/account-use.ts), the person's transfer made with
 * an idempotency key, the bank's own branch an account given for the transfer is at, and what the
 * person has already registered for an execution date, the open account at this bank a transfer
 * names, the balance of the account to pay from and the contract's transfer a new one would
 * duplicate (R8.6, ./duplicate.ts), each when asked about. One statement, so the
 * daily limit and the day's usage it is judged against are read together.
 */
export interface Holder extends StepHolder {
  dailyLimitYen: bigint | null;
  /** R1.4: the day's usage of the execution date asked about (0 when nothing is registered for it yet). */
  dailyUsedYen: bigint | undefined;
  approvalMode: ApprovalMode;
  /** The account asked about, when the person may use it. */
  account: Account | undefined;
  /** R8.6: the person's transfer made with the idempotency key asked about, if any. */
  earlier: { id: bigint; requestHash: string } | undefined;
  /** The bank's own branch asked about, as the branch directory gives it (undefined: no such branch). */
  ownBranch?: { code: string; branch: BranchInfo | undefined };
  /** The open account at this bank asked about (undefined: none open with that number). */
  ownAccount?: { key: OwnAccountKey; account: OwnBankAccount | undefined };
  /** The balance of the account asked about, when it was asked for. */
  balanceYen?: bigint;
  /** R8.6: when asked, the contract's latest transfer like the one asked about (./duplicate.ts). */
  duplicate?: { earlier: { id: bigint; createdAt: Date } | undefined };
}

/** An account as row_to_json gives it: timestamps as text, integers as numbers. */
type AccountJson = Omit<Account, 'opened_at' | 'closed_at'> & { opened_at: string; closed_at: string | null };

interface HolderRow {
  role: 'master' | 'user';
  status: string;
  stopped: boolean;
  contract_stopped: boolean;
  approval_mode: ApprovalMode;
  can_register: boolean | null;
  can_approve: boolean | null;
  can_send: boolean | null;
  per_transaction_limit_yen: bigint | null;
  daily_limit_yen: bigint | null;
  account: AccountJson | null;
  earlier_id: bigint | null;
  earlier_hash: string | null;
  own_branch: { code: string; name: string; name_kana: string } | null;
  daily_used_yen: bigint | null;
  own_account: OwnBankAccount | null;
  balance_yen: bigint | null;
  duplicate: { id: string; createdAt: string } | null;
}

/** PostgreSQL's integer: an id outside it names nothing (and must not reach the database as one). */
export function isRowId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

export async function holderOf(
  executor: Executor,
  actor: Actor,
  accountId?: number,
  options: { idempotencyKey?: string; ownBranchCode?: string; ownAccount?: OwnAccountKey; usageDate?: string; balance?: boolean; duplicate?: RawBuilder<unknown> } = {},
): Promise<Holder> {
  const askedAccount = isRowId(accountId) ? accountId : null;
  const own = options.ownAccount;
  const balanceOf = options.balance === true ? askedAccount : null;
  const key = options.idempotencyKey ?? null;
  const branchCode = options.ownBranchCode ?? null;
  const usageDate = options.usageDate ?? null;
  const { rows } = await sql<HolderRow>`
    SELECT u.role, u.status, u.stopped_at IS NOT NULL AS stopped, c.stopped_at IS NOT NULL AS contract_stopped, c.approval_mode,
           p.can_register, p.can_approve, p.can_send, p.per_transaction_limit_yen, p.daily_limit_yen,
           (SELECT row_to_json(a) FROM account a
             WHERE a.id = ${askedAccount} AND ${usesAccountSql('u', 'a')}) AS account,
           earlier.id AS earlier_id, earlier.request_hash AS earlier_hash,
           (SELECT row_to_json(b) FROM own_branch b WHERE b.code = ${branchCode}) AS own_branch,
           (SELECT d.used_yen FROM daily_usage d WHERE d.user_ref = u.id AND d.business = 'transfer' AND d.usage_date = ${usageDate}::date) AS daily_used_yen,
           ${ownBankAccountSql(own)} AS own_account,
           (SELECT l.balance_yen FROM ledger_account l WHERE l.account_id = ${balanceOf}::int) AS balance_yen,
           ${options.duplicate ?? sql`NULL::json`} AS duplicate
    FROM users u
    JOIN contract c ON c.id = u.contract_id
    LEFT JOIN user_permission p ON p.user_ref = u.id AND p.business = 'transfer'
    LEFT JOIN transfer earlier ON earlier.created_by = u.id AND earlier.idempotency_key = ${key}
    WHERE u.id = ${actor.user.id} AND u.contract_id = ${actor.contract.id}`.execute(executor);
  const row = rows[0];
  // A person who may no longer use the service holds nothing, whatever their session still says.
  const active = row !== undefined && row.status === 'active' && !row.stopped && !row.contract_stopped;
  if (!row) refuse('TRANSFER_NOT_PERMITTED');
  return {
    ref: actor.user.id,
    canRegister: active && row.can_register === true,
    canApprove: active && row.can_approve === true,
    canSend: active && row.can_send === true,
    perTransactionLimitYen: row.per_transaction_limit_yen,
    dailyLimitYen: row.daily_limit_yen,
    dailyUsedYen: usageDate === null ? undefined : (row.daily_used_yen ?? 0n),
    usesAccount: row.account !== null,
    approvalMode: row.approval_mode,
    account: row.account === null ? undefined : accountFromJson(row.account),
    earlier: row.earlier_id === null ? undefined : { id: row.earlier_id, requestHash: row.earlier_hash! },
    ...(branchCode === null
      ? {}
      : { ownBranch: { code: branchCode, branch: row.own_branch === null ? undefined : { code: row.own_branch.code, name: row.own_branch.name, kana: row.own_branch.name_kana } } }),
    ...(own === undefined ? {} : { ownAccount: { key: own, account: row.own_account ?? undefined } }),
    ...(balanceOf === null ? {} : { balanceYen: row.balance_yen ?? 0n }),
    ...(options.duplicate === undefined ? {} : { duplicate: { earlier: row.duplicate === null ? undefined : { id: BigInt(row.duplicate.id), createdAt: new Date(row.duplicate.createdAt) } } }),
  };
}

function accountFromJson(json: AccountJson): Account {
  return { ...json, opened_at: new Date(json.opened_at), closed_at: json.closed_at === null ? null : new Date(json.closed_at) };
}

/** Whether the person holds any step of the fund-transfer business (to see transfers at all). */
export function holdsTransfer(holder: Holder): boolean {
  return holder.canRegister || holder.canApprove || holder.canSend;
}

/**
 * The accounts whose transfers the person may see (../users/account-use.ts, closed ones too: their
 * history stays), or, with `openOnly`, act on (the rule itself). The person's role is their row's,
 * read with the accounts, as holderOf reads it.
 */
export async function usableAccountIds(executor: Executor, actor: Actor, options: { openOnly?: boolean } = {}): Promise<number[]> {
  const rows = await executor
    .selectFrom(['account', 'users as person'])
    .select('account.id')
    .where('person.id', '=', actor.user.id)
    .where('person.contract_id', '=', actor.contract.id)
    .where(usesAccountSql('person', 'account', { closedToo: options.openOnly !== true }))
    .execute();
  return rows.map((row) => row.id);
}
