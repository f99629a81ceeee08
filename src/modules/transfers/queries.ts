import type { ExpressionBuilder } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Database } from '../../db/schema.ts';
import type { Transfer, TransferStatus } from '../../db/schema-transfers.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { nextAfterApproval, refusalToApprove, refusalToSend, refusalToSendBack, refusalToWithdraw, type StepHolder } from '../../domain/approval.ts';
import { AppError } from '../../errors.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { ownBank } from '../payees/own-bank.ts';
import { holderOf, holdsTransfer, usableAccountIds, type Holder } from './holder.ts';
import { refuse } from './refusal.ts';
import { itemOf } from './item.ts';
import { awaitedPeople } from './awaited-people.ts';
import type { Actor, PersonLabel, TransferDestination, TransferDetail, TransferSummary } from './types.ts';

/**
 * R8.1, R8.5: the transfers a person sees — those of the accounts they may use (every account of the
 * contract for the master) and those they took a step on — and the ones waiting for their step.
 */
export const transferListPageSize = 20;
/** The waiting list shows the oldest items first; beyond this many the person narrows by status. */
export const awaitingListMax = 200;

const statuses: readonly TransferStatus[] = ['awaiting_approval', 'awaiting_send', 'scheduled', 'completed', 'failed', 'withdrawn', 'sent_back'];

type Row = Transfer & { creator_user_id: string; creator_display_name: string; approvals_done: bigint | number };

async function seer(deps: Deps, actor: Actor): Promise<{ holder: Holder; accountIds: number[] }> {
  const holder = await holderOf(deps.db, actor);
  if (!holdsTransfer(holder)) refuse('TRANSFER_NOT_PERMITTED');
  return { holder, accountIds: await usableAccountIds(deps.db, actor) };
}

function visibleTo(actor: Actor, accountIds: number[]) {
  return (eb: ExpressionBuilder<Database, 'transfer'>) =>
    eb.and([
      eb('transfer.contract_id', '=', actor.contract.id),
      eb.or([
        eb('transfer.created_by', '=', actor.user.id),
        eb('transfer.sent_by', '=', actor.user.id),
        ...(accountIds.length > 0 ? [eb('transfer.from_account_id', 'in', accountIds)] : []),
        eb.exists(eb.selectFrom('transfer_approval').select('transfer_approval.step').whereRef('transfer_approval.transfer_id', '=', 'transfer.id').where('transfer_approval.approved_by', '=', actor.user.id)),
      ]),
    ]);
}

function rowsQuery(deps: Deps) {
  return deps.db
    .selectFrom('transfer')
    .innerJoin('users', 'users.id', 'transfer.created_by')
    .selectAll('transfer')
    .select((eb) => [
      'users.user_id as creator_user_id',
      'users.display_name as creator_display_name',
      eb.selectFrom('transfer_approval').select((a) => a.fn.countAll().as('n')).whereRef('transfer_approval.transfer_id', '=', 'transfer.id').as('approvals_done'),
    ]);
}

/** Bank and branch names, looked up once per code within one page. */
function namer(deps: Deps) {
  const cache = new Map<string, Promise<{ bankName: string; bankKana: string; branchName: string; branchKana: string }>>();
  return (bankCode: string, branchCode: string) => {
    const key = `${bankCode}-${branchCode}`;
    let found = cache.get(key);
    if (!found) {
      found = (async () => {
        const own = ownBank(deps);
        const bank = findBank(own, bankCode);
        const branch = await findBranch(own, bankCode, branchCode);
        return { bankName: bank?.name ?? bankCode, bankKana: bank?.kana ?? '', branchName: branch?.name ?? branchCode, branchKana: branch?.kana ?? '' };
      })();
      cache.set(key, found);
    }
    return found;
  };
}

async function summaries(deps: Deps, rows: Row[]): Promise<TransferSummary[]> {
  const accounts = rows.length === 0 ? [] : await deps.db.selectFrom('account').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.from_account_id))]).execute();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const names = namer(deps);
  return Promise.all(
    rows.map(async (row) => {
      const account = byId.get(row.from_account_id)!;
      const to: TransferDestination = {
        bankCode: row.to_bank_code,
        branchCode: row.to_branch_code,
        accountType: row.to_account_type,
        accountNumber: row.to_account_number,
        nameKana: row.to_name_kana,
        payeeId: row.payee_id,
        ...(await names(row.to_bank_code, row.to_branch_code)),
      };
      return {
        id: row.id,
        status: row.status,
        fromAccount: { id: account.id, branchCode: account.branch_code, accountType: account.account_type, accountNumber: account.account_number },
        to,
        amountYen: row.amount_yen,
        feeYen: row.fee_yen,
        executionDate: row.execution_date,
        approvalsRequired: row.approvals_required,
        approvalsDone: Number(row.approvals_done),
        createdBy: { ref: row.created_by, userId: row.creator_user_id, displayName: row.creator_display_name },
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        statusReason: row.status_reason,
      };
    }),
  );
}

