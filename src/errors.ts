import type { MessageKey } from './web/i18n/index.ts';
import { usersErrorCodes } from './error-codes/users.ts';
import { userSecurityErrorCodes } from './error-codes/user-security.ts';
import { operatorConsoleErrorCodes } from './error-codes/operator-console.ts';
import { auditErrorCodes } from './error-codes/audit.ts';
import { securityPageErrorCodes } from './error-codes/security-page.ts';
import { accountsErrorCodes } from './error-codes/accounts.ts';
import { payeesErrorCodes } from './error-codes/payees.ts';
import { transfersErrorCodes } from './error-codes/transfers.ts';
import { transferPagesErrorCodes } from './error-codes/transfer-pages.ts';
import { ledgerErrorCodes } from './error-codes/ledger.ts';
import { certificatesErrorCodes } from './error-codes/certificates.ts';
import { certificateLogonErrorCodes } from './error-codes/certificate-logon.ts';
import { certificateAcquireErrorCodes } from './error-codes/certificate-acquire.ts';

/**
 * Expected failures (house rule 11). Each code has its HTTP status; its message, in each language,
 * is the i18n entry `error.<CODE>`. Tests assert codes, never message text.
 */
export const errorRegistry = {
  // R2.4: one answer for a wrong password, an unknown ID and a stopped person.
  AUTH_LOGON_FAILED: 401,
  AUTH_GRID_FAILED: 401,
  AUTH_RATE_LIMITED: 429,
  CSRF_INVALID: 403,
  SESSION_REQUIRED: 401,
  INPUT_INVALID: 400,
  CONTRACT_ID_INVALID: 400,
  USER_ID_INVALID: 400,
  PASSWORD_LENGTH: 400,
  PASSWORD_CHARACTERS: 400,
  PASSWORD_NEEDS_LETTER_AND_DIGIT: 400,
  PASSWORD_CONTAINS_ID: 400,
  PASSWORD_REUSED: 400,
  PASSWORD_REPEAT_MISMATCH: 400,
  PASSWORDS_MUST_DIFFER: 400,
  CURRENT_PASSWORD_WRONG: 400,
  EMAIL_INVALID: 400,
  EMAIL_CODE_INVALID: 400,
  EMAIL_CODE_EXPIRED: 400,
  NOT_FOUND: 404,
  INTERNAL: 500,
  // R1.5: changes to people and permissions are confirmed with the actor's confirmation password.
  CONFIRMATION_PASSWORD_WRONG: 400,
  FORBIDDEN: 403,
  ...usersErrorCodes,
  ...userSecurityErrorCodes,
  ...operatorConsoleErrorCodes,
  ...auditErrorCodes,
  ...securityPageErrorCodes,
  ...accountsErrorCodes,
  ...payeesErrorCodes,
  ...transfersErrorCodes,
  ...transferPagesErrorCodes,
  ...ledgerErrorCodes,
  ...certificatesErrorCodes,
  ...certificateLogonErrorCodes,
  ...certificateAcquireErrorCodes,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorRegistry;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The form field the error belongs to, so the page can show it next to that field. */
  readonly field: string | undefined;
  constructor(code: ErrorCode, options: { field?: string } = {}) {
    super(code);
    this.code = code;
    this.status = errorRegistry[code];
    this.field = options.field;
  }
  get messageKey(): MessageKey {
    return `error.${this.code}` as MessageKey;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
