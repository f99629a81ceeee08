/**
 * R2.3 lock modes and R2.5 forgotten passwords as pure rules: whom a person's stop blocks, who may
 * lift it, and who may reset a person's password. Types are restated here so that the domain
 * imports nothing of the database.
 */
export type LockMode = 'unlinked' | 'linked';
/** The stopped person's role in the contract. */
export type PersonRole = 'master' | 'user';
/** Whom a stop blocks: the stopped person alone, or every person of the contract. */
export type StopScope = 'person' | 'contract';
/** Who may release a stop. */
export type Releaser = 'master' | 'admin_user' | 'operator';
/** A logged-on person of the contract, by what they may administer (R1.4, R1.6). */
export type ActorKind = 'master' | 'admin_user' | 'general_user';

export interface StopRule {
  blocks: StopScope;
  liftedBy: readonly Releaser[];
}

/**
 * R2.3 (seed 002): not linked — a user's stop stops that user, lifted by the master or an admin
 * user; a master's stop stops the master and every user, lifted by the bank only. Linked — any stop
 * stops every service of the contract, lifted by the bank only.
 */
export const stopRules: Readonly<Record<LockMode, Readonly<Record<PersonRole, StopRule>>>> = {
  unlinked: {
    user: { blocks: 'person', liftedBy: ['master', 'admin_user'] },
    master: { blocks: 'contract', liftedBy: ['operator'] },
  },
  linked: {
    user: { blocks: 'contract', liftedBy: ['operator'] },
    master: { blocks: 'contract', liftedBy: ['operator'] },
  },
};

export function stopRule(mode: LockMode, stopped: PersonRole): StopRule {
  return stopRules[mode][stopped];
}

export function stopsContract(mode: LockMode, stopped: PersonRole): boolean {
  return stopRule(mode, stopped).blocks === 'contract';
}

export function mayLift(mode: LockMode, stopped: PersonRole, releaser: Releaser): boolean {
  return stopRule(mode, stopped).liftedBy.includes(releaser);
}

/**
 * The contract stays stopped while any person still stopped has a stop that blocks it: lifting one
 * of two stopped persons of a linked contract leaves the contract stopped by the other.
 */
export function contractStaysStopped(mode: LockMode, stillStopped: readonly PersonRole[]): boolean {
  return stillStopped.some((role) => stopsContract(mode, role));
}

/** Why a lift is refused: the actor administers nobody, or only the bank may lift this stop. */
export type LiftRefusal = 'FORBIDDEN' | 'STOP_LIFT_OPERATOR_ONLY';

export function liftRefusal(mode: LockMode, stopped: PersonRole, actor: ActorKind | 'operator'): LiftRefusal | undefined {
  if (actor === 'general_user') return 'FORBIDDEN';
  return mayLift(mode, stopped, actor) ? undefined : 'STOP_LIFT_OPERATOR_ONLY';
}

/** Why a password reset is refused. */
export type ResetRefusal = 'FORBIDDEN' | 'PASSWORD_RESET_OPERATOR_ONLY' | 'PASSWORD_RESET_SELF';

/**
 * R2.5: a user's forgotten password is reset by the master or an admin user; the master's needs
 * the bank (a new registration password after a change application), so nobody in the contract
 * resets it, the master included. One's own password is changed with the current one (R2.7), not
 * reset.
 */
export function resetRefusal(actor: { kind: ActorKind; ref: number }, subject: { role: PersonRole; ref: number }): ResetRefusal | undefined {
  if (actor.kind === 'general_user') return 'FORBIDDEN';
  if (subject.role === 'master') return 'PASSWORD_RESET_OPERATOR_ONLY';
  if (subject.ref === actor.ref) return 'PASSWORD_RESET_SELF';
  return undefined;
}
