import assert from 'node:assert/strict';
import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import type { Contract, User } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { mayLift } from '../../domain/lock-modes.ts';
import { endSessionsOfUser } from '../../access/sessions.ts';
import { masterEmail, notifySecurityChange } from '../../mail/security-notice.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { NoticeParam } from '../../mail/compose.ts';
import type { ApplicationPayload } from './application-payload.ts';
import { validCertificateOf } from '../certificates/lookup.ts';
import { revokeValidCertificateInTx, setCertificateRequiredInTx } from '../certificates/requirement.ts';
import { notifyCertificateSwitch } from '../certificates/switch-notice.ts';
import { tokenExpired } from '../../access/hardware-token/standing.ts';
import { assignTokenInTx } from '../tokens/assign.ts';
import { storeTokensInTx } from '../tokens/import.ts';
import type { ChangeActor } from './change-actor.ts';
import { invalidateCardsInTx, issueCardInTx } from './grid-cards.ts';
import { onboardInTx } from './onboard.ts';
import { setRegistrationPasswordInTx, type PreparedRegistration } from './registration.ts';
import { liftStopInTx, setLockModeInTx, tellBankLift } from './stops.ts';

/**
 * What an approved application does, run inside the approval's transaction (house rule 8): the
 * change, its audit records and its R7.3 emails commit together with the approval, or not at all.
 * The state is checked again here, since it may have changed after the application was recorded.
 */
export interface Effect {
  /** Kept on the application (never a secret in clear). */
  result: Record<string, unknown>;
  /** The contract changed or made; null for a change of the bank's own (a token import). */
  contractId: string | null;
  /** The registration password to hand over once, when the change produced one. */
  registrationPassword?: string;
}

/** The person an application is about, with the rules that hold for every kind at record and at approval. */
export async function applicablePerson(tx: Tx, payload: ApplicationPayload, contract: Contract, now: Date): Promise<User | undefined> {
  if (payload.kind === 'import_tokens') return undefined;
  if (payload.kind === 'assign_token') {
    await refuseUnassignable(tx, payload.serial, now);
    return undefined;
  }
  if (payload.kind === 'onboard' || payload.kind === 'set_lock_mode') {
    if (payload.kind === 'set_lock_mode' && contract.lock_mode === payload.lockMode) throw new AppError('OPERATOR_LOCK_MODE_UNCHANGED', { field: 'lockMode' });
    return undefined;
  }
  if (payload.kind === 'set_certificate_required') {
    if (contract.certificate_required === payload.required) throw new AppError('OPERATOR_CERTIFICATE_UNCHANGED', { field: 'certificateRequired' });
    return undefined;
  }
  const person = await tx.selectFrom('users').selectAll().where('contract_id', '=', contract.id).where('user_id', '=', payload.userId).executeTakeFirst();
  if (!person) throw new AppError('OPERATOR_PERSON_UNKNOWN', { field: 'userId' });
  if (person.status === 'deleted') throw new AppError('OPERATOR_PERSON_DELETED', { field: 'userId' });
  switch (payload.kind) {
    case 'new_registration_password':
      // R2.5: a user's passwords are reset by the master; the master's needs the bank.
      if (person.role !== 'master') throw new AppError('OPERATOR_MASTER_ONLY', { field: 'userId' });
      break;
    case 'lift_stop':
      // R2.3: the bank lifts the master's stop (and with it the contract's), and in linked mode
      // anyone's; a user's stop in unlinked mode is the master's to lift.
      if (!mayLift(contract.lock_mode, person.role, 'operator')) throw new AppError('OPERATOR_MASTER_ONLY', { field: 'userId' });
      if (person.stopped_at === null && !(person.role === 'master' && contract.stopped_at !== null && !(await anyoneStopped(tx, contract.id)))) {
        throw new AppError('OPERATOR_NOT_STOPPED', { field: 'userId' });
      }
      break;
    case 'invalidate_card': {
      const card = await tx.selectFrom('grid_card').select('id').where('user_ref', '=', person.id).where('invalidated_at', 'is', null).executeTakeFirst();
      if (!card) throw new AppError('OPERATOR_NO_VALID_CARD', { field: 'userId' });
      break;
    }
    case 'reissue_master_certificate': {
      // R4.5: the master reissues users' certificates; the master's own is the bank's.
      if (person.role !== 'master') throw new AppError('OPERATOR_CERTIFICATE_MASTER_ONLY', { field: 'userId' });
      if (!(await validCertificateOf(tx, person.id))) throw new AppError('OPERATOR_NO_VALID_CERTIFICATE', { field: 'userId' });
      break;
    }
    case 'issue_card':
      break;
  }
  return person;
}

