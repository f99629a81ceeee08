import type { Tx } from '../../db/transaction.ts';
import { recordAudit } from '../../audit/audit-trail.ts';

/** Who makes a change, as the audit trail names them (`operator:<name>`, `staff:<login>`), and from where. */
export interface ChangeActor {
  actor: string;
  ip?: string;
  userAgent?: string;
}

/** The operator CLI's changes are recorded under the name the bank's operator gave. */
export function operatorActor(operator: string): ChangeActor {
  return { actor: `operator:${operator}` };
}

/** The audit record of a change the bank made, written in the change's own transaction (house rule 8). */
export async function recordBankChange(
  tx: Tx,
  by: ChangeActor,
  change: { at: Date; contractId: string; userRef: number | null; action: string; details: Record<string, unknown> },
): Promise<void> {
  await recordAudit(tx, { actor: by.actor, ip: by.ip, userAgent: by.userAgent, ...change, outcome: 'success' });
}
