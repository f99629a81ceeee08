import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { ApplicationKind, ChangeApplication, Staff } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, isAppError } from '../../errors.ts';
import { gridCardAssociatedData } from '../../auth/grid-card.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { applicablePerson, applyApplication, needsRegistration } from './application-effects.ts';
import { payloadFromRow, storedPayload, type ApplicationInput } from './application-payload.ts';
import type { ChangeActor } from './change-actor.ts';
import { prepareRegistration } from './registration.ts';

/**
 * The four-eyes rule for the bank's changes to a contract: a member of staff records the customer's
 * change application [変更申込み書]; another member, an approver, approves it, and only then does
 * it take effect, in the approval's transaction. A recorder records; an approver records and decides,
 * never an application of their own (the database checks this too).
 */
export interface StaffContext {
  staff: Staff;
  ip: string;
  userAgent?: string;
}

function actorOf(context: StaffContext): ChangeActor {
  return { actor: `staff:${context.staff.login_id}`, ip: context.ip, userAgent: context.userAgent };
}

function auditOf(context: StaffContext) {
  return { actor: `staff:${context.staff.login_id}`, ip: context.ip, userAgent: context.userAgent };
}

/** Records an application after checking it could take effect now; nothing changes until approval. */
export async function recordApplication(deps: Deps, context: StaffContext, input: ApplicationInput): Promise<{ id: number }> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    let userRef: number | null = null;
    if (input.payload.kind !== 'onboard') {
      const contract = await tx.selectFrom('contract').selectAll().where('id', '=', input.contractId!).executeTakeFirst();
      if (!contract) throw new AppError('NOT_FOUND');
      userRef = (await applicablePerson(tx, input.payload, contract))?.id ?? null;
    }
    const row = await tx
      .insertInto('change_application')
      .values({
        contract_id: input.contractId,
        // The certificate kinds (migration 0006) are allowed by the table's CHECK; the column's type names the first ones only.
        kind: input.payload.kind,
        payload: JSON.stringify(storedPayload(input.payload)),
        reference: input.reference,
        recorded_by: context.staff.id,
        recorded_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      ...auditOf(context),
      at: now,
      contractId: input.contractId,
      userRef,
      action: 'application.record',
      outcome: 'success',
      details: { application: row.id, kind: input.payload.kind, reference: input.reference, payload: storedPayload(input.payload) },
    });
    return row;
  });
}

/** Why a decision found nothing to decide: the refusals an approver can meet. */
async function refusalOf(deps: Deps, context: StaffContext, id: number): Promise<AppError> {
  const row = await deps.db.selectFrom('change_application').select(['status', 'recorded_by']).where('id', '=', id).executeTakeFirst();
  if (!row) return new AppError('NOT_FOUND');
  if (row.status !== 'pending') return new AppError('OPERATOR_APPLICATION_DECIDED');
  if (row.recorded_by === context.staff.id) return new AppError('OPERATOR_OWN_APPLICATION');
  return new AppError('OPERATOR_APPLICATION_DECIDED');
}

/** Refusals are kept in the audit trail too: an attempt to decide without the right is evidence. */
async function refuse(deps: Deps, context: StaffContext, id: number, action: string, error: AppError): Promise<never> {
  const row = await deps.db.selectFrom('change_application').select('contract_id').where('id', '=', id).executeTakeFirst();
  await recordAudit(deps.db, {
    ...auditOf(context),
    at: deps.clock.now(),
    contractId: row?.contract_id ?? null,
    userRef: null,
    action,
    outcome: 'failure',
    reason: error.code,
    details: { application: id },
  });
  throw error;
}

function mustBeApprover(context: StaffContext): AppError | undefined {
  return context.staff.role === 'approver' ? undefined : new AppError('OPERATOR_ROLE_REFUSED');
}

/**
 * Approves and applies, in one transaction. The conditional UPDATE is the race gate (house rule 4):
 * of two approvals at once, one finds the application pending; the other finds nothing to do. If
 * the change cannot be made any more (the master's stop was lifted meanwhile, …), everything rolls
 * back and the application stays pending, to be rejected.
 */
