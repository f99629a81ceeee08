import { AppError, type ErrorCode } from '../errors.ts';

/**
 * Decision 0022: the one way a secret is refused because every attempt it could use is being
 * evaluated by other requests at this moment — the seven of a person's lockout count (R2.3), the
 * five of a hardware token (R6.6), the three entries of an emailed code (R5.4). Nothing was
 * evaluated, so it is neither wrong nor a reason to stop anyone and counts nowhere: the audit trail
 * keeps it under its own reason, and the person is told to try again (429 with Retry-After,
 * src/errors.ts).
 */
export const attemptsBusyReason = 'attempts_busy';

export type BusyCode = Extract<ErrorCode, 'ATTEMPTS_BUSY' | 'TOKEN_BUSY' | 'EMAIL_OTP_BUSY'>;

/** Records the refusal with `record` (the caller's audit record, under its action) and answers busy. */
export async function refuseAsBusy(code: BusyCode, record: (reason: string) => Promise<void>, field?: string): Promise<never> {
  await record(attemptsBusyReason);
  throw new AppError(code, field ? { field } : {});
}
