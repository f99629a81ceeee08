import type { ApprovalMode } from '../../db/schema.ts';
import type { PayeeStatus } from '../../db/schema-payees.ts';

/**
 * R8.5 as it applies to payees: how many approvals a registration or change needs, and who may
 * approve, reject or withdraw it. Pure answers (a refusal code, or undefined when allowed); the
 * service asks before a change and the conditional update enforces the same in the write.
 */
export const approvalsRequiredByMode: Record<ApprovalMode, number> = { none: 0, single: 1, double: 2 };

export interface PayeeRights {
  /** Holds the transfer business at all: may see the contract's payees. */
  view: boolean;
  register: boolean;
  approve: boolean;
}

export interface PayeeFacts {
  status: PayeeStatus;
  createdBy: number;
  /** The people who have approved it so far. */
  approvedBy: readonly number[];
}

export type PayeeRefusal =
  | 'PAYEES_APPROVE_FORBIDDEN'
  | 'PAYEES_REGISTER_FORBIDDEN'
  | 'PAYEES_NOT_PENDING'
  | 'PAYEES_NOT_ACTIVE'
  | 'PAYEES_OWN_ITEM'
  | 'PAYEES_ALREADY_APPROVED'
  | 'PAYEES_NOT_REGISTRANT'
  | 'PAYEES_CHANGE_PENDING';

/** R8.5: a person with the approve step, never its registrant, never twice. */
export function refusalToApprove(rights: PayeeRights, payee: PayeeFacts, actorRef: number): PayeeRefusal | undefined {
  if (!rights.approve) return 'PAYEES_APPROVE_FORBIDDEN';
  if (payee.status !== 'pending') return 'PAYEES_NOT_PENDING';
  if (payee.createdBy === actorRef) return 'PAYEES_OWN_ITEM';
  if (payee.approvedBy.includes(actorRef)) return 'PAYEES_ALREADY_APPROVED';
  return undefined;
}

/** An approver may send a pending item back, unless it is their own or they already approved it. */
export function refusalToReject(rights: PayeeRights, payee: PayeeFacts, actorRef: number): PayeeRefusal | undefined {
  return refusalToApprove(rights, payee, actorRef);
}

/** The registrant may withdraw their item while it waits. */
export function refusalToWithdraw(payee: PayeeFacts, actorRef: number): PayeeRefusal | undefined {
  if (payee.status !== 'pending') return 'PAYEES_NOT_PENDING';
  if (payee.createdBy !== actorRef) return 'PAYEES_NOT_REGISTRANT';
  return undefined;
}

/** Changing or deleting takes the register step, on an active payee; one change waits at a time. */
export function refusalToChange(rights: PayeeRights, payee: PayeeFacts, changePending: boolean): PayeeRefusal | undefined {
  if (!rights.register) return 'PAYEES_REGISTER_FORBIDDEN';
  if (payee.status !== 'active') return 'PAYEES_NOT_ACTIVE';
  if (changePending) return 'PAYEES_CHANGE_PENDING';
  return undefined;
}

export function refusalToDelete(rights: PayeeRights, payee: PayeeFacts): PayeeRefusal | undefined {
  if (!rights.register) return 'PAYEES_REGISTER_FORBIDDEN';
  if (payee.status !== 'active') return 'PAYEES_NOT_ACTIVE';
  return undefined;
}

/** The status a new registration or change starts in. */
export function initialStatus(approvalsRequired: number): 'active' | 'pending' {
  return approvalsRequired === 0 ? 'active' : 'pending';
}
