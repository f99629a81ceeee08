import type { Deps } from '../../deps.ts';
import type { ChangeApplication, Staff } from '../../db/schema.ts';
import type { Executor, Tx } from '../../db/transaction.ts';
import { sql } from 'kysely';
import { isAppError, type ErrorCode } from '../../errors.ts';
import { runCommand, type Judgement, type Refusal } from '../../command/pipeline.ts';
import { applyApplication, needsRegistration, type Effect } from './application-effects.ts';
import { registrationAssociatedData } from './application-handover.ts';
import { payloadFromRow, type ApplicationPayload } from './application-payload.ts';
import { prepareRegistration, type PreparedRegistration } from './registration.ts';
import { staffChangeActor, staffCommandActor, type StaffContext } from './staff-actor.ts';

/**
 * The decisions on a recorded application: another member, an approver, approves or rejects it; the
 * member who recorded it withdraws it. Each decision's write is a conditional UPDATE of the pending
 * application, which is the race gate (house rule 4): of two decisions at once, one finds the
 * application pending and the other is refused from what it finds then. The bank's staff confirm no
 * decision with a customer's secret: the second member is the confirmation.
 */

/**
 * A refused approval or rejection, kept in the audit trail under the application's contract with
 * the code as its reason: an attempt to decide without the right is evidence.
 */
function decisionRefusal(code: ErrorCode, contractId: string | null, field?: string, params?: Record<string, string>): Refusal {
  // The values the message names (the serial of a token stored meanwhile) are shown and kept with it.
  const named = params && Object.keys(params).length > 0 ? params : undefined;
  return { code, field, audit: { ...named }, reason: code, contractId, ...(named ? { params: named } : {}) };
}

/** A member who is no approver may not decide at all. */
async function notApprover(executor: Executor, id: number): Promise<{ refused: Refusal }> {
  const row = await executor.selectFrom('change_application').select('contract_id').where('id', '=', id).executeTakeFirst();
  return { refused: decisionRefusal('OPERATOR_ROLE_REFUSED', row?.contract_id ?? null) };
}

/** Why a decision's claim found nothing to decide: the refusals an approver can meet. */
async function refusalOf(executor: Executor, staff: Staff, id: number): Promise<Refusal> {
  const row = await executor.selectFrom('change_application').select(['status', 'recorded_by', 'contract_id']).where('id', '=', id).executeTakeFirst();
  if (!row) return decisionRefusal('NOT_FOUND', null);
  if (row.status !== 'pending') return decisionRefusal('OPERATOR_APPLICATION_DECIDED', row.contract_id);
  if (row.recorded_by === staff.id) return decisionRefusal('OPERATOR_OWN_APPLICATION', row.contract_id);
  return decisionRefusal('OPERATOR_APPLICATION_DECIDED', row.contract_id);
}

type Pending = { application: ChangeApplication; payload: ApplicationPayload };

// The judgements of an approval and a rejection leave the application's status and recorder to the
// write's claim: a refusal of the second judgement is not recorded, and one of a decision is.

/**
 * Approves and applies, in one transaction. If the change cannot be made any more (the master's
 * stop was lifted meanwhile, …), everything rolls back and the application stays pending, to be
 * rejected; the refusal is recorded.
 */
