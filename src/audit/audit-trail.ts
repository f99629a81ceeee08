import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
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

/**
 * `alongside`: a data-modifying statement of the same change (its emails, src/outbox/enqueue.ts
 * `outboxInsert`) run as part of the append's statement, so that the change's records and what goes
 * with them cost one round trip (house rule 8: they commit or roll back together anyway).
 */
export interface AppendOptions {
  alongside?: RawBuilder<unknown>;
}

export async function recordAudit(executor: Executor, event: AuditEvent, options: AppendOptions = {}): Promise<void> {
  await recordAudits(executor, [event], options);
}

/**
 * Several records in the order given, each chain's appended in one statement: a transaction that
 * records two events of one contract (a transfer registered and posted) moves the head once.
 */
export async function recordAudits(executor: Executor, events: readonly AuditEvent[], options: AppendOptions = {}): Promise<void> {
  if (events.length === 0) {
    if (options.alongside) await options.alongside.execute(executor);
    return;
  }
  if (executor.isTransaction) await append(executor as Tx, events, options.alongside);
  else await executor.transaction().execute((tx) => append(tx, events, options.alongside));
}

interface ChainHead {
  seq: bigint;
  hash: string;
}

/**
 * The heads whose lock a transaction holds, as it last saw or moved them: a transaction appending to
 * a chain again (or that locked the head in a statement of its own, noteChainHeadLocked) need not
 * read it again. Keyed on the transaction object, so it is gone with it.
 */
const heldHeads = new WeakMap<Tx, Map<string, ChainHead>>();

function remember(tx: Tx, chain: string, head: ChainHead): void {
  let heads = heldHeads.get(tx);
  if (heads === undefined) heldHeads.set(tx, (heads = new Map()));
  heads.set(chain, head);
}

/**
 * For a statement that locked the chain's head (`SELECT … FROM audit_chain_head … FOR UPDATE`) and
 * read it, in this transaction: the next record appends to it without reading it again. Were it
 * not the head as stored, the append would find out and fail (it moves the head only from there).
 */
export function noteChainHeadLocked(tx: Tx, chain: string, head: ChainHead): void {
  remember(tx, chain, head);
}

/**
 * Appends under the lock of the chain's head row: records of one contract are chained one after
 * another, records of different contracts do not wait for each other. Per chain two statements at
 * most: lock and read the head (unless this transaction holds it already), then insert the records
 * and move the head together.
 */
async function append(tx: Tx, events: readonly AuditEvent[], alongside: RawBuilder<unknown> | undefined): Promise<void> {
  const chains = new Map<string, AuditEvent[]>();
  for (const event of events) {
    const chain = event.contractId ?? noContractChain;
    chains.set(chain, [...(chains.get(chain) ?? []), event]);
  }
  // What goes alongside runs once, with the last chain's append.
  let left = chains.size;
  for (const [chain, chainEvents] of chains) await appendToChain(tx, chain, chainEvents, --left === 0 ? alongside : undefined);
}

async function appendToChain(tx: Tx, chain: string, events: readonly AuditEvent[], alongside: RawBuilder<unknown> | undefined): Promise<void> {
  const head = await lockChainHead(tx, chain);
  let last = head;
  const rows = events.map((event) => {
    const content: ChainedContent = {
      chain,
      seq: last.seq + 1n,
      prevHash: last.hash,
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
    last = { seq: content.seq, hash };
    return sql`(${chain}, ${content.seq}, ${content.prevHash}, ${hash}, ${content.at}, ${content.contractId}, ${content.userRef},
              ${content.actor}, ${content.action}, ${content.outcome}, ${content.reason}, ${content.ip}, ${content.userAgent},
              ${JSON.stringify(content.details)}::jsonb)`;
  });
  // The head moves only from where this transaction read it: a head it took for the stored one and
  // was not (a caller's mistake) fails the append, and with it the transaction, instead of forking
  // the chain.
  const result = await sql<{ appended: number; moved: number }>`
    WITH appended AS (
      INSERT INTO audit_log (chain, seq, prev_hash, hash, at, contract_id, user_ref, actor, action, outcome, reason, ip, user_agent, details)
      VALUES ${sql.join(rows)}
      RETURNING 1
    ),
    moved AS (
      UPDATE audit_chain_head SET seq = ${last.seq}, hash = ${last.hash}
      WHERE chain = ${chain} AND seq = ${head.seq} AND hash = ${head.hash}
      RETURNING 1
    )${alongside === undefined ? sql`` : sql`,
    alongside AS (${alongside})`}
    SELECT (SELECT count(*) FROM appended)::int AS appended, (SELECT count(*) FROM moved)::int AS moved`.execute(tx);
  // An aggregate without GROUP BY returns exactly one row.
  const counts = result.rows[0]!;
  assert.ok(counts.appended === events.length && counts.moved === 1, `the head of audit chain ${chain} moved from where it was read`);
  remember(tx, chain, last);
}

/**
 * Locks a contract's chain head now, ahead of the ledger accounts the transaction is about to lock:
 * every writer that posts and records takes the head first (the claim of a transfer,
 * src/modules/ledger/claim.ts), so two such transactions of one contract wait for each other instead
 * of deadlocking. The append later reuses the lock without another statement, and a transaction
 * that holds it already spends none here.
 */
export async function lockAuditHeadFirst(tx: Tx, contractId: string): Promise<void> {
  await lockChainHead(tx, contractId);
}

/** The head of a chain, locked until the transaction ends; a chain's first record makes its head. */
async function lockChainHead(tx: Tx, chain: string): Promise<ChainHead> {
  const held = heldHeads.get(tx)?.get(chain);
  if (held !== undefined) return held;
  const select = () => sql<ChainHead>`SELECT seq, hash FROM audit_chain_head WHERE chain = ${chain} FOR UPDATE`.execute(tx);
  let found = (await select()).rows[0];
  if (!found) {
    await sql`INSERT INTO audit_chain_head (chain, seq, hash) VALUES (${chain}, 0, ${chainGenesisHash}) ON CONFLICT (chain) DO NOTHING`.execute(tx);
    // The head row was inserted just before (ON CONFLICT DO NOTHING): it exists now.
    found = (await select()).rows[0]!;
  }
  remember(tx, chain, found);
  return found;
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
