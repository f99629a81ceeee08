import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Account } from '../../db/schema.ts';
import { bulkFileColumns, type BulkFile, type BulkRecord } from '../../db/schema-bulk.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import {
  approvalsRequiredByMode,
  nextAtRegistration,
  refusalToApprove,
  refusalToSend,
  refusalToSendBack,
  refusalToWithdraw,
} from '../../domain/approval.ts';
import { AppError } from '../../errors.ts';
import { usableAccountIds } from '../transfers/holder.ts';
import type { Actor } from '../transfers/types.ts';
import { bulkBusiness, bulkHolderOf, holdsBulk, type BulkHolder } from './holder.ts';
import { awaitedPeople, type Awaited } from '../transfers/awaited-people.ts';
import { fileItem } from './item.ts';
import { refuse } from './refusal.ts';

/**
 * What the bulk pages read (R8.4): the files a person may see — those paying from an account they
 * may use, and their own drafts — a file with its records a page at a time, its approvals and the
 * steps the person may take on it now, and its returned records [振込不能明細].
 */
export const recordsPerPage = 50;
export const filesPerPage = 50;

export interface Person {
  ref: number;
  name: string;
  userId: string;
}

export interface FileSummary {
  file: BulkFile;
  createdBy: Person;
  account: Pick<Account, 'branch_code' | 'account_type' | 'account_number'>;
}

export type BulkAction = 'register' | 'discard' | 'approve' | 'send' | 'send_back' | 'withdraw';

export interface FileDetail extends FileSummary {
  approvals: { step: number; by: Person; at: Date }[];
  sentBy: Person | undefined;
  actions: BulkAction[];
  /** Registering sends the file at once (no approval setting, and the person holds the send step). */
  registerSends: boolean;
  duplicateOf: { id: bigint; createdAt: Date } | undefined;
  returned: { count: number; totalYen: bigint };
  /** R8.5: the step the file waits for and the people who may take it, by name. */
  awaited: Awaited | undefined;
}

async function visibleAccountIds(deps: Deps, actor: Actor): Promise<number[]> {
  return usableAccountIds(deps.db, actor);
}

/** R1.4: the pages are for holders of the business; anyone else is told so. */
export async function requireBulkHolder(deps: Deps, actor: Actor): Promise<BulkHolder> {
  const holder = await bulkHolderOf(deps.db, actor);
  if (!holdsBulk(holder)) refuse('BULK_NOT_PERMITTED');
  return holder;
}

