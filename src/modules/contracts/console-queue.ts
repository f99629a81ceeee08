import type { Deps } from '../../deps.ts';
import type { CardRequestReason, LockMode, Role } from '../../db/schema.ts';
import { mayLift } from '../../domain/lock-modes.ts';

/**
 * The bank's work queue across all contracts (R3.3, R2.3): grid cards a customer asked for and the
 * bank has not issued yet, and people who are stopped. Oldest first, so the longest wait is served
 * first. A stop says who lifts it: the bank (a master's, or anyone's in a linked contract), or the
 * customer's master (a general user's, not linked), whom the help desk can point the caller to.
 */
export const queueItemsMax = 200;

export type QueueItem =
  | { kind: 'card_request'; at: Date; contractId: string; companyName: string; userId: string; reason: CardRequestReason }
  | { kind: 'stop'; at: Date; contractId: string; companyName: string; userId: string; role: Role; liftedBy: 'operator' | 'customer' };

export async function bankQueue(deps: Deps): Promise<QueueItem[]> {
  const cards = await deps.db
    .selectFrom('grid_card_request')
    .innerJoin('users', 'users.id', 'grid_card_request.user_ref')
    .innerJoin('contract', 'contract.id', 'users.contract_id')
    .select(['grid_card_request.requested_at', 'grid_card_request.reason', 'users.user_id', 'contract.id as contract_id', 'contract.company_name'])
    .where('grid_card_request.fulfilled_at', 'is', null)
    .where('grid_card_request.cancelled_at', 'is', null)
    .where('users.status', '<>', 'deleted')
    .orderBy('grid_card_request.requested_at')
    .orderBy('grid_card_request.id')
    .limit(queueItemsMax)
    .execute();
  const stops = await deps.db
    .selectFrom('users')
    .innerJoin('contract', 'contract.id', 'users.contract_id')
    .select(['users.stopped_at', 'users.user_id', 'users.role', 'contract.id as contract_id', 'contract.company_name', 'contract.lock_mode'])
    .where('users.stopped_at', 'is not', null)
    .where('users.status', '<>', 'deleted')
    .orderBy('users.stopped_at')
    .orderBy('users.id')
    .limit(queueItemsMax)
    .execute();
  const items: QueueItem[] = [
    ...cards.map((row) => ({
      kind: 'card_request' as const,
      at: row.requested_at,
      contractId: row.contract_id,
      companyName: row.company_name,
      userId: row.user_id,
      reason: row.reason,
    })),
    ...stops.map((row) => ({
      kind: 'stop' as const,
      at: row.stopped_at!,
      contractId: row.contract_id,
      companyName: row.company_name,
      userId: row.user_id,
      role: row.role,
      liftedBy: liftedBy(row.lock_mode, row.role),
    })),
  ];
  return items.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, queueItemsMax);
}

function liftedBy(mode: LockMode, role: Role): 'operator' | 'customer' {
  return mayLift(mode, role, 'operator') ? 'operator' : 'customer';
}
