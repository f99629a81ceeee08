import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import { refusalToStep, stepAwaited, type Item, type StepHolder } from '../../domain/approval.ts';
import { usesAccountSql } from '../users/account-use.ts';
import type { PersonLabel } from './types.ts';

/**
 * R8.5: who the item waits for, by name — the people of the contract the approval table
 * (domain/approval.ts) lets take the step the item waits for now, so an item's page says whose turn
 * it is (「承認者（山田 花子、佐藤 一郎）の承認を待っています」) instead of leaving people to guess.
 * Transfers and bulk files ask it alike, each with its business (R1.4).
 */
export interface Awaited {
  step: 'approve' | 'send';
  people: PersonLabel[];
}

interface Row {
  id: number;
  user_id: string;
  display_name: string;
  can_register: boolean | null;
  can_approve: boolean | null;
  can_send: boolean | null;
  per_transaction_limit_yen: bigint | string | null;
  uses_account: boolean;
}

/** Enough names for a page; a contract with more people who may act shows the first of them. */
export const awaitedPeopleMax = 20;

export async function awaitedPeople(
  executor: Executor,
  where: { contractId: string; business: 'transfer' | 'bulk_transfer'; accountId: number },
  item: Item,
  today: string,
): Promise<Awaited | undefined> {
  const step = stepAwaited(item);
  if (!step) return undefined;
  // A person who may no longer use the service, or the account, is nobody's next step.
  const { rows } = await sql<Row>`
    SELECT u.id, u.user_id, u.display_name, p.can_register, p.can_approve, p.can_send, p.per_transaction_limit_yen,
           EXISTS (SELECT 1 FROM account a WHERE a.id = ${where.accountId} AND ${usesAccountSql('u', 'a')}) AS uses_account
    FROM users u
    JOIN contract c ON c.id = u.contract_id
    JOIN user_permission p ON p.user_ref = u.id AND p.business = ${where.business}
    WHERE u.contract_id = ${where.contractId} AND u.status = 'active' AND u.stopped_at IS NULL AND c.stopped_at IS NULL
    ORDER BY u.id`.execute(executor);
  const people = rows
    .filter((row) => {
      const person: StepHolder = {
        ref: row.id,
        canRegister: row.can_register === true,
        canApprove: row.can_approve === true,
        canSend: row.can_send === true,
        perTransactionLimitYen: row.per_transaction_limit_yen === null ? null : BigInt(row.per_transaction_limit_yen),
        usesAccount: row.uses_account,
      };
      return refusalToStep(step, person, item, today) === undefined;
    })
    .slice(0, awaitedPeopleMax)
    .map((row) => ({ ref: row.id, userId: row.user_id, displayName: row.display_name }));
  return { step, people };
}