export async function listFiles(deps: Deps, actor: Actor, page: number): Promise<{ items: FileSummary[]; total: number }> {
  await requireBulkHolder(deps, actor);
  const accountIds = await visibleAccountIds(deps, actor);
  const base = deps.db
    .selectFrom('bulk_file as f')
    .where('f.contract_id', '=', actor.contract.id)
    .where('f.status', '<>', 'discarded')
    .where((eb) =>
      eb.or([
        eb.and([eb('f.status', '<>', 'draft'), accountIds.length === 0 ? sql<boolean>`false` : eb('f.from_account_id', 'in', accountIds)]),
        eb.and([eb('f.status', '=', 'draft'), eb('f.created_by', '=', actor.user.id)]),
      ]),
    );
  const { count } = await base.select((eb) => eb.fn.countAll<bigint>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .innerJoin('users as u', 'u.id', 'f.created_by')
    .innerJoin('account as a', 'a.id', 'f.from_account_id')
    .select(bulkFileColumns.map((column) => `f.${column}` as const))
    .select(['u.display_name', 'u.user_id', 'a.branch_code', 'a.account_type', 'a.account_number'])
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(filesPerPage)
    .offset((page - 1) * filesPerPage)
    .execute();
  return {
    total: Number(count),
    items: rows.map((row) => ({
      file: fileOf(row),
      createdBy: { ref: row.created_by, name: row.display_name, userId: row.user_id },
      account: { branch_code: row.branch_code, account_type: row.account_type, account_number: row.account_number },
    })),
  };
}

function fileOf(row: BulkFile & Record<string, unknown>): BulkFile {
  const { display_name: _n, user_id: _u, branch_code: _b, account_type: _t, account_number: _a, ...file } = row;
  return file as BulkFile;
}

async function personOf(deps: Deps, ref: number | null): Promise<Person | undefined> {
  if (ref === null) return undefined;
  const row = await deps.db.selectFrom('users').select(['id', 'display_name', 'user_id']).where('id', '=', ref).executeTakeFirst();
  return row ? { ref: row.id, name: row.display_name, userId: row.user_id } : undefined;
}

/** A file the person may see, or NOT_FOUND (another contract's, another person's draft, an account they may not use). */
export async function getFile(deps: Deps, actor: Actor, fileId: bigint): Promise<FileDetail> {
  const holder = await requireBulkHolder(deps, actor);
  const file = await deps.db.selectFrom('bulk_file').select(bulkFileColumns).where('id', '=', fileId).where('contract_id', '=', actor.contract.id).executeTakeFirst();
  if (!file || file.status === 'discarded') throw new AppError('NOT_FOUND');
  const accountIds = await visibleAccountIds(deps, actor);
  const mine = file.created_by === actor.user.id;
  if (file.status === 'draft' ? !mine : !accountIds.includes(file.from_account_id) && !mine) throw new AppError('NOT_FOUND');
  const account = await deps.db.selectFrom('account').select(['branch_code', 'account_type', 'account_number']).where('id', '=', file.from_account_id).executeTakeFirstOrThrow();
  const approvalRows = await deps.db.selectFrom('bulk_approval').selectAll().where('file_id', '=', fileId).orderBy('step').execute();
  const approvals = await Promise.all(approvalRows.map(async (a) => ({ step: a.step, by: (await personOf(deps, a.approved_by))!, at: a.approved_at })));
  const acting = await bulkHolderOf(deps.db, actor, { accountId: file.from_account_id });
  const item = fileItem(file, approvalRows.map((a) => a.approved_by));
  const today = tokyoDate(deps.clock.now());
  const actions: BulkAction[] = [];
  if (file.status === 'draft' && mine) {
    if (acting.canRegister) actions.push('register');
    actions.push('discard');
  }
  if (!refusalToApprove(acting, item, today)) actions.push('approve');
  if (!refusalToSend(acting, item, today)) actions.push('send');
  if (!refusalToSendBack(acting, item)) actions.push('send_back');
  if (file.status !== 'draft' && !refusalToWithdraw(acting, item)) actions.push('withdraw');
  const duplicate = file.duplicate_of === null ? undefined : await deps.db.selectFrom('bulk_file').select(['id', 'created_at']).where('id', '=', file.duplicate_of).executeTakeFirst();
  const returned = await deps.db
    .selectFrom('bulk_record')
    .select((eb) => [eb.fn.countAll<bigint>().as('count'), eb.fn.coalesce(eb.fn.sum<bigint>('amount_yen'), sql<bigint>`0`).as('total')])
    .where('file_id', '=', fileId)
    .where('status', '=', 'returned')
    .executeTakeFirstOrThrow();
  return {
    file,
    account,
    createdBy: (await personOf(deps, file.created_by))!,
    sentBy: await personOf(deps, file.sent_by),
    approvals,
    actions,
    registerSends: nextAtRegistration(approvalsRequiredByMode[holder.approvalMode], acting) === 'send',
    duplicateOf: duplicate ? { id: duplicate.id, createdAt: duplicate.created_at } : undefined,
    returned: { count: Number(returned.count), totalYen: BigInt(returned.total) },
    awaited: await awaitedPeople(deps.db, { contractId: actor.contract.id, business: bulkBusiness, accountId: file.from_account_id }, item, today),
  };
}

/** A page of a file's records in file order; or, with `only` or `all`, every such record (a result, a download). */
/** The bytes of a file as they were uploaded (or built), for its download and its result file. */
export async function fileContent(deps: Deps, fileId: bigint): Promise<Uint8Array> {
  const row = await deps.db.selectFrom('bulk_file').select('content').where('id', '=', fileId).executeTakeFirstOrThrow();
  return row.content;
}

export async function recordsOf(deps: Deps, fileId: bigint, page: number, only?: 'returned', options: { all?: boolean } = {}): Promise<BulkRecord[]> {
  let query = deps.db.selectFrom('bulk_record').selectAll().where('file_id', '=', fileId);
  if (only) query = query.where('status', '=', only);
  query = query.orderBy('seq');
  if (!only && !options.all) query = query.limit(recordsPerPage).offset((page - 1) * recordsPerPage);
  return query.execute();
}
