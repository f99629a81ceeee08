import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { ApplicationKind, ChangeApplication } from '../../db/schema.ts';
import type { Executor } from '../../db/transaction.ts';
import { gridCardAssociatedData } from '../../auth/grid-card.ts';
import { runCommand, type Refusal } from '../../command/pipeline.ts';
import { staffCommandActor, type StaffContext } from './staff-actor.ts';

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

type ShownApplication = { before: Record<string, unknown>; contract_id: string; kind: ApplicationKind };

/**
 * The secrets an approval produced (a registration password, a printable card) are shown once, to
 * the approver, who hands them to the customer by the bank's own channels (R1.3, R3.3). Showing them
 * is one conditional statement (house rule 4) that also drops the sealed password, and is audited;
 * the secrets are opened after it has committed.
 */
export async function handOverSecrets(deps: Deps, context: StaffContext, id: number): Promise<HandedOver> {
  const shown = await runCommand<undefined, void, ShownApplication>(deps, staffCommandActor(context), {
    action: 'application.handover',
    details: { application: id },
    // Nothing to judge before the write: its conditional statement is the judgement (house rule 4).
    judge: async () => ({ go: undefined }),
    confirm: () => [],
    async write(tx, _judged, _prepared, now) {
      const row = await sql<ShownApplication>`
        UPDATE change_application AS a
           SET result = (a.result - 'registrationPasswordSealed') || jsonb_build_object('handover', 'done', 'handedOverAt', ${now.toISOString()}::text)
          FROM change_application AS old
         WHERE a.id = ${id} AND old.id = a.id AND a.status = 'approved' AND a.decided_by = ${context.staff.id}
           AND a.result->>'handover' = 'pending'
        RETURNING old.result AS before, a.contract_id, a.kind`.execute(tx);
      const first = row.rows[0];
      if (!first) return { refused: await handoverRefusal(tx, context, id) };
      const shownKinds = [first.before.registrationPasswordSealed ? 'registration_password' : undefined, first.before.cardSerial ? 'grid_card' : undefined].filter(Boolean);
      return { result: first, contractId: first.contract_id, details: { kind: first.kind, shown: shownKinds, cardSerial: first.before.cardSerial ?? null } };
    },
  });
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

/** Why nothing was shown: nothing to show, shown already, or not this member's to show. Not recorded. */
async function handoverRefusal(executor: Executor, context: StaffContext, id: number): Promise<Refusal> {
  const row = await executor.selectFrom('change_application').select(['decided_by', 'status', 'result']).where('id', '=', id).executeTakeFirst();
  if (!row || row.status !== 'approved' || !row.result?.handover) return { code: 'NOT_FOUND' };
  return { code: row.decided_by === context.staff.id ? 'OPERATOR_SECRETS_SHOWN' : 'OPERATOR_ROLE_REFUSED' };
}
