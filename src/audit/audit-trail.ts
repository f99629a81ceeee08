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

export async function recordAudit(executor: Executor, event: AuditEvent): Promise<void> {
  if (executor.isTransaction) await append(executor as Tx, event);
  else await executor.transaction().execute((tx) => append(tx, event));
}

/**
 * Appends under the lock of the chain's head row: records of one contract are chained one after
 * another, records of different contracts do not wait for each other. Two statements: lock and read
 * the head, then insert the record and move the head together.
 */
async function append(tx: Tx, event: AuditEvent): Promise<void> {
  const chain = event.contractId ?? noContractChain;
  const head = await lockChainHead(tx, chain);
  const content: ChainedContent = {
    chain,
    seq: head.seq + 1n,
    prevHash: head.hash,
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
  await sql`
    WITH appended AS (
      INSERT INTO audit_log (chain, seq, prev_hash, hash, at, contract_id, user_ref, actor, action, outcome, reason, ip, user_agent, details)
      VALUES (${chain}, ${content.seq}, ${content.prevHash}, ${hash}, ${content.at}, ${content.contractId}, ${content.userRef},
              ${content.actor}, ${content.action}, ${content.outcome}, ${content.reason}, ${content.ip}, ${content.userAgent},
              ${JSON.stringify(content.details)}::jsonb)
      RETURNING seq, hash
    )
    UPDATE audit_chain_head SET seq = appended.seq, hash = appended.hash FROM appended WHERE audit_chain_head.chain = ${chain}`.execute(tx);
}

/** The head of a chain, locked until the transaction ends; a chain's first record makes its head. */
async function lockChainHead(tx: Tx, chain: string): Promise<{ seq: bigint; hash: string }> {
  const select = () => sql<{ seq: bigint; hash: string }>`SELECT seq, hash FROM audit_chain_head WHERE chain = ${chain} FOR UPDATE`.execute(tx);
  const found = (await select()).rows[0];
  if (found) return found;
  await sql`INSERT INTO audit_chain_head (chain, seq, hash) VALUES (${chain}, 0, ${chainGenesisHash}) ON CONFLICT (chain) DO NOTHING`.execute(tx);
  return (await select()).rows[0]!;
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
