import assert from 'node:assert/strict';
import type { LiveSession } from '../access/sessions.ts';
import type { RequestContext } from '../access/request-context.ts';
import type { Staff } from '../db/schema.ts';
import { userActor } from '../audit/audit-trail.ts';

/** Who asks for a change, and where the request came from: a customer, or a member of the bank's staff. */
export type CommandActor = CustomerActor | StaffActor;

/** A customer through their live session: the change is their contract's, confirmed with their secrets. */
export interface CustomerActor {
  live: LiveSession;
  context: RequestContext;
}

/**
 * A member of the bank's staff through the console: no contract of their own (the command reports
 * the one its change concerns) and no customer secret to confirm a change with.
 */
export interface StaffActor {
  staff: Staff;
  context: RequestContext;
}

/** Whom an audit record names, and the contract and person it is filed under. */
export interface AuditParty {
  contractId: string | null;
  userRef: number | null;
  actor: string;
}

/**
 * A customer's records go to their own contract's chain, about themselves unless the change names
 * another person. A staff member's go to the contract the command reports (null for a contract an
 * onboarding has yet to make), about the person the change names, if any.
 */
export function auditPartyOf(actor: CommandActor, reported: { contractId?: string | null; subjectRef?: number }): AuditParty {
  if ('live' in actor) {
    const { user } = actor.live;
    assert(reported.contractId === undefined || reported.contractId === user.contract_id, "a customer's change is recorded under the customer's own contract");
    return { contractId: user.contract_id, userRef: reported.subjectRef ?? user.id, actor: userActor(user.contract_id, user.user_id) };
  }
  assert(reported.contractId !== undefined, "a staff member's change reports the contract it is recorded under");
  return { contractId: reported.contractId, userRef: reported.subjectRef ?? null, actor: staffAuditActor(actor.staff) };
}

/** How the audit trail names a member of the bank's staff. */
export function staffAuditActor(staff: Pick<Staff, 'login_id'>): string {
  return `staff:${staff.login_id}`;
}
