import type { PayeeItem, PayeeStepRefusal } from '../../domain/approval.ts';

/**
 * R8.2: what may be done to a registered payee besides its approval, whose rules (approve, send back,
 * withdraw, the approvals a setting asks for) are those of every item, in src/domain/approval.ts.
 * Pure answers (a refusal code, or undefined when allowed); the service asks before a change and the
 * conditional update enforces the same in the write.
 */

export interface PayeeRights {
  /** Holds the transfer business at all: may see the contract's payees. */
  view: boolean;
  register: boolean;
  approve: boolean;
}

export type PayeeRefusal = PayeeStepRefusal | 'PAYEES_REGISTER_FORBIDDEN' | 'PAYEES_NOT_ACTIVE' | 'PAYEES_CHANGE_PENDING';

/** Changing or deleting takes the register step, on an active payee; one change waits at a time. */
export function refusalToChange(rights: PayeeRights, payee: PayeeItem, changePending: boolean): PayeeRefusal | undefined {
  if (!rights.register) return 'PAYEES_REGISTER_FORBIDDEN';
  if (payee.status !== 'active') return 'PAYEES_NOT_ACTIVE';
  if (changePending) return 'PAYEES_CHANGE_PENDING';
  return undefined;
}

export function refusalToDelete(rights: PayeeRights, payee: PayeeItem): PayeeRefusal | undefined {
  if (!rights.register) return 'PAYEES_REGISTER_FORBIDDEN';
  if (payee.status !== 'active') return 'PAYEES_NOT_ACTIVE';
  return undefined;
}