export async function approveApplication(deps: Deps, context: StaffContext, id: number): Promise<{ secretsToHandOver: boolean }> {
  const notApprover = mustBeApprover(context);
  if (notApprover) return refuse(deps, context, id, 'application.approve', notApprover);
  const pending = await deps.db.selectFrom('change_application').selectAll().where('id', '=', id).executeTakeFirst();
  if (!pending) throw new AppError('NOT_FOUND');
  const payload = payloadFromRow(pending.kind, pending.payload);
  // The slow hash is made before the transaction opens, so no lock waits on it.
  const registration = needsRegistration(payload) ? await prepareRegistration(deps) : undefined;
  const now = deps.clock.now();
  const approve = () => inTransaction(deps.db, async (tx) => {
    const claimed = await tx
      .updateTable('change_application')
      .set({ status: 'approved', decided_by: context.staff.id, decided_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('recorded_by', '<>', context.staff.id)
      .returningAll()
      .executeTakeFirst();
    if (!claimed) return undefined;
    const effect = await applyApplication(deps, tx, { payload, contractId: claimed.contract_id, registration, by: actorOf(context) });
    const handover = effect.registrationPassword !== undefined || typeof effect.result.cardSerial === 'string';
    const result: Record<string, unknown> = { ...effect.result };
    if (handover) result.handover = 'pending';
    if (effect.registrationPassword !== undefined) {
      result.registrationPasswordSealed = deps.keyring.seal(effect.registrationPassword, registrationAssociatedData(id));
    }
    await tx.updateTable('change_application').set({ contract_id: effect.contractId, result: JSON.stringify(result) }).where('id', '=', id).execute();
    await recordAudit(tx, {
      ...auditOf(context),
      at: now,
      contractId: effect.contractId,
      userRef: null,
      action: 'application.approve',
      outcome: 'success',
      details: { application: id, kind: claimed.kind, reference: claimed.reference, recordedBy: claimed.recorded_by, result: effect.result },
    });
    return { secretsToHandOver: handover };
  });
  let done: { secretsToHandOver: boolean } | undefined;
  try {
    done = await approve();
  } catch (error) {
    // The change could not be made: nothing was, and the application is still pending.
    if (isAppError(error)) return refuse(deps, context, id, 'application.approve', error);
    throw error;
  }
  if (!done) return refuse(deps, context, id, 'application.approve', await refusalOf(deps, context, id));
  return done;
}

export async function rejectApplication(deps: Deps, context: StaffContext, id: number, note: string): Promise<void> {
  const notApprover = mustBeApprover(context);
  if (notApprover) return refuse(deps, context, id, 'application.reject', notApprover);
  const now = deps.clock.now();
  const done = await inTransaction(deps.db, async (tx) => {
    const row = await tx
      .updateTable('change_application')
      .set({ status: 'rejected', decided_by: context.staff.id, decided_at: now, decision_note: note || null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('recorded_by', '<>', context.staff.id)
      .returning(['contract_id', 'kind', 'reference'])
      .executeTakeFirst();
    if (!row) return false;
    await recordAudit(tx, {
      ...auditOf(context),
      at: now,
      contractId: row.contract_id,
      userRef: null,
      action: 'application.reject',
      outcome: 'success',
      details: { application: id, kind: row.kind, reference: row.reference, note },
    });
    return true;
  });
  if (!done) await refuse(deps, context, id, 'application.reject', await refusalOf(deps, context, id));
}

/** The member who recorded an application may take it back while it is pending. */
export async function withdrawApplication(deps: Deps, context: StaffContext, id: number): Promise<void> {
  const now = deps.clock.now();
  const done = await inTransaction(deps.db, async (tx) => {
    const row = await tx
      .updateTable('change_application')
      .set({ status: 'withdrawn', decided_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('recorded_by', '=', context.staff.id)
      .returning(['contract_id', 'kind', 'reference'])
      .executeTakeFirst();
    if (!row) return false;
    await recordAudit(tx, { ...auditOf(context), at: now, contractId: row.contract_id, userRef: null, action: 'application.withdraw', outcome: 'success', details: { application: id, kind: row.kind, reference: row.reference } });
    return true;
  });
  if (done) return;
  const row = await deps.db.selectFrom('change_application').select(['status', 'recorded_by']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND');
  throw new AppError(row.status === 'pending' ? 'OPERATOR_ROLE_REFUSED' : 'OPERATOR_APPLICATION_DECIDED');
}

export function registrationAssociatedData(applicationId: number): string {
  return `change_application:${applicationId}:registration_password`;
}

export interface HandedOver {
  application: ChangeApplication;
  registrationPassword?: { password: string; expiresAt: string };
  card?: { serial: string; digits: string; expiresAt: Date; userId: string };
  contractId: string;
  companyName: string;
}

/**
 * The secrets an approval produced (a registration password, a printable card) are shown once, to
 * the approver, who hands them to the customer by the bank's own channels (R1.3, R3.3). Showing them
 * is one conditional statement (house rule 4) that also drops the sealed password, and is audited.
 */
export async function handOverSecrets(deps: Deps, context: StaffContext, id: number): Promise<HandedOver> {
  const now = deps.clock.now();
  const shown = await inTransaction(deps.db, async (tx) => {
    const row = await sql<{ before: Record<string, unknown>; contract_id: string; kind: ApplicationKind }>`
      UPDATE change_application AS a
         SET result = (a.result - 'registrationPasswordSealed') || jsonb_build_object('handover', 'done', 'handedOverAt', ${now.toISOString()}::text)
        FROM change_application AS old
       WHERE a.id = ${id} AND old.id = a.id AND a.status = 'approved' AND a.decided_by = ${context.staff.id}
         AND a.result->>'handover' = 'pending'
      RETURNING old.result AS before, a.contract_id, a.kind`.execute(tx);
    const first = row.rows[0];
    if (!first) return undefined;
    const shownKinds = [first.before.registrationPasswordSealed ? 'registration_password' : undefined, first.before.cardSerial ? 'grid_card' : undefined].filter(Boolean);
    await recordAudit(tx, {
      ...auditOf(context),
      at: now,
      contractId: first.contract_id,
      userRef: null,
      action: 'application.handover',
      outcome: 'success',
      details: { application: id, kind: first.kind, shown: shownKinds, cardSerial: first.before.cardSerial ?? null },
    });
    return first;
  });
  if (!shown) {
    const row = await deps.db.selectFrom('change_application').select(['decided_by', 'status', 'result']).where('id', '=', id).executeTakeFirst();
    if (!row || row.status !== 'approved' || !row.result?.handover) throw new AppError('NOT_FOUND');
    throw new AppError(row.decided_by === context.staff.id ? 'OPERATOR_SECRETS_SHOWN' : 'OPERATOR_ROLE_REFUSED');
  }
  const application = await deps.db.selectFrom('change_application').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const contract = await deps.db.selectFrom('contract').select('company_name').where('id', '=', shown.contract_id).executeTakeFirstOrThrow();
  const before = shown.before;
  const handed: HandedOver = { application, contractId: shown.contract_id, companyName: contract.company_name };
  if (typeof before.registrationPasswordSealed === 'string') {
    handed.registrationPassword = {
      password: deps.keyring.open(before.registrationPasswordSealed, registrationAssociatedData(id)),
      expiresAt: String(before.registrationPasswordExpiresAt),
    };
  }
  if (typeof before.cardSerial === 'string') {
    const card = await deps.db
      .selectFrom('grid_card')
      .innerJoin('users', 'users.id', 'grid_card.user_ref')
      .select(['grid_card.serial', 'grid_card.digits_sealed', 'grid_card.expires_at', 'users.user_id'])
      .where('users.contract_id', '=', shown.contract_id)
      .where('grid_card.serial', '=', before.cardSerial)
      .executeTakeFirstOrThrow();
    handed.card = {
      serial: card.serial,
      digits: deps.keyring.open(card.digits_sealed, gridCardAssociatedData(card.serial)),
      expiresAt: card.expires_at,
      userId: card.user_id,
    };
  }
  return handed;
}