export function approveApplication(deps: Deps, context: StaffContext, id: number): Promise<{ secretsToHandOver: boolean }> {
  const { staff } = context;
  return runCommand<Pending, PreparedRegistration | undefined, { secretsToHandOver: boolean }>(deps, staffCommandActor(context), {
    action: 'application.approve',
    details: { application: id },
    async judge(executor): Promise<Judgement<Pending, never>> {
      if (staff.role !== 'approver') return notApprover(executor, id);
      const application = await executor.selectFrom('change_application').selectAll().where('id', '=', id).executeTakeFirst();
      if (!application) return { refused: { code: 'NOT_FOUND' } };
      return { go: { application, payload: payloadFromRow(application.kind, application.payload) } };
    },
    // The slow hash is made before the transaction opens, so no lock waits on it.
    prepare: ({ payload }) => (needsRegistration(payload) ? prepareRegistration(deps) : undefined),
    confirm: () => [],
    async write(tx, { payload }, registration, now) {
      const claimed = await tx
        .updateTable('change_application')
        .set({ status: 'approved', decided_by: staff.id, decided_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('recorded_by', '<>', staff.id)
        .returningAll()
        .executeTakeFirst();
      if (!claimed) return { refused: await refusalOf(tx, staff, id) };
      let effect: Effect;
      try {
        effect = await applyApplication(deps, tx, { payload, contractId: claimed.contract_id, registration, by: staffChangeActor(context) });
      } catch (error) {
        // The change could not be made: the refusal rolls back the claim with it.
        if (isAppError(error)) return { refused: decisionRefusal(error.code, claimed.contract_id, error.field, error.params) };
        throw error;
      }
      const handover = effect.registrationPassword !== undefined || typeof effect.result.cardSerial === 'string';
      const result: Record<string, unknown> = { ...effect.result };
      if (handover) result.handover = 'pending';
      if (effect.registrationPassword !== undefined) {
        result.registrationPasswordSealed = deps.keyring.seal(effect.registrationPassword, registrationAssociatedData(id));
      }
      await tx.updateTable('change_application').set({ contract_id: effect.contractId, result: JSON.stringify(result) }).where('id', '=', id).execute();
      await dropSealedSecrets(tx, id);
      return {
        result: { secretsToHandOver: handover },
        // An onboarding's record goes to the contract it made.
        contractId: effect.contractId,
        details: { kind: claimed.kind, reference: claimed.reference, recordedBy: claimed.recorded_by, result: effect.result },
      };
    },
  });
}

export async function rejectApplication(deps: Deps, context: StaffContext, id: number, note: string): Promise<void> {
  const { staff } = context;
  await runCommand<undefined, void, void>(deps, staffCommandActor(context), {
    action: 'application.reject',
    details: { application: id },
    judge: async (executor) => (staff.role === 'approver' ? { go: undefined } : notApprover(executor, id)),
    confirm: () => [],
    async write(tx, _judged, _prepared, now) {
      const row = await tx
        .updateTable('change_application')
        .set({ status: 'rejected', decided_by: staff.id, decided_at: now, decision_note: note || null })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('recorded_by', '<>', staff.id)
        .returning(['contract_id', 'kind', 'reference'])
        .executeTakeFirst();
      if (!row) return { refused: await refusalOf(tx, staff, id) };
      await dropSealedSecrets(tx, id);
      return { result: undefined, contractId: row.contract_id, details: { kind: row.kind, reference: row.reference, note } };
    },
  });
}

/**
 * R6.2: a decided token import keeps its serials and expiry dates, but not the sealed secrets it
 * carried to the approval: once stored (or refused) they have no use there, and fewer copies of a
 * secret are fewer to guard.
 */
async function dropSealedSecrets(tx: Tx, id: number): Promise<void> {
  await sql`
    UPDATE change_application SET payload = jsonb_set(payload, '{tokens}',
      (SELECT coalesce(jsonb_agg(token - 'secretSealed'), '[]'::jsonb) FROM jsonb_array_elements(payload -> 'tokens') AS token))
    WHERE id = ${id} AND kind = 'import_tokens'`.execute(tx);
}

/** The member who recorded an application may take it back while it is pending; a refusal is not recorded. */
export async function withdrawApplication(deps: Deps, context: StaffContext, id: number): Promise<void> {
  const { staff } = context;
  await runCommand<undefined, void, void>(deps, staffCommandActor(context), {
    action: 'application.withdraw',
    details: { application: id },
    // Nothing to judge before the write: its conditional UPDATE is the judgement.
    judge: async () => ({ go: undefined }),
    confirm: () => [],
    async write(tx, _judged, _prepared, now) {
      const row = await tx
        .updateTable('change_application')
        .set({ status: 'withdrawn', decided_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('recorded_by', '=', staff.id)
        .returning(['contract_id', 'kind', 'reference'])
        .executeTakeFirst();
      if (!row) return { refused: await withdrawalRefusal(tx, id) };
      await dropSealedSecrets(tx, id);
      return { result: undefined, contractId: row.contract_id, details: { kind: row.kind, reference: row.reference } };
    },
  });
}

/** Why a withdrawal found nothing to withdraw: a pending application of another member's, or a decided one. */
async function withdrawalRefusal(executor: Executor, id: number): Promise<Refusal> {
  const row = await executor.selectFrom('change_application').select('status').where('id', '=', id).executeTakeFirst();
  if (!row) return { code: 'NOT_FOUND' };
  return { code: row.status === 'pending' ? 'OPERATOR_ROLE_REFUSED' : 'OPERATOR_APPLICATION_DECIDED' };
}
