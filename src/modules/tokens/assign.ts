import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { TokenAssignReason } from '../../db/schema-tokens.ts';
import { AppError } from '../../errors.ts';
import { addDays, tokyoDate } from '../../domain/business-days.ts';
import { expiringWithinDays } from './queries.ts';
import { tokenExpired } from '../../access/hardware-token/standing.ts';
import { bankLedgerShardCode } from '../ledger/bank-accounts.ts';
import { InsufficientFundsError, bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../ledger/post.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import type { TokenActor } from './import.ts';

/** R6.2: tokens a contract receives without a fee. */
export const freeTokensPerContract = 3;
export const tokenAssignReasons: readonly TokenAssignReason[] = ['new', 'lost', 'broken', 'expired'];
/**
 * The statement's 摘要 of the fee, with its reason, in half-width kana: a further token
 * (ﾄｰｸﾝﾂｲｶﾃｽｳﾘｮｳ) or a reissue (ﾄｰｸﾝｻｲﾊｯｺｳﾃｽｳﾘｮｳ).
 */
const feeDescriptions: Record<Exclude<TokenAssignReason, 'expired'>, string> = {
  new: 'ﾄｰｸﾝﾂｲｶﾃｽｳﾘｮｳ',
  lost: 'ﾄｰｸﾝｻｲﾊｯｺｳﾃｽｳﾘｮｳ',
  broken: 'ﾄｰｸﾝｻｲﾊｯｺｳﾃｽｳﾘｮｳ',
};

export function isAssignReason(value: unknown): value is TokenAssignReason {
  return typeof value === 'string' && (tokenAssignReasons as readonly string[]).includes(value);
}

export interface Assignment {
  serial: string;
  contractId: string;
  reason: TokenAssignReason;
  feeYen: bigint;
  feeEntryId: bigint | null;
}

/**
 * R6.2: whether an assignment is charged. Three new tokens per contract are free, each further one is
 * charged; a reissue for a lost or broken token is charged; a replacement for an expired one is not.
 */
export function assignmentCharged(reason: TokenAssignReason, newTokensBefore: number): boolean {
  if (reason === 'expired') return false;
  if (reason === 'lost' || reason === 'broken') return true;
  return newTokensBefore >= freeTokensPerContract;
}

/**
 * R6.2: assigns an unassigned token to a contract, in the caller's transaction: the contract is
 * locked first (one count of its tokens at a time), the token claimed by one conditional UPDATE
 * (house rule 4), the fee posted from the contract's first open account to the bank's fee income
 * (house rule 2), and the grace period of R6.4 starts with the contract's first token. Tokens arrive
 * unusable: each person activates one (R6.3).
 */
export async function assignTokenInTx(deps: Deps, tx: Tx, input: { serial: string; contractId: string; reason: TokenAssignReason; by: TokenActor }): Promise<Assignment> {
  const now = deps.clock.now();
  const contract = await tx.selectFrom('contract').select(['id', 'tokens_applied_at']).where('id', '=', input.contractId).forUpdate().executeTakeFirst();
  if (!contract) throw new AppError('NOT_FOUND', { field: 'contract' });
  const token = await tx.selectFrom('hardware_token').selectAll().where('serial', '=', input.serial).executeTakeFirst();
  if (!token) throw new AppError('TOKEN_UNKNOWN', { field: 'serial' });
  if (token.contract_id !== null || token.revoked_at !== null || tokenExpired(token, now)) throw new AppError('TOKEN_NOT_ASSIGNABLE', { field: 'serial' });
  const counted = await tx
    .selectFrom('hardware_token')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('contract_id', '=', contract.id)
    .where('assign_reason', '=', 'new')
    .executeTakeFirstOrThrow();
  await refuseUnfoundedReason(tx, contract.id, input.reason, now);
  const charged = assignmentCharged(input.reason, Number(counted.n));
  const feeYen = charged ? deps.config.tokenFeeYen : 0n;
  let feeEntryId: bigint | null = null;
  if (feeYen > 0n && input.reason !== 'expired') feeEntryId = await postTokenFee(tx, contract.id, feeYen, feeDescriptions[input.reason], now);
  const claimed = await tx
    .updateTable('hardware_token')
    .set({ contract_id: contract.id, assigned_at: now, assign_reason: input.reason, fee_entry_id: feeEntryId })
    .where('serial', '=', input.serial)
    .where('contract_id', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('serial')
    .executeTakeFirst();
  if (!claimed) throw new AppError('TOKEN_NOT_ASSIGNABLE', { field: 'serial' });
  if (!contract.tokens_applied_at) await tx.updateTable('contract').set({ tokens_applied_at: now }).where('id', '=', contract.id).execute();
  await recordAudit(tx, {
    at: now,
    contractId: contract.id,
    userRef: null,
    actor: input.by.actor,
    ip: input.by.ip,
    userAgent: input.by.userAgent,
    outcome: 'success',
    action: 'token.assign',
    details: { serial: input.serial, reason: input.reason, feeYen: feeYen.toString(), ...(feeEntryId === null ? {} : { feeEntryId: feeEntryId.toString() }) },
  });
  return { serial: input.serial, contractId: contract.id, reason: input.reason, feeYen, feeEntryId };
}

/**
 * R6.2, R6.7: the reason decides the fee, so it must be true: a free replacement for an expired
 * token needs a token of the contract expired or expiring within 60 days that has not been replaced
 * yet; a charged reissue for a lost or broken one needs a revoked token not yet reissued.
 */
async function refuseUnfoundedReason(tx: Tx, contractId: string, reason: TokenAssignReason, now: Date): Promise<void> {
  if (reason === 'new') return;
  const { rows } = await sql<{ grounds: string; used: string }>`
    SELECT
      count(*) FILTER (WHERE ${reason === 'expired'
        ? sql`revoked_at IS NULL AND expires_on <= ${addDays(tokyoDate(now), expiringWithinDays)}::date`
        : sql`revoked_at IS NOT NULL`}) AS grounds,
      count(*) FILTER (WHERE assign_reason IN (${sql.join(reason === 'expired' ? ['expired'] : ['lost', 'broken'])})) AS used
    FROM hardware_token WHERE contract_id = ${contractId}`.execute(tx);
  const row = rows[0]!;
  if (Number(row.grounds) <= Number(row.used)) throw new AppError('TOKEN_REASON_UNFOUNDED', { field: 'reason' });
}

/** R6.2: the fee, out of the contract's first open account (the one its contract was opened with) into fee income. */
async function postTokenFee(tx: Tx, contractId: string, feeYen: bigint, description: string, now: Date): Promise<bigint> {
  const account = await tx.selectFrom('account').select('id').where('contract_id', '=', contractId).where('closed_at', 'is', null).orderBy('id').executeTakeFirst();
  if (!account) throw new AppError('TOKEN_NO_ACCOUNT', { field: 'contract' });
  const from = await customerLedgerAccountId(tx, account.id);
  // Spread over the fee income rows as transfers are (bank-accounts.ts), by the account's id.
  const income = await shardOf(tx, BigInt(account.id));
  try {
    const { entryId } = await postJournalEntry(tx, {
      kind: 'fee',
      description,
      valueDate: tokyoDate(now),
      postedAt: now,
      postings: [
        { ledgerAccountId: from, amountYen: -feeYen },
        { ledgerAccountId: income, amountYen: feeYen },
      ],
    });
    return entryId;
  } catch (error) {
    if (error instanceof InsufficientFundsError) throw new AppError('TOKEN_FEE_FUNDS', { field: 'contract', params: { fee: feeYen.toString() } });
    throw error;
  }
}

async function shardOf(tx: Tx, key: bigint): Promise<number> {
  const row = await tx.selectFrom('ledger_account').select('id').where('code', '=', bankLedgerShardCode('fee_income', key)).executeTakeFirst();
  return row ? row.id : bankLedgerAccountId(tx, 'fee_income');
}
