import type { Contract, User } from '../db/schema.ts';

/** Stopped (R2.3), or suspended or deleted by the master (R1.4): no logon, no session. */
export function isBlocked(user: User, contract: Contract): boolean {
  return user.stopped_at !== null || contract.stopped_at !== null || user.status !== 'active';
}
