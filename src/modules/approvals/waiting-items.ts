import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { ItemStatus } from '../../domain/approval.ts';
import { asStepHolder, holdingOf, holdingRowsSql, type HoldingBusiness, type HoldingRow, type PersonHolding } from './step-holders.ts';
import { businessOf, nextStepFor, waitingKinds, type NextStep, type WaitingKind, type WaitingSubject } from './waiting-rule.ts';

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

/**
 * The items that may wait for the person, of the three kinds, with who has approved each so far, in
 * one statement with the person's holdings (step-holders.ts): a transfer or bulk file still before
 * its approval or send and paid from an account the person's holding of that business uses, and a
 * payee pending approval for a person who may approve transfers (payees follow the transfers'
 * steps, businessOf). Each row carries the holding it is judged with; which rows wait for the
 * person's step is judged in TypeScript by the rules their pages apply.
 */
interface WaitingRow {
  kind: WaitingKind;
  id: string;
  created_by: number;
  status: string;
  approvals_required: number;
  amount_yen: bigint | null;
  date: string | null;
  label: string;
  from_account_id: number | null;
  registered_at: Date;
  approved_by: number[];
  holding: HoldingRow;
}

const beforeSend = ['awaiting_approval', 'awaiting_send'];

async function waitingRows(executor: Executor, person: Person): Promise<WaitingRow[]> {
  const holdingJson = (business: HoldingBusiness) => sql`(SELECT to_jsonb(h) FROM holding h WHERE h.business = ${business})`;
  const accountsOf = (business: HoldingBusiness) => sql`coalesce((SELECT h.account_ids FROM holding h WHERE h.business = ${business}), '{}')`;
  const { rows } = await sql<WaitingRow>`
    WITH holding AS (${holdingRowsSql(person.contract_id, ['transfer', 'bulk_transfer'], person.id)})
    SELECT * FROM (
      SELECT 'transfer' AS kind, 1 AS kind_order, t.id::text AS id, t.created_by, t.status, t.approvals_required::int AS approvals_required,
             t.amount_yen, t.execution_date AS date, t.to_name_kana AS label, t.from_account_id, t.created_at AS registered_at,
             array(SELECT a.approved_by FROM transfer_approval a WHERE a.transfer_id = t.id ORDER BY a.step) AS approved_by, t.id AS sort_id,
             ${holdingJson(businessOf.transfer)} AS holding
      FROM transfer t
      WHERE t.contract_id = ${person.contract_id} AND t.status = ANY(${beforeSend}::text[]) AND t.from_account_id = ANY(${accountsOf(businessOf.transfer)})
      UNION ALL
      SELECT 'payee', 2, p.id::text, p.created_by, p.status, p.approvals_required::int, NULL::bigint, NULL::date, p.name_kana, NULL::int, p.created_at,
             array(SELECT a.approved_by FROM payee_approval a WHERE a.payee_id = p.id ORDER BY a.approved_at), p.id,
             ${holdingJson(businessOf.payee)}
      FROM payee p
      WHERE p.contract_id = ${person.contract_id} AND p.status = 'pending'
        AND EXISTS (SELECT 1 FROM holding h WHERE h.business = ${businessOf.payee} AND h.can_approve)
      UNION ALL
      SELECT 'bulk', 3, b.id::text, b.created_by, b.status, coalesce(b.approvals_required, 0)::int, b.total_yen, b.payment_date, b.type_code,
             b.from_account_id, coalesce(b.registered_at, b.created_at),
             array(SELECT a.approved_by FROM bulk_approval a WHERE a.file_id = b.id ORDER BY a.step), b.id,
             ${holdingJson(businessOf.bulk)}
      FROM bulk_file b
      WHERE b.contract_id = ${person.contract_id} AND b.status = ANY(${beforeSend}::text[]) AND b.from_account_id = ANY(${accountsOf(businessOf.bulk)})
    ) items
    ORDER BY kind_order, date, sort_id`.execute(executor);
  return rows;
}

/** The entry of a row whose next step is the person's, or none. */
function entryOf(row: WaitingRow, holder: PersonHolding, today: string): WaitingEntry[] {
  const subject: WaitingSubject =
    row.kind === 'payee'
      ? { kind: 'payee', item: { createdBy: row.created_by, approvedBy: row.approved_by, status: 'pending' } }
      : {
          kind: row.kind,
          item: { createdBy: row.created_by, approvedBy: row.approved_by, status: row.status as ItemStatus, approvalsRequired: row.approvals_required, amountYen: row.amount_yen!, executionDate: row.date! },
        };
  const step = nextStepFor(asStepHolder(holder, row.from_account_id ?? undefined), subject, today);
  return step ? [{ kind: row.kind, id: row.id, step, label: row.label, amountYen: row.amount_yen ?? undefined, date: row.date ?? undefined, registeredAt: row.registered_at }] : [];
}

export async function waitingFor(executor: Executor, person: Person, today: string): Promise<WaitingList> {
  const rows = await waitingRows(executor, person);
  // Every row of a kind carries the same holding: made into a PersonHolding once per business.
  const holders = new Map<string, PersonHolding>();
  const holderOf = (row: WaitingRow) => {
    let holder = holders.get(row.holding.business);
    if (!holder) holders.set(row.holding.business, (holder = holdingOf(row.holding)));
    return holder;
  };
  const entries = rows.flatMap((row) => entryOf(row, holderOf(row), today));
  const counts = Object.fromEntries(waitingKinds.map((kind) => [kind, entries.filter((entry) => entry.kind === kind).length])) as Record<WaitingKind, number>;
  return { entries, counts, total: entries.length };
}
