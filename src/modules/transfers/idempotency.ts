import { sql } from 'kysely';
import type { Tx } from '../../db/transaction.ts';
import type { Transfer } from '../../db/schema-transfers.ts';
import { refuse } from './refusal.ts';

/**
 * R8.6: the steps after registration (approve, send, send back, withdraw) are made idempotent by an
 * idempotency_record claimed FIRST in the step's transaction. A twin arriving at the same moment
 * waits on the claim's key until the first commits, then finds the record and returns the stored
 * result; if the first rolled back (it was refused), the twin's claim succeeds and it tries afresh.
 * Only a step that was carried out leaves a record, so a refused request can be retried.
 */
export type Claim = { fresh: true } | { fresh: false; transfer: Transfer };

export async function claimIdempotencyKey(tx: Tx, userRef: number, key: string, requestHash: string, now: Date): Promise<Claim> {
  const { rows } = await sql<{ claimed: number }>`
    INSERT INTO idempotency_record (user_ref, key, request_hash, result, created_at)
    VALUES (${userRef}, ${key}, ${requestHash}, NULL, ${now})
    ON CONFLICT (user_ref, key) DO NOTHING
    RETURNING 1 AS claimed`.execute(tx);
  if (rows.length === 1) return { fresh: true };
  const earlier = await tx.selectFrom('idempotency_record').select(['request_hash', 'result']).where('user_ref', '=', userRef).where('key', '=', key).executeTakeFirstOrThrow();
  if (earlier.request_hash !== requestHash) refuse('TRANSFER_IDEMPOTENCY_MISMATCH');
  // Claimed and completed in one transaction: a committed record always holds its result.
  if (earlier.result === null) refuse('TRANSFER_STATE_CONFLICT');
  return { fresh: false, transfer: transferFromJson(earlier.result) };
}

export async function completeIdempotencyKey(tx: Tx, userRef: number, key: string, transfer: Transfer): Promise<void> {
  await tx
    .updateTable('idempotency_record')
    .set({ result: JSON.stringify(transferToJson(transfer)) })
    .where('user_ref', '=', userRef)
    .where('key', '=', key)
    .execute();
}

const bigintColumns = ['id', 'amount_yen', 'fee_yen'] as const;
const dateColumns = ['sent_at', 'created_at', 'updated_at', 'completed_at'] as const;

/** The transfer as the step left it, in JSON: yen and ids as decimal text, instants as ISO text. */
export function transferToJson(transfer: Transfer): Record<string, unknown> {
  const json: Record<string, unknown> = { ...transfer };
  for (const column of bigintColumns) json[column] = transfer[column].toString();
  for (const column of dateColumns) json[column] = transfer[column]?.toISOString() ?? null;
  return json;
}

export function transferFromJson(json: Record<string, unknown>): Transfer {
  const transfer: Record<string, unknown> = { ...json };
  for (const column of bigintColumns) transfer[column] = BigInt(String(json[column]));
  for (const column of dateColumns) transfer[column] = json[column] === null || json[column] === undefined ? null : new Date(String(json[column]));
  // The stored result was written by transferToJson from a Transfer: once the columns JSON cannot
  // carry are rebuilt, it is that Transfer again.
  return transfer as unknown as Transfer;
}