/** The person's transfers, newest first, a page at a time (pages count from 1). */
export async function listTransfers(
  deps: Deps,
  actor: Actor,
  filter: { status?: TransferStatus; page: number },
): Promise<{ items: TransferSummary[]; total: number; pageSize: number }> {
  const { accountIds } = await seer(deps, actor);
  if (filter.status !== undefined && !statuses.includes(filter.status)) throw new AppError('INPUT_INVALID');
  const page = Number.isSafeInteger(filter.page) && filter.page >= 1 ? filter.page : 1;
  const status = filter.status;
  const visible = visibleTo(actor, accountIds);
  const counted = await deps.db
    .selectFrom('transfer')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(visible)
    .$if(status !== undefined, (q) => q.where('transfer.status', '=', status!))
    .executeTakeFirstOrThrow();
  const rows = (await rowsQuery(deps)
    .where(visible)
    .$if(status !== undefined, (q) => q.where('transfer.status', '=', status!))
    .orderBy('transfer.created_at', 'desc')
    .orderBy('transfer.id', 'desc')
    .limit(transferListPageSize)
    .offset((page - 1) * transferListPageSize)
    .execute()) as Row[];
  return { items: await summaries(deps, rows), total: Number(counted.n), pageSize: transferListPageSize };
}

/** One transfer with its approvals and what this person may do with it now; NOT_FOUND when they may not see it. */
export async function getTransfer(deps: Deps, actor: Actor, transferId: bigint): Promise<TransferDetail> {
  if (typeof transferId !== 'bigint' || transferId <= 0n || transferId > 9_223_372_036_854_775_807n) throw new AppError('NOT_FOUND');
  const { holder, accountIds } = await seer(deps, actor);
  const row = (await rowsQuery(deps).where(visibleTo(actor, accountIds)).where('transfer.id', '=', transferId).executeTakeFirst()) as Row | undefined;
  if (!row) throw new AppError('NOT_FOUND');
  const [summary] = await summaries(deps, [row]);
  const approvals = await deps.db
    .selectFrom('transfer_approval')
    .innerJoin('users', 'users.id', 'transfer_approval.approved_by')
    .select(['transfer_approval.step', 'transfer_approval.approved_at', 'users.id', 'users.user_id', 'users.display_name'])
    .where('transfer_approval.transfer_id', '=', transferId)
    .orderBy('transfer_approval.step')
    .execute();
  const sender = row.sent_by === null ? undefined : await deps.db.selectFrom('users').select(['id', 'user_id', 'display_name']).where('id', '=', row.sent_by).executeTakeFirst();
  const label = (p: { id: number; user_id: string; display_name: string }): PersonLabel => ({ ref: p.id, userId: p.user_id, displayName: p.display_name });
  const openAccounts = new Set(await usableAccountIds(deps.db, actor, { openOnly: true }));
  const person: StepHolder = { ...holder, usesAccount: openAccounts.has(row.from_account_id) };
  const item = itemOf(row, approvals.map((a) => a.id));
  const today = tokyoDate(deps.clock.now());
  return {
    ...summary!,
    transfer: stripped(row),
    approvals: approvals.map((a) => ({ step: a.step, by: label(a), at: a.approved_at })),
    sentBy: sender ? label(sender) : null,
    sentAt: row.sent_at,
    completedAt: row.completed_at,
    mayApprove: refusalToApprove(person, item, today) === undefined,
    approvalSends: nextAfterApproval(person, item) === 'send',
    maySend: refusalToSend(person, item, today) === undefined,
    mayWithdraw: refusalToWithdraw(person, item) === undefined,
    maySendBack: refusalToSendBack(person, item) === undefined,
    awaited: await awaitedPeople(deps.db, { contractId: actor.contract.id, business: 'transfer', accountId: row.from_account_id }, item, today),
  };
}

function stripped(row: Row): Transfer {
  const { creator_user_id: _u, creator_display_name: _d, approvals_done: _a, ...transfer } = row;
  return transfer;
}

/** R8.5: the items waiting for this person's step — an approval they may give, or a send they may make — oldest first. */
export async function awaitingActor(deps: Deps, actor: Actor): Promise<TransferSummary[]> {
  const { holder, accountIds } = await seer(deps, actor);
  if (!holder.canApprove && !holder.canSend) return [];
  const open = new Set(await usableAccountIds(deps.db, actor, { openOnly: true }));
  if (open.size === 0) return [];
  const rows = (await rowsQuery(deps)
    .where(visibleTo(actor, accountIds))
    .where('transfer.status', 'in', ['awaiting_approval', 'awaiting_send'])
    .where('transfer.from_account_id', 'in', [...open])
    .orderBy('transfer.execution_date')
    .orderBy('transfer.id')
    .limit(awaitingListMax)
    .execute()) as Row[];
  if (rows.length === 0) return [];
  const approvals = await deps.db
    .selectFrom('transfer_approval')
    .select(['transfer_id', 'approved_by'])
    .where('transfer_id', 'in', rows.map((r) => r.id))
    .orderBy('transfer_id')
    .orderBy('step')
    .execute();
  const today = tokyoDate(deps.clock.now());
  const waiting = rows.filter((row) => {
    const item = itemOf(row, approvals.filter((a) => a.transfer_id === row.id).map((a) => a.approved_by));
    const person: StepHolder = { ...holder, usesAccount: true };
    return row.status === 'awaiting_approval' ? refusalToApprove(person, item, today) === undefined : refusalToSend(person, item, today) === undefined;
  });
  return summaries(deps, waiting);
}
