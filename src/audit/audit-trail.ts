import { sql } from 'kysely';
import type { Executor, Tx } from '../db/transaction.ts';
import { chainGenesisHash, noContractChain, recordHash, type ChainedContent } from './chain.ts';

/**
 * The audit trail: every logon success and failure (with its real reason), stop, lift, password
 * change and card event. Written with the caller's executor, so inside the transaction of the change
 * it records (house rule 8), and chained per contract (R9.1, ./chain.ts).
 */
export interface AuditEvent {
  at: Date;
  contractId: string | null;
  userRef: number | null;
  /** `user:<contract>/<userId>`, `operator:<name>`, `staff:<login>`, `system`, or `anonymous`. */
  actor: string;
  action: string;
  outcome: 'success' | 'failure' | 'info';
  reason?: string;
  ip?: string;
  userAgent?: string;
  details?: Record<string, unknown>;
}

const userAgentLengthMax = 300;
const chainLockNamespace = 7203115;

export async function recordAudit(executor: Executor, event: AuditEvent): Promise<void> {
  if (executor.isTransaction) await append(executor as Tx, event);
  else await executor.transaction().execute((tx) => append(tx, event));
}

/**
 * Appends under a transaction-scoped advisory lock per chain: records of one contract are chained
 * one after another, records of different contracts do not wait for each other.
 */
async function append(tx: Tx, event: AuditEvent): Promise<void> {
  const chain = event.contractId ?? noContractChain;
  await sql`SELECT pg_advisory_xact_lock(${chainLockNamespace}, hashtext(${chain}))`.execute(tx);
  const head = await tx.selectFrom('audit_chain_head').select(['seq', 'hash']).where('chain', '=', chain).executeTakeFirst();
  const content: ChainedContent = {
    chain,
    seq: (head?.seq ?? 0n) + 1n,
    prevHash: head?.hash ?? chainGenesisHash,
    at: event.at,
    contractId: event.contractId,
    userRef: event.userRef,
    actor: storableText(event.actor),
    action: storableText(event.action),
    outcome: event.outcome,
    reason: nullableText(event.reason),
    ip: nullableText(event.ip),
    userAgent: nullableText(event.userAgent?.slice(0, userAgentLengthMax)),
    details: storableDetails(event.details ?? {}),
  };
  const hash = recordHash(content);
  await tx
    .insertInto('audit_log')
    .values({
      chain,
      seq: content.seq,
      prev_hash: content.prevHash,
      hash,
      at: content.at,
      contract_id: content.contractId,
      user_ref: content.userRef,
      actor: content.actor,
      action: content.action,
      outcome: content.outcome as AuditEvent['outcome'],
      reason: content.reason,
      ip: content.ip,
      user_agent: content.userAgent,
      details: JSON.stringify(content.details),
    })
    .execute();
  await tx
    .insertInto('audit_chain_head')
    .values({ chain, seq: content.seq, hash })
    .onConflict((oc) => oc.column('chain').doUpdateSet({ seq: content.seq, hash }))
    .execute();
}

/**
 * The text as PostgreSQL keeps it, so the hash is computed over exactly what is stored (R9.1): a NUL
 * would make the insert fail (and with it the change being recorded), and an unpaired surrogate
 * would be stored as U+FFFD and the record would then look altered. Both become U+FFFD here.
 */
function storableText(text: string): string {
  return text.replace(unstorableCharacter, '\uFFFD');
}
const unstorableCharacter = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function nullableText(text: string | undefined): string | null {
  return text === undefined ? null : storableText(text);
}

/**
 * Details as the jsonb column gives them back: dates as ISO text, undefined dropped, and bigints
 * (yen amounts, house rule 1) as decimal text, which JSON.stringify would otherwise refuse.
 */
function storableDetails(details: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(details, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string') return storableText(value);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [storableText(k), v]));
    }
    return value;
  });
  return JSON.parse(json) as Record<string, unknown>;
}

export function userActor(contractId: string, userId: string): string {
  return `user:${contractId}/${userId}`;
}
