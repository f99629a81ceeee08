import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { Account, ApprovalMode } from '../../db/schema.ts';
import type { StepHolder } from '../../domain/approval.ts';
import type { BranchInfo } from '../../domain/bank-directory.ts';
import { refuse } from './refusal.ts';
import type { Actor } from './types.ts';

/**
 * What the acting person holds of the fund-transfer business (R1.4), read afresh (a permission may
 * have been changed since logon), with the contract's approval setting and, when asked, the account
 * to pay from if the person may use it: the master every open account of the contract, anyone
 * else the accounts linked to them (user_account), the person's transfer made with an
 * idempotency key, and the bank's own branch an account given for the transfer is at, each when
 * asked about. One statement.
 */
export interface Holder extends StepHolder {
  dailyLimitYen: bigint | null;
  approvalMode: ApprovalMode;
  /** The account asked about, when the person may use it. */
  account: Account | undefined;
  /** R8.6: the person's transfer made with the idempotency key asked about, if any. */
  earlier: { id: bigint; requestHash: string } | undefined;
  /** The bank's own branch asked about, as the branch directory gives it (undefined: no such branch). */
  ownBranch?: { code: string; branch: BranchInfo | undefined };
}

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
  account: Account | null;
  earlier_id: bigint | null;
  earlier_hash: string | null;
  own_branch: { code: string; name: string; name_kana: string } | null;
}

/** PostgreSQL's integer: an id outside it names nothing (and must not reach the database as one). */
export function isRowId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

export async function holderOf(
  executor: Executor,
  actor: Actor,
  accountId?: number,
  options: { idempotencyKey?: string; ownBranchCode?: string } = {},
): Promise<Holder> {
  const askedAccount = isRowId(accountId) ? accountId : null;
  const key = options.idempotencyKey ?? null;
  const branchCode = options.ownBranchCode ?? null;
  const { rows } = await sql<HolderRow>`
    SELECT u.role, u.status, u.stopped_at IS NOT NULL AS stopped, c.stopped_at IS NOT NULL AS contract_stopped, c.approval_mode,
           p.can_register, p.can_approve, p.can_send, p.per_transaction_limit_yen, p.daily_limit_yen,
           (SELECT row_to_json(a) FROM account a
             WHERE a.id = ${askedAccount} AND a.contract_id = u.contract_id AND a.closed_at IS NULL
               AND (u.role = 'master' OR EXISTS (SELECT 1 FROM user_account ua WHERE ua.user_ref = u.id AND ua.account_id = a.id))) AS account,
           earlier.id AS earlier_id, earlier.request_hash AS earlier_hash,
           (SELECT row_to_json(b) FROM own_branch b WHERE b.code = ${branchCode}) AS own_branch
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
    usesAccount: row.account !== null,
    approvalMode: row.approval_mode,
    account: row.account === null ? undefined : accountFromJson(row.account),
    earlier: row.earlier_id === null ? undefined : { id: row.earlier_id, requestHash: row.earlier_hash! },
    ...(branchCode === null
      ? {}
      : { ownBranch: { code: branchCode, branch: row.own_branch === null ? undefined : { code: row.own_branch.code, name: row.own_branch.name, kana: row.own_branch.name_kana } } }),
  };
}

/** row_to_json gives timestamps as text and keeps integers as numbers. */
function accountFromJson(json: Account): Account {
  const raw = json as unknown as Record<string, unknown>;
  return {
    ...json,
    opened_at: new Date(String(raw.opened_at)),
    closed_at: raw.closed_at === null ? null : new Date(String(raw.closed_at)),
  };
}

/** Whether the person holds any step of the fund-transfer business (to see transfers at all). */
export function holdsTransfer(holder: Holder): boolean {
  return holder.canRegister || holder.canApprove || holder.canSend;
}

/**
 * The accounts whose transfers the person may see (all the contract's for the master, closed ones
 * too: their history stays), or, with `openOnly`, act on.
 */
export async function usableAccountIds(executor: Executor, actor: Actor, options: { openOnly?: boolean } = {}): Promise<number[]> {
  let query = executor.selectFrom('account').select('account.id').where('account.contract_id', '=', actor.contract.id);
  if (options.openOnly) query = query.where('account.closed_at', 'is', null);
  if (actor.user.role !== 'master') {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('user_account').select('user_account.account_id').whereRef('user_account.account_id', '=', 'account.id').where('user_account.user_ref', '=', actor.user.id)),
    );
  }
  return (await query.execute()).map((row) => row.id);
}
