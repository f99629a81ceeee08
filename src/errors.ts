import type { MessageKey } from './web/i18n/index.ts';
import { isDatabaseUnavailable } from './db/connection-errors.ts';
import { usersErrorCodes } from './modules/users/error-codes.ts';
import { userSecurityErrorCodes } from './modules/user-security/error-codes.ts';
import { operatorConsoleErrorCodes } from './operator/console/error-codes.ts';
import { auditErrorCodes } from './audit/error-codes.ts';
import { securityPageErrorCodes } from './modules/security-page/error-codes.ts';
import { accountsErrorCodes } from './modules/accounts/error-codes.ts';
import { payeesErrorCodes } from './modules/payees/error-codes.ts';
import { emailOtpErrorCodes } from './access/email-otp/error-codes.ts';
import { transfersErrorCodes } from './modules/transfers/error-codes.ts';
import { transferPagesErrorCodes } from './modules/transfers/page-error-codes.ts';
import { ledgerErrorCodes } from './modules/ledger/error-codes.ts';
import { certificatesErrorCodes } from './modules/certificates/error-codes.ts';
import { certificateAcquireErrorCodes } from './modules/certificate-acquire/error-codes.ts';
import { hardwareTokenErrorCodes } from './access/hardware-token/error-codes.ts';
import { tokensErrorCodes } from './modules/tokens/error-codes.ts';
import { payEasyErrorCodes } from './modules/pay-easy/error-codes.ts';
import { bulkErrorCodes } from './modules/bulk/error-codes.ts';
import { bankNoticesErrorCodes } from './modules/bank-notices/error-codes.ts';
import { outboxErrorCodes } from './outbox/error-codes.ts';

/**
 * Expected failures (house rule 11). Each code has its HTTP status; its message, in each language,
 * is the i18n entry `error.<CODE>`. Tests assert codes, never message text.
 */
export const errorRegistry = {
  // R2.4: one answer for a wrong password, an unknown ID and a stopped person.
  AUTH_LOGON_FAILED: 401,
  AUTH_GRID_FAILED: 401,
  // Told only after the right password (R2.3, R2.4): the contract, not the person, is stopped.
  AUTH_CONTRACT_STOPPED: 403,
  AUTH_RATE_LIMITED: 429,
  // Decisions 0001, 0022: every attempt of the person is being evaluated at this moment; nothing
  // was evaluated or counted. 429 (the person's own requests, not the service, are too many at
  // once), so monitoring does not read it as the service failing.
  ATTEMPTS_BUSY: 429,
  CSRF_INVALID: 403,
  SESSION_REQUIRED: 401,
  INPUT_INVALID: 400,
  // A body over its route's bound (the forms' 16 kB, an upload's own), refused before it is parsed.
  BODY_TOO_LARGE: 413,
  // A body of a type no form sends (the portal reads URL-encoded forms, JSON and, for uploads, multipart).
  CONTENT_TYPE_UNSUPPORTED: 415,
  // Request line and headers over the listener's bound, or a request slower than its time bounds (src/platform/listener-limits.ts).
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
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
  // The database was out of reach or the connection to it was lost under the request (a restart, a
  // failover): the request did not complete, and the same request may succeed in a moment. (A
  // connection lost during a commit leaves the commit unknown: a money-moving form sent again
  // carries its idempotency key and gets the first result, R8.6.)
  SERVICE_DATABASE_UNAVAILABLE: 503,
  // The database cannot write (its disk is full or failing): nothing of the request was done, and
  // the bank must act (free space, restart), so no Retry-After (db/storage-failure.ts).
  STORAGE_UNAVAILABLE: 503,
  // Decision 0027: the process already works on and queues as many requests as it may; this one was
  // not started (nothing of it was done) and may be sent again in a moment.
  SERVICE_OVERLOADED: 503,
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
  ...emailOtpErrorCodes,
  ...transfersErrorCodes,
  ...transferPagesErrorCodes,
  ...ledgerErrorCodes,
  ...certificatesErrorCodes,
  ...certificateAcquireErrorCodes,
  ...hardwareTokenErrorCodes,
  ...tokensErrorCodes,
  ...payEasyErrorCodes,
  ...bulkErrorCodes,
  ...bankNoticesErrorCodes,
  ...outboxErrorCodes,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorRegistry;

/** Decision 0022: a secret refused because its attempts are all in flight may be sent again this soon. */
export const busyRetryAfterSeconds = 1;

/** A database restart or failover takes seconds; the pool connects again on the next request. */
export const databaseRetryAfterSeconds = 5;

/**
 * Decision 0027: an overloaded process drains its queue in well under a second; two leave it room
 * without making a person wait long.
 */
export const overloadRetryAfterSeconds = 2;

/**
 * The refusals that say "busy, try again" (every attempt of a lockout count, of a token, or every
 * entry of an emailed code is being evaluated at this moment; the database is out of reach; the
 * process is overloaded): answered with a Retry-After.
 */
const retryAfterSeconds: Partial<Record<ErrorCode, number>> = {
  ATTEMPTS_BUSY: busyRetryAfterSeconds,
  TOKEN_BUSY: busyRetryAfterSeconds,
  EMAIL_OTP_BUSY: busyRetryAfterSeconds,
  SERVICE_DATABASE_UNAVAILABLE: databaseRetryAfterSeconds,
  SERVICE_OVERLOADED: overloadRetryAfterSeconds,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The form field the error belongs to, so the page can show it next to that field. */
  readonly field: string | undefined;
  /** The values its message names (a time, a count), passed to the translator with the message key. */
  readonly params: Record<string, string>;
  constructor(code: ErrorCode, options: { field?: string; params?: Record<string, string> } = {}) {
    super(code);
    this.code = code;
    this.status = errorRegistry[code];
    this.field = options.field;
    this.params = options.params ?? {};
  }
  /** For a refusal that passes by itself, the seconds after which the request may be sent again (the Retry-After header). */
  get retryAfterSeconds(): number | undefined {
    return retryAfterSeconds[this.code];
  }
  get messageKey(): MessageKey {
    return `error.${this.code}` as MessageKey;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * The expected failure an error is answered as: an AppError as it is, the database out of reach as
 * SERVICE_DATABASE_UNAVAILABLE; undefined for anything else (a fault: 500 with a request id).
 */
export function expectedFailureOf(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) return new AppError('SERVICE_DATABASE_UNAVAILABLE');
  return undefined;
}
