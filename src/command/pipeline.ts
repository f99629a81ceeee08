import type { Deps } from '../deps.ts';
import type { Executor, Tx } from '../db/transaction.ts';
import { inTransaction } from '../db/transaction.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { recordAudit } from '../audit/audit-trail.ts';
import { auditPartyOf, type CommandActor } from './actor.ts';
import { confirmSecrets, type Confirmation } from './confirmation.ts';

export type { CommandActor, CustomerActor, StaffActor } from './actor.ts';

/** A rule's refusal: the error the person sees, the field it concerns, and whether the audit trail keeps it. */
export interface Refusal {
  code: ErrorCode;
  field?: string;
  /** A refusal worth keeping (what a stolen session or a curious colleague would try), with its details. */
  audit?: Record<string, unknown>;
  /** The audit record's reason, when not the code in lower case. */
  reason?: string;
  /** For an actor with no contract of its own (staff): the contract the refusal is recorded under. */
  contractId?: string | null;
  /** The person the refused action was aimed at, whose history then shows who tried; the actor when absent. */
  subjectRef?: number;
  /** The values the error's message names (the serial a refused token import names), as AppError's params. */
  params?: Record<string, string>;
}

/** What a judgement finds: the change may go ahead with what it read, is refused, or there is nothing to change. */
export type Judgement<Judged, Result> = { go: Judged } | { refused: Refusal } | { unchanged: Result };

/** What the write reports for the audit record of the change (house rule 8). */
export interface Written<Result> {
  result: Result;
  /** The person the change concerns, when not the actor. */
  subjectRef?: number;
  /**
   * The write recorded the change itself, as the record it is known by (a reissue is the revocation
   * it makes, recorded by revokeCertificate): no second success record.
   */
  recordedByWrite?: true;
  details?: Record<string, unknown>;
  /** For an actor with no contract of its own (staff): the contract the change concerns, or made. */
  contractId?: string | null;
}

/**
 * A change to people, permissions, payees, contracts, certificates or settings, declared as the
 * steps every change goes through. runCommand runs them in this order:
 * 1. `judge` on the database as it is: a refusal is answered (and recorded when it says so) before
 *    any secret is asked, so refused input costs no attempt;
 * 2. `prepare`: checks of the input and work that need no lock (a password's rules, its hash);
 * 3. `confirm`: the secrets that confirm the change (R1.5), each checked by checkSecret, counted
 *    towards the stop (R2.3);
 * 4. in one transaction: `lock`, `judge` again on what is locked (nothing can change between the
 *    judgement and the write), `write`, the audit record, `notify` (house rule 8).
 * A refusal of the second judgement only rolls back. A write whose own gate refuses (a conditional
 * claim that finds nothing to claim, house rule 4) rolls back too, and its refusal is recorded when
 * it says so, like the first judgement's: the command knows whether losing that gate is evidence.
 */
export interface Command<Judged, Prepared, Result> {
  /** The audit trail's name of the change, e.g. 'user.create'. */
  action: string;
  /** Details every record of this change carries (the subject's user ID, the payee's number). */
  details?: Record<string, unknown>;
  judge(executor: Executor): Promise<Judgement<Judged, Result>>;
  prepare?(judged: Judged): Promise<Prepared> | Prepared;
  confirm(judged: Judged): Confirmation[];
  /** Locks taken before the second judgement, in the house's one lock order (contract, then person). */
  lock?(tx: Tx): Promise<void>;
  write(tx: Tx, judged: Judged, prepared: Prepared, now: Date): Promise<Written<Result> | { refused: Refusal }>;
  notify?(tx: Tx, judged: Judged, written: Written<Result>, now: Date): Promise<void>;
}

export async function runCommand<Judged, Prepared, Result>(
  deps: Deps,
  actor: CommandActor,
  command: Command<Judged, Prepared, Result>,
): Promise<Result> {
  const first = await judgeCommand(deps, actor, command);
  if ('unchanged' in first) return first.unchanged;
  const prepared = (await command.prepare?.(first.go)) as Prepared;
  await confirmSecrets(deps, actor, command.action, command.confirm(first.go));
  try {
    return await inTransaction(deps.db, async (tx) => {
      await command.lock?.(tx);
      const second = await command.judge(tx);
      if ('unchanged' in second) return second.unchanged;
      if ('refused' in second) throw refusalError(second.refused);
      const now = deps.clock.now();
      const written = await command.write(tx, second.go, prepared, now);
      if ('refused' in written) throw new RefusedByWrite(written.refused);
      if (!written.recordedByWrite) await recordAudit(tx, {
        at: now,
        ...auditPartyOf(actor, written),
        action: command.action,
        outcome: 'success',
        ip: actor.context.ip,
        userAgent: actor.context.userAgent,
        details: { ...command.details, ...written.details },
      });
      await command.notify?.(tx, second.go, written, now);
      return written.result;
    });
  } catch (error) {
    if (error instanceof RefusedByWrite) return answerRefusal(deps, actor, command, error.refusal);
    throw error;
  }
}

/** Carries a write's refusal out of its transaction, which the throw rolls back. */
class RefusedByWrite extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.code);
    this.refusal = refusal;
  }
}

/** A refusal answered, recorded first when it says so. */
async function answerRefusal(deps: Deps, actor: CommandActor, command: { action: string; details?: Record<string, unknown> }, refusal: Refusal): Promise<never> {
  if (refusal.audit) await recordRefusal(deps, actor, command, refusal);
  throw refusalError(refusal);
}

/**
 * Step 1 alone, for a page that comes before the change's confirmation (a form, its review): the
 * judgement on the database as it is, a refusal answered and recorded as runCommand would.
 */
export async function judgeCommand<Judged, Result>(
  deps: Deps,
  actor: CommandActor,
  command: Pick<Command<Judged, unknown, Result>, 'action' | 'details' | 'judge'>,
): Promise<{ go: Judged } | { unchanged: Result }> {
  const judgement = await command.judge(deps.db);
  if ('refused' in judgement) return answerRefusal(deps, actor, command, judgement.refused);
  return judgement;
}

export function refusalError(refusal: Refusal): AppError {
  return new AppError(refusal.code, { ...(refusal.field === undefined ? {} : { field: refusal.field }), ...(refusal.params ? { params: refusal.params } : {}) });
}

/**
 * A refusal kept in the audit trail, in a transaction of its own so that it stays: also for a page's
 * gate (who may open the page at all), which refuses before any command is built.
 */
export async function recordRefusal(deps: Deps, actor: CommandActor, command: { action: string; details?: Record<string, unknown> }, refusal: Refusal): Promise<void> {
  await recordAudit(deps.db, {
    at: deps.clock.now(),
    ...auditPartyOf(actor, { contractId: refusal.contractId, subjectRef: refusal.subjectRef }),
    action: command.action,
    outcome: 'failure',
    reason: refusal.reason ?? refusal.code.toLowerCase(),
    ip: actor.context.ip,
    userAgent: actor.context.userAgent,
    details: { ...command.details, ...refusal.audit },
  });
}
