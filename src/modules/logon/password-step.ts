import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Contract, User } from '../../db/schema.ts';
import { customerHolder, reservationOf, reserveCustomerAttemptQuery, type TriedReservation } from '../../access/attempts.ts';
import { logonRateHitSql } from '../../access/logon-refusals.ts';
import { triesPasswordSql } from '../../access/person-standing.ts';
import type { RequestContext } from '../../access/request-context.ts';

export type PasswordStepStart =
  | { admitted: false }
  | { admitted: true; found: undefined }
  | { admitted: true; found: { user: User; contract: Contract; triesPassword: boolean }; firstTry: TriedReservation };

type Row = User & {
  admitted: boolean;
  tries_password: boolean | null;
  reserved_batch_at: Date | null;
  lock_mode: Contract['lock_mode'];
  contract_stopped_at: Date | null;
  company_name: string;
  contract_created_at: Date;
  approval_mode: Contract['approval_mode'];
  result_email_to: Contract['result_email_to'];
  certificate_required: boolean;
  tokens_applied_at: Date | null;
  token_replaces_email_otp: boolean;
};

/**
 * The password step's first round trip: the address's rate-limit hit (R2.4), the person with their
 * contract, and the reservation of one of the person's attempts (R2.3, decision 0001), in one
 * statement. The reservation is still the one conditional UPDATE that gates races (house rule 5);
 * the other parts only add to its conditions: the hit was admitted, and the person's password is to
 * be tried at all (triesPasswordSql). Whatever refuses the attempt is decided by the caller from the
 * row, as if the parts had run one after the other: a refused hit reserves nothing and looks at
 * nobody's standing; an unknown or stopped person reserves nothing.
 */
export async function startPasswordStep(
  deps: Deps,
  input: { contractId: string; userId: string },
  context: RequestContext,
  now: Date,
): Promise<PasswordStepStart> {
  const { rows } = await sql<Row>`
    WITH hit AS (${logonRateHitSql(deps, 'customer', context, now)}),
    found AS (
      SELECT users.*, contract.lock_mode, contract.stopped_at AS contract_stopped_at, contract.company_name,
        contract.created_at AS contract_created_at, contract.approval_mode, contract.result_email_to,
        contract.certificate_required, contract.tokens_applied_at, contract.token_replaces_email_otp,
        ${triesPasswordSql} AS tries_password
      FROM users JOIN contract ON contract.id = users.contract_id
      WHERE users.contract_id = ${input.contractId} AND users.user_id = ${input.userId}
    ),
    reserved AS (${reserveCustomerAttemptQuery(deps.db, sql<number>`(SELECT id FROM found)`, now).where(sql<boolean>`(SELECT admitted FROM hit) AND (SELECT tries_password FROM found)`)})
    SELECT hit.admitted, found.*, reserved.attempts_batch_at AS reserved_batch_at
    FROM hit LEFT JOIN found ON true LEFT JOIN reserved ON true`.execute(deps.db);
  // The hit's upsert always returns its one row, and a contract's user ID names one person.
  const { admitted, tries_password, reserved_batch_at, lock_mode, contract_stopped_at, company_name, contract_created_at, approval_mode, result_email_to, certificate_required, tokens_applied_at, token_replaces_email_otp, ...user } = rows[0]!;
  if (!admitted) return { admitted };
  if (tries_password === null) return { admitted, found: undefined };
  const contract: Contract = {
    id: user.contract_id,
    company_name,
    lock_mode,
    stopped_at: contract_stopped_at,
    created_at: contract_created_at,
    approval_mode,
    result_email_to,
    certificate_required,
    tokens_applied_at,
    token_replaces_email_otp,
  };
  return {
    admitted,
    found: { user, contract, triesPassword: tries_password },
    firstTry: { reservation: reservationOf(customerHolder(user), { attempts_batch_at: reserved_batch_at }) },
  };
}
