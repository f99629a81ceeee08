import type { ApplicationKind, LockMode } from '../../db/schema.ts';
import type { CertificateApplicationKind } from '../../db/schema-certificates.ts';
import type { TokenAssignReason } from '../../db/schema-tokens.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { isValidContractId } from '../../domain/contract-id.ts';
import { emailLengthMax, isValidEmail, isValidUserId, userIdLengthMax } from '../../domain/identifiers.ts';
import { formText, sentValue } from '../../web/form-input.ts';
import { isAssignReason } from '../tokens/assign.ts';
import type { SealedToken } from '../tokens/import.ts';
import { companyNameLengthMax } from './onboard.ts';

/**
 * What a customer's change application [変更申込み書] asks for, as the recorder types it from the
 * paper form. Each kind has its own fields; the reference number ties the record to the paper.
 */
/** Every kind of application: the first ones and the certificates' (migration 0006, R4.2, R4.5). */
export type ChangeKind = ApplicationKind | CertificateApplicationKind;
export const applicationKinds: readonly ChangeKind[] = [
  'onboard',
  'issue_card',
  'invalidate_card',
  'new_registration_password',
  'lift_stop',
  'set_lock_mode',
  'set_certificate_required',
  'reissue_master_certificate',
  'import_tokens',
  'assign_token',
];
export const personKinds = new Set<ChangeKind>(['issue_card', 'invalidate_card', 'new_registration_password', 'lift_stop', 'reissue_master_certificate']);
export const referenceLengthMax = 40;
export const personNameLengthMax = 60;
export const decisionNoteLengthMax = 200;

export type ApplicationPayload =
  | { kind: 'onboard'; companyName: string; lockMode: LockMode; masterUserId: string; masterName: string; masterEmail?: string }
  | { kind: 'issue_card' | 'invalidate_card' | 'new_registration_password' | 'lift_stop'; userId: string }
  | { kind: 'set_lock_mode'; lockMode: LockMode }
  | { kind: 'set_certificate_required'; required: boolean }
  | { kind: 'reissue_master_certificate'; userId: string }
  // R6.2: the tokens of a vendor's file, read and sealed at recording (never the file, never a secret in clear).
  | { kind: 'import_tokens'; tokens: SealedToken[] }
  | { kind: 'assign_token'; serial: string; reason: TokenAssignReason };

/** A token's serial as printed on it and stored (migration 0008). */
export const tokenSerialPattern = /^[A-Za-z0-9-]{1,32}$/;
export const tokenSerialLengthMax = 32;

export interface ApplicationInput {
  contractId: string | null;
  reference: string;
  payload: ApplicationPayload;
}

export function isApplicationKind(value: unknown): value is ChangeKind {
  return typeof value === 'string' && (applicationKinds as readonly string[]).includes(value);
}

function lockModeOf(body: unknown, name: string): LockMode {
  const value = formText(body, name, { maxLength: 10, code: 'OPERATOR_LOCK_MODE_INVALID' });
  if (value !== 'unlinked' && value !== 'linked') throw new AppError('OPERATOR_LOCK_MODE_INVALID', { field: name });
  return value;
}

/** R4.2: on or off, as the customer's application asks. */
function certificateSettingOf(body: unknown): boolean {
  const value = formText(body, 'certificateRequired', { maxLength: 3, code: 'OPERATOR_CERTIFICATE_SETTING_INVALID' });
  if (value !== 'on' && value !== 'off') throw new AppError('OPERATOR_CERTIFICATE_SETTING_INVALID', { field: 'certificateRequired' });
  return value === 'on';
}

/** An optional field: left out, or left empty, it is the empty string. */
export function optionalText(body: unknown, name: string, options: { maxLength: number; code: ErrorCode }): string {
  if (sentValue(body, name) === undefined) return '';
  return formText(body, name, { ...options, allowEmpty: true });
}

/** The reference number printed on the paper application: half-width letters, digits and - / _ . */
export function referenceOf(body: unknown): string {
  const reference = formText(body, 'reference', { maxLength: referenceLengthMax, code: 'OPERATOR_REFERENCE_INVALID' });
  if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/.test(reference)) throw new AppError('OPERATOR_REFERENCE_INVALID', { field: 'reference' });
  return reference;
}

/** Reads and checks an application form; bad input is refused here, before anything is looked up. */
export function parseApplicationForm(kind: ChangeKind, contractId: string | null, body: unknown): ApplicationInput {
  const reference = referenceOf(body);
  if (kind === 'onboard') {
    const companyName = formText(body, 'companyName', { maxLength: companyNameLengthMax, code: 'OPERATOR_COMPANY_NAME_INVALID' });
    const masterUserId = formText(body, 'masterUserId', { maxLength: userIdLengthMax, code: 'USER_ID_INVALID' });
    if (!isValidUserId(masterUserId)) throw new AppError('USER_ID_INVALID', { field: 'masterUserId' });
    const masterName = formText(body, 'masterName', { maxLength: personNameLengthMax, code: 'OPERATOR_NAME_INVALID' });
    const email = optionalText(body, 'masterEmail', { maxLength: emailLengthMax, code: 'EMAIL_INVALID' });
    if (email !== '' && !isValidEmail(email)) throw new AppError('EMAIL_INVALID', { field: 'masterEmail' });
    const lockMode = lockModeOf(body, 'lockMode');
    return { contractId: null, reference, payload: { kind, companyName, lockMode, masterUserId, masterName, ...(email ? { masterEmail: email } : {}) } };
  }
  // An import is recorded with its file on a page of its own, which reads and seals the tokens first.
  if (kind === 'import_tokens') throw new AppError('OPERATOR_KIND_INVALID');
  if (contractId === null || !isValidContractId(contractId)) throw new AppError('CONTRACT_ID_INVALID');
  if (kind === 'assign_token') {
    const serial = formText(body, 'serial', { maxLength: tokenSerialLengthMax, code: 'TOKEN_SERIAL_INVALID' });
    if (!tokenSerialPattern.test(serial)) throw new AppError('TOKEN_SERIAL_INVALID', { field: 'serial' });
    const reason = sentValue(body, 'reason');
    if (!isAssignReason(reason)) throw new AppError('TOKEN_ASSIGN_REASON_INVALID', { field: 'reason' });
    return { contractId, reference, payload: { kind, serial, reason } };
  }
  if (kind === 'set_lock_mode') return { contractId, reference, payload: { kind, lockMode: lockModeOf(body, 'lockMode') } };
  if (kind === 'set_certificate_required') return { contractId, reference, payload: { kind, required: certificateSettingOf(body) } };
  const userId = formText(body, 'userId', { maxLength: userIdLengthMax, code: 'USER_ID_INVALID' });
  if (!isValidUserId(userId)) throw new AppError('USER_ID_INVALID', { field: 'userId' });
  return { contractId, reference, payload: { kind, userId } };
}

/** The payload as stored (jsonb, without the kind, which has its own column). */
export function storedPayload(payload: ApplicationPayload): Record<string, unknown> {
  const { kind: _kind, ...fields } = payload;
  return fields;
}

/**
 * The payload as the audit trail keeps it: an import's serials, without the sealed
 * secrets (the audit trail is exported as evidence; the secrets stay in the application and the token).
 */
export function auditedPayload(payload: ApplicationPayload): Record<string, unknown> {
  if (payload.kind === 'import_tokens') return { count: payload.tokens.length, serials: payload.tokens.map((t) => t.serial) };
  return storedPayload(payload);
}

export function payloadFromRow(kind: ChangeKind, stored: Record<string, unknown>): ApplicationPayload {
  return { kind, ...stored } as ApplicationPayload;
}