/** R6.2: only a token the bank holds, not assigned, revoked or expired, goes to a contract (assignTokenInTx checks again under its claim). */
async function refuseUnassignable(tx: Tx, serial: string, now: Date): Promise<void> {
  const token = await tx.selectFrom('hardware_token').select(['contract_id', 'revoked_at', 'expires_on']).where('serial', '=', serial).executeTakeFirst();
  if (!token) throw new AppError('TOKEN_UNKNOWN', { field: 'serial' });
  if (token.contract_id !== null || token.revoked_at !== null || tokenExpired(token, now)) throw new AppError('TOKEN_NOT_ASSIGNABLE', { field: 'serial' });
}

/** A contract stopped while nobody in it is: lifting its master is what clears it. */
async function anyoneStopped(tx: Tx, contractId: string): Promise<boolean> {
  const row = await tx.selectFrom('users').select('id').where('contract_id', '=', contractId).where('stopped_at', 'is not', null).where('status', '<>', 'deleted').executeTakeFirst();
  return row !== undefined;
}

function notice(key: MessageKey, params?: Record<string, NoticeParam>) {
  return { key, params };
}

export async function applyApplication(
  deps: Deps,
  tx: Tx,
  input: { payload: ApplicationPayload; contractId: string | null; registration: PreparedRegistration | undefined; by: ChangeActor },
): Promise<Effect> {
  const { payload, by, registration } = input;
  // The kinds of needsRegistration are approved with their registration prepared (applications.ts).
  const prepared = (): PreparedRegistration => {
    assert.ok(registration, `an application of kind ${payload.kind} is approved with its registration`);
    return registration;
  };
  if (payload.kind === 'onboard') {
    const done = await onboardInTx(deps, tx, payload, prepared(), by);
    return {
      contractId: done.contractId,
      registrationPassword: done.registrationPassword,
      result: {
        contractId: done.contractId,
        masterUserId: done.masterUserId,
        cardSerial: done.card.serial,
        cardExpiresAt: done.card.expiresAt.toISOString(),
        registrationPasswordExpiresAt: done.registrationPasswordExpiresAt.toISOString(),
      },
    };
  }
  if (payload.kind === 'import_tokens') {
    // R6.2: all or nothing; a serial stored since the recording refuses the approval, naming it.
    await storeTokensInTx(deps, tx, payload.tokens, by);
    return { contractId: null, result: { imported: payload.tokens.length } };
  }
  // Every other kind is recorded for an existing contract (the application's column is then set).
  assert.ok(input.contractId !== null, `an application of kind ${payload.kind} names its contract`);
  const contract = await tx.selectFrom('contract').selectAll().where('id', '=', input.contractId).forUpdate().executeTakeFirst();
  if (!contract) throw new AppError('NOT_FOUND');
  const now = deps.clock.now();
  const person = await applicablePerson(tx, payload, contract, now);
  const tell = async (subject: User, what: { key: MessageKey; params?: Record<string, NoticeParam> }) =>
    notifySecurityChange(deps, tx, {
      contractId: contract.id,
      companyName: contract.company_name,
      subjectUserId: subject.user_id,
      actorLabel: deps.config.bankName,
      what,
      at: now,
      ip: by.ip ?? '-',
      recipients: [subject.email, await masterEmail(tx, contract.id)],
    });

  if (payload.kind === 'set_lock_mode') {
    const changed = await setLockModeInTx(deps, tx, contract.id, payload.lockMode, by);
    if (!changed.changed) throw new AppError('OPERATOR_LOCK_MODE_UNCHANGED', { field: 'lockMode' });
    // A contract-wide change: the notice names the master, who is told.
    const master = await tx.selectFrom('users').selectAll().where('contract_id', '=', contract.id).where('role', '=', 'master').executeTakeFirstOrThrow();
    await tell(master, notice('operatorConsole.notice.lockMode', { mode: { message: `operatorConsole.lockMode.${payload.lockMode}` } }));
    return { contractId: contract.id, result: { from: changed.previous, to: payload.lockMode } };
  }
  if (payload.kind === 'assign_token') {
    // R6.2: the fee, when one is due, is posted on the ledger in this transaction.
    const done = await assignTokenInTx(deps, tx, { serial: payload.serial, contractId: contract.id, reason: payload.reason, by });
    return {
      contractId: contract.id,
      result: { serial: done.serial, reason: done.reason, feeYen: done.feeYen.toString(), ...(done.feeEntryId === null ? {} : { feeEntryId: done.feeEntryId.toString() }) },
    };
  }
  if (payload.kind === 'set_certificate_required') {
    const changed = await setCertificateRequiredInTx(deps, tx, contract.id, payload.required, by);
    if (!changed.changed) throw new AppError('OPERATOR_CERTIFICATE_UNCHANGED', { field: 'certificateRequired' });
    // R4.2: a contract-wide change, told to every person of the contract.
    await notifyCertificateSwitch(deps, tx, contract, payload.required, now);
    return { contractId: contract.id, result: { certificateRequired: payload.required, sessionsEnded: changed.sessionsEnded } };
  }
  // Every other kind names a person, whom applicablePerson found (or refused the application).
  assert.ok(person, `an application of kind ${payload.kind} names a person`);
  switch (payload.kind) {
    case 'issue_card': {
      const card = await issueCardInTx(deps, tx, person, by);
      await tell(person, notice('operatorConsole.notice.cardIssued', { serial: card.serial }));
      return { contractId: contract.id, result: { userId: person.user_id, cardSerial: card.serial, cardExpiresAt: card.expiresAt.toISOString(), replaced: card.replaced } };
    }
    case 'invalidate_card': {
      const invalidated = await invalidateCardsInTx(deps, tx, person, by);
      if (invalidated.length === 0) throw new AppError('OPERATOR_NO_VALID_CARD', { field: 'userId' });
      // Whoever holds the lost card may be logged on with it right now.
      await endSessionsOfUser(tx, person.id, 'credentials', now);
      await tell(person, notice('operatorConsole.notice.cardInvalidated', { serial: invalidated.join(', ') }));
      return { contractId: contract.id, result: { userId: person.user_id, invalidated } };
    }
    case 'new_registration_password': {
      const { expiresAt } = await setRegistrationPasswordInTx(deps, tx, person, prepared(), by);
      await tell(person, notice('operatorConsole.notice.registrationPassword'));
      return {
        contractId: contract.id,
        registrationPassword: prepared().password,
        result: { userId: person.user_id, registrationPasswordExpiresAt: expiresAt.toISOString() },
      };
    }
    case 'lift_stop': {
      const lifted = await liftStopInTx(deps, tx, person, by);
      if (lifted.refused) throw new AppError('OPERATOR_MASTER_ONLY', { field: 'userId' });
      if (!lifted.lifted) throw new AppError('OPERATOR_NOT_STOPPED', { field: 'userId' });
      await tellBankLift(deps, tx, person, lifted.contractLifted, by);
      return { contractId: contract.id, result: { userId: person.user_id, contractLifted: lifted.contractLifted } };
    }
    case 'reissue_master_certificate': {
      const revoked = await revokeValidCertificateInTx(deps, tx, person, 'reissue', by);
      if (!revoked) throw new AppError('OPERATOR_NO_VALID_CERTIFICATE', { field: 'userId' });
      await tell(person, notice('certificates.mail.reissued', { serial: revoked.serialHex }));
      return { contractId: contract.id, result: { userId: person.user_id, revokedSerial: revoked.serialHex } };
    }
  }
}

/** Kinds whose approval produces something secret for the customer (R1.3, R2.5, R3.3). */
export function needsRegistration(payload: ApplicationPayload): boolean {
  return payload.kind === 'onboard' || payload.kind === 'new_registration_password';
}
