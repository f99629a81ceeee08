import type { Deps } from '../../deps.ts';
import type { Contract, User } from '../../db/schema.ts';
import { runCommand } from '../../command/pipeline.ts';
import { applicablePerson } from './application-effects.ts';
import { refuseHeldSerials } from '../tokens/import.ts';
import { auditedPayload, storedPayload, type ApplicationInput } from './application-payload.ts';
import { staffCommandActor, type StaffContext } from './staff-actor.ts';

/**
 * The four-eyes rule for the bank's changes to a contract: a member of staff records the customer's
 * change application [変更申込み書]; another member, an approver, approves it, and only then does
 * it take effect, in the approval's transaction (application-decisions.ts). A recorder records; an
 * approver records and decides, never an application of their own (the database checks this too).
 * Each step is a command of the pipeline (src/command/pipeline.ts) with a staff member as its actor.
 */
export type { StaffContext } from './staff-actor.ts';
export { approveApplication, rejectApplication, withdrawApplication } from './application-decisions.ts';
export { handOverSecrets, registrationAssociatedData, type HandedOver } from './application-handover.ts';

/** Records an application after checking it could take effect now; nothing changes until approval. */
export function recordApplication(deps: Deps, context: StaffContext, input: ApplicationInput): Promise<{ id: number }> {
  return runCommand<Contract | undefined, void, { id: number }>(deps, staffCommandActor(context), {
    action: 'application.record',
    async judge(executor) {
      // An onboarding makes its contract; a token import is the bank's own.
      if (input.payload.kind === 'onboard' || input.payload.kind === 'import_tokens') return { go: undefined };
      // parseApplicationForm gives every other kind the contract it concerns.
      const contract = await executor.selectFrom('contract').selectAll().where('id', '=', input.contractId!).executeTakeFirst();
      return contract ? { go: contract } : { refused: { code: 'NOT_FOUND' } };
    },
    // The bank's staff confirm no change with a customer's secret: the approval by another member is the confirmation.
    confirm: () => [],
    async write(tx, contract, _prepared, now) {
      // The rules of each kind are checked here rather than in judge: applicablePerson takes the
      // transaction (the approval runs it under the contract's lock), and its refusals are the
      // recorder's input errors, answered as it throws them and not recorded.
      const person: User | undefined = contract ? await applicablePerson(tx, input.payload, contract, now) : undefined;
      // R6.2: a file with a serial the bank holds already is refused now rather than at approval.
      if (input.payload.kind === 'import_tokens') await refuseHeldSerials(tx, input.payload.tokens);
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
      return {
        result: row,
        contractId: input.contractId,
        subjectRef: person?.id,
        details: { application: row.id, kind: input.payload.kind, reference: input.reference, payload: auditedPayload(input.payload) },
      };
    },
  });
}
