import type { Executor } from '../db/transaction.ts';

/**
 * The audit trail: every logon success and failure (with its real reason), stop, lift, password
 * change and card event. Written with the caller's executor, so inside the transaction of the change
 * it records (house rule 8).
 */
export interface AuditEvent {
  at: Date;
  contractId: string | null;
  userRef: number | null;
  /** `user:<contract>/<userId>`, `operator:<name>`, `system`, or `anonymous`. */
  actor: string;
  action: string;
  outcome: 'success' | 'failure' | 'info';
  reason?: string;
  ip?: string;
  userAgent?: string;
  details?: Record<string, unknown>;
}

const userAgentLengthMax = 300;

export async function recordAudit(executor: Executor, event: AuditEvent): Promise<void> {
  await executor
    .insertInto('audit_log')
    .values({
      at: event.at,
      contract_id: event.contractId,
      user_ref: event.userRef,
      actor: event.actor,
      action: event.action,
      outcome: event.outcome,
      reason: event.reason ?? null,
      ip: event.ip ?? null,
      user_agent: event.userAgent?.slice(0, userAgentLengthMax) ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

export function userActor(contractId: string, userId: string): string {
  return `user:${contractId}/${userId}`;
}
