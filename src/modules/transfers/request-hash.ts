import { createHash } from 'node:crypto';
import type { Destination, TransferInput } from './types.ts';
import { refuse } from './refusal.ts';

/**
 * R8.6: a request is known again by its idempotency key; whether the retry asks for the same thing
 * is known by the SHA-256 of its canonical content (fixed key order, yen as decimal text).
 */
const idempotencyKeyPattern = /^[A-Za-z0-9_-]{16,64}$/;

/** Whether a value is an idempotency key as every money-moving form sends one. */
export function isIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && idempotencyKeyPattern.test(key);
}

export function checkIdempotencyKey(key: string): void {
  if (typeof key !== 'string' || !idempotencyKeyPattern.test(key)) refuse('TRANSFER_IDEMPOTENCY_KEY_INVALID');
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function canonicalDestination(destination: Destination): unknown {
  if ('payeeId' in destination) return { payeeId: destination.payeeId };
  const d = destination.adHoc;
  return { bankCode: d.bankCode, branchCode: d.branchCode, accountType: d.accountType, accountNumber: d.accountNumber, nameInput: d.nameInput };
}

export function creationHash(input: TransferInput): string {
  return sha256({
    step: 'register',
    fromAccountId: input.fromAccountId,
    destination: canonicalDestination(input.destination),
    amountYen: String(input.amountYen),
    executionDate: input.executionDate,
  });
}

export type LaterStep = 'approve' | 'send' | 'send_back' | 'withdraw';

export function stepHash(step: LaterStep, transferId: bigint, reason?: string): string {
  return sha256({ step, transferId: String(transferId), reason: reason ?? null });
}
