import type { Staff } from '../../db/schema.ts';
import { staffAuditActor, type StaffActor } from '../../command/actor.ts';
import type { ChangeActor } from './change-actor.ts';

/** The member of the bank's staff acting through the console, and from where (R9.1). */
export interface StaffContext {
  staff: Staff;
  ip: string;
  userAgent?: string;
}

/** The member as the command pipeline sees them. */
export function staffCommandActor(context: StaffContext): StaffActor {
  return { staff: context.staff, context: { ip: context.ip, userAgent: context.userAgent } };
}

/** The member as the changes an approval makes record them (person.lift_stop, card.issue, …): the name the pipeline records too. */
export function staffChangeActor(context: StaffContext): ChangeActor {
  return { actor: staffAuditActor(context.staff), ip: context.ip, userAgent: context.userAgent };
}
