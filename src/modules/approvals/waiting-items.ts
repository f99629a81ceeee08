import type { Executor } from '../../db/transaction.ts';
import type { ItemStatus } from '../../domain/approval.ts';
import { asStepHolder, holdingsOfPerson, type PersonHolding } from './step-holders.ts';
import { nextStepFor, waitingKinds, type NextStep, type WaitingKind, type WaitingSubject } from './waiting-rule.ts';

/**
 * R8.5 [承認待ち]: every item that waits for this person's step now, of every kind, judged by the
 * rules its own pages apply (./waiting-rule.ts), with the count of each kind — for the waiting page,
 * the top page and the menu.
 */
export interface WaitingEntry {
  kind: WaitingKind;
  id: string;
  step: NextStep;
  /** What the item is about: the payee's or the destination's name, or the file's type code. */
  label: string;
  amountYen: bigint | undefined;
  date: string | undefined;
  registeredAt: Date;
}

export interface WaitingList {
  entries: WaitingEntry[];
  counts: Record<WaitingKind, number>;
  total: number;
}

interface Person {
  id: number;
  contract_id: string;
}

function approvalsByItem<K extends string | number | bigint>(rows: readonly { item: K; by: number }[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const row of rows) map.set(String(row.item), [...(map.get(String(row.item)) ?? []), row.by]);
  return map;
}

async function transfersWaiting(executor: Executor, person: PersonHolding, contractId: string, today: string): Promise<WaitingEntry[]> {
  if (person.accountIds.size === 0) return [];
  const rows = await executor
    .selectFrom('transfer')
    .select(['id', 'created_by', 'status', 'approvals_required', 'amount_yen', 'execution_date', 'to_name_kana', 'from_account_id', 'created_at'])
    .where('contract_id', '=', contractId)
    .where('status', 'in', ['awaiting_approval', 'awaiting_send'])
    .where('from_account_id', 'in', [...person.accountIds])
    .orderBy('execution_date')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const approvals = approvalsByItem(
    await executor.selectFrom('transfer_approval').select(['transfer_id as item', 'approved_by as by']).where('transfer_id', 'in', rows.map((r) => r.id)).orderBy('step').execute(),
  );
  return rows.flatMap((row) => {
    const subject: WaitingSubject = {
      kind: 'transfer',
      item: { createdBy: row.created_by, approvedBy: approvals.get(String(row.id)) ?? [], status: row.status as ItemStatus, approvalsRequired: row.approvals_required, amountYen: row.amount_yen, executionDate: row.execution_date },
    };
    const step = nextStepFor(asStepHolder(person, row.from_account_id), subject, today);
    return step ? [{ kind: 'transfer' as const, id: row.id.toString(), step, label: row.to_name_kana, amountYen: row.amount_yen, date: row.execution_date, registeredAt: row.created_at }] : [];
  });
}

async function bulkWaiting(executor: Executor, person: PersonHolding, contractId: string, today: string): Promise<WaitingEntry[]> {
  if (person.accountIds.size === 0) return [];
  const rows = await executor
    .selectFrom('bulk_file')
    .select(['id', 'created_by', 'status', 'approvals_required', 'total_yen', 'payment_date', 'type_code', 'from_account_id', 'registered_at', 'created_at'])
    .where('contract_id', '=', contractId)
    .where('status', 'in', ['awaiting_approval', 'awaiting_send'])
    .where('from_account_id', 'in', [...person.accountIds])
    .orderBy('payment_date')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const approvals = approvalsByItem(
    await executor.selectFrom('bulk_approval').select(['file_id as item', 'approved_by as by']).where('file_id', 'in', rows.map((r) => r.id)).orderBy('step').execute(),
  );
  return rows.flatMap((row) => {
    const subject: WaitingSubject = {
      kind: 'bulk',
      item: { createdBy: row.created_by, approvedBy: approvals.get(String(row.id)) ?? [], status: row.status as ItemStatus, approvalsRequired: row.approvals_required ?? 0, amountYen: row.total_yen, executionDate: row.payment_date },
    };
    const step = nextStepFor(asStepHolder(person, row.from_account_id), subject, today);
    return step ? [{ kind: 'bulk' as const, id: row.id.toString(), step, label: row.type_code, amountYen: row.total_yen, date: row.payment_date, registeredAt: row.registered_at ?? row.created_at }] : [];
  });
}

async function payeesWaiting(executor: Executor, person: PersonHolding, contractId: string, today: string): Promise<WaitingEntry[]> {
  if (!person.canApprove) return [];
  const rows = await executor.selectFrom('payee').select(['id', 'created_by', 'name_kana', 'created_at']).where('contract_id', '=', contractId).where('status', '=', 'pending').orderBy('id').execute();
  if (rows.length === 0) return [];
  const approvals = approvalsByItem(
    await executor.selectFrom('payee_approval').select(['payee_id as item', 'approved_by as by']).where('payee_id', 'in', rows.map((r) => r.id)).orderBy('approved_at').execute(),
  );
  return rows.flatMap((row) => {
    const subject: WaitingSubject = { kind: 'payee', item: { createdBy: row.created_by, approvedBy: approvals.get(String(row.id)) ?? [], status: 'pending' } };
    const step = nextStepFor(asStepHolder(person, undefined), subject, today);
    return step ? [{ kind: 'payee' as const, id: String(row.id), step, label: row.name_kana, amountYen: undefined, date: undefined, registeredAt: row.created_at }] : [];
  });
}

export async function waitingFor(executor: Executor, person: Person, today: string): Promise<WaitingList> {
  const { transfer: transferHolder, bulk_transfer: bulkHolder } = await holdingsOfPerson(executor, person.contract_id, person.id);
  const entries = [
    ...(transferHolder ? await transfersWaiting(executor, transferHolder, person.contract_id, today) : []),
    ...(transferHolder ? await payeesWaiting(executor, transferHolder, person.contract_id, today) : []),
    ...(bulkHolder ? await bulkWaiting(executor, bulkHolder, person.contract_id, today) : []),
  ];
  const counts = Object.fromEntries(waitingKinds.map((kind) => [kind, entries.filter((entry) => entry.kind === kind).length])) as Record<WaitingKind, number>;
  return { entries, counts, total: entries.length };
}
