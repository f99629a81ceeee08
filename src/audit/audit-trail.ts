import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../db/transaction.ts';
import { chainGenesisHash, contentHash, currentLinkScheme, linkHashSql, noContractChain, type RecordContent } from './chain.ts';

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
  const chains = byChain(events);
  // One chain and nothing alongside is one statement, atomic by itself: outside a transaction it
  // needs none (a chain's first record, which makes the head, opens one itself).
  if (executor.isTransaction || (chains.size === 1 && options.alongside === undefined)) await append(executor, chains, options.alongside);
  else await executor.transaction().execute((tx) => append(tx, chains, options.alongside));
}

function byChain(events: readonly AuditEvent[]): Map<string, AuditEvent[]> {
  const chains = new Map<string, AuditEvent[]>();
  for (const event of events) {
    const chain = event.contractId ?? noContractChain;
    chains.set(chain, [...(chains.get(chain) ?? []), event]);
  }
  return chains;
}

async function append(executor: Executor, chains: Map<string, AuditEvent[]>, alongside: RawBuilder<unknown> | undefined): Promise<void> {
  // What goes alongside runs once, with the last chain's append.
  let left = chains.size;
  for (const [chain, chainEvents] of chains) await appendToChain(executor, chain, chainEvents, --left === 0 ? alongside : undefined);
}

/**
 * Appends a chain's records in one statement, which locks the chain's head, numbers and links the
 * records from it (the link in SQL, ./chain.ts linkHashSql), inserts them and moves the head
 * (decision 0026). The head is locked only from this statement to the commit, and after whatever
 * the transaction locked before: records of one contract are chained one after another, records
 * of different contracts do not wait for each other.
 *
 * A chain's first record finds no head: the statement then appends nothing (what goes alongside
 * has run), the head is made, and the records are appended again without it.
 */
async function appendToChain(executor: Executor, chain: string, events: readonly AuditEvent[], alongside: RawBuilder<unknown> | undefined): Promise<void> {
  const contents = events.map((event) => storableContent(chain, event));
  if (await appendAtHead(executor, chain, contents, alongside)) return;
  if (executor.isTransaction) await makeHeadAndAppend(executor, chain, contents);
  else await executor.transaction().execute((tx) => makeHeadAndAppend(tx, chain, contents));
}

/**
 * A chain's first records, once an append found no head: the head is made at the chain's start and
 * the records appended from it. Two first records at once both try to make it: the second's insert
 * waits for the first's transaction and, once that committed, makes nothing (ON CONFLICT DO
 * NOTHING); its append then locks the head as the first left it and chains after its records.
 */
async function makeHeadAndAppend(tx: Executor, chain: string, contents: readonly RecordContent[]): Promise<void> {
  await sql`INSERT INTO audit_chain_head (chain, seq, hash) VALUES (${chain}, 0, ${chainGenesisHash}) ON CONFLICT (chain) DO NOTHING`.execute(tx);
  // The head exists now, made just before or by a transaction that committed it meanwhile.
  assert.ok(await appendAtHead(tx, chain, contents, undefined), `audit chain ${chain} has its head`);
}

/** The statement of the append; false when the chain has no head yet (and nothing was appended). */
async function appendAtHead(executor: Executor, chain: string, contents: readonly RecordContent[], alongside: RawBuilder<unknown> | undefined): Promise<boolean> {
  const parts = appendCtes(chain, contents, undefined);
  const result = await sql<AppendCounts>`
    WITH RECURSIVE ${parts.ctes}${alongside === undefined ? sql`` : sql`,
    alongside AS (${alongside})`}
    SELECT ${parts.columns}`.execute(executor);
  // An aggregate without GROUP BY returns exactly one row.
  return appendedAtHead(chain, contents.length, result.rows[0]!);
}

/** The columns appendCtes reports the append in (its `columns`). */
const appendCountColumns: readonly (keyof AppendCounts)[] = ['audit_found', 'audit_appended', 'audit_moved'];

/** What the append's statement says of itself: whether the head was found (and its gate held), the records appended, the head moved. */
interface AppendCounts {
  audit_found: number;
  audit_appended: number;
  audit_moved: number;
}

function appendedAtHead(chain: string, records: number, counts: AppendCounts): boolean {
  if (counts.audit_found === 0) return false;
  assert.ok(counts.audit_appended === records && counts.audit_moved === 1, `audit chain ${chain}: every record appended and the head moved`);
  return true;
}

/**
 * The append as common table expressions (`audit_head`, `audit_records`, `audit_links`,
 * `audit_appended`, `audit_moved`) and the columns that report it, for a statement that must begin
 * `WITH RECURSIVE`. `onlyIf`, a condition of that statement, gates it: the head is locked and the
 * records appended only when it holds (decision 0031).
 */
function appendCtes(chain: string, contents: readonly RecordContent[], onlyIf: RawBuilder<unknown> | undefined): { ctes: RawBuilder<unknown>; columns: RawBuilder<unknown> } {
  const records = contents.map(
    (content, index) => sql`(${index + 1}::int, ${contentHash(content)}::text, ${content.at}::timestamptz, ${content.contractId}::text, ${content.userRef}::int,
              ${content.actor}::text, ${content.action}::text, ${content.outcome}::text, ${content.reason}::text, ${content.ip}::text, ${content.userAgent}::text,
              ${JSON.stringify(content.details)}::jsonb)`,
  );
  const link = linkHashSql(sql`${chain}::text`, sql`links.seq + 1`, sql`links.hash`, sql`r.content_hash`);
  // `audit_links` is the head (n = 0), then each record numbered and linked from the one before. The
  // head is read by `audit_head`, whose FOR UPDATE waits for an append of another transaction to
  // commit and then gives the head as that one left it. `audit_moved` names the row by its chain
  // only: a condition on its old number would be judged on the row as the statement's snapshot saw
  // it, before that wait, and fail. The head is locked from `audit_head` on, so nobody moves it in
  // between; and a record numbered like a stored one fails the unique index (chain, seq), so a head
  // that is not the stored chain's last record (moved back outside the trail) fails the append, and
  // with it the transaction, instead of forking the chain. Rows are inserted in chain order, so their
  // ids rise along the chain (./chain-walk.ts). Without its head (gate closed, or a chain's first
  // record) nothing is linked, so nothing is appended and nothing moved.
  const ctes = sql`audit_head AS (
      SELECT seq, hash FROM audit_chain_head WHERE chain = ${chain}${onlyIf === undefined ? sql`` : sql` AND (${onlyIf})`} FOR UPDATE
    ),
    audit_records (n, content_hash, at, contract_id, user_ref, actor, action, outcome, reason, ip, user_agent, details) AS (
      VALUES ${sql.join(records)}
    ),
    audit_links (n, seq, prev_hash, hash) AS (
      SELECT 0, seq, NULL::text, hash FROM audit_head
      UNION ALL
      SELECT r.n, links.seq + 1, links.hash, ${link} FROM audit_links links JOIN audit_records r ON r.n = links.n + 1
    ),
    audit_appended AS (
      INSERT INTO audit_log (chain, seq, prev_hash, hash, link_scheme, content_hash, at, contract_id, user_ref, actor, action, outcome, reason, ip, user_agent, details)
      SELECT ${chain}, l.seq, l.prev_hash, l.hash, ${currentLinkScheme}, r.content_hash, r.at, r.contract_id, r.user_ref, r.actor, r.action, r.outcome, r.reason, r.ip, r.user_agent, r.details
      FROM audit_links l JOIN audit_records r ON r.n = l.n
      ORDER BY l.n
      RETURNING 1
    ),
    audit_moved AS (
      UPDATE audit_chain_head SET seq = last.seq, hash = last.hash
      FROM (SELECT seq, hash FROM audit_links WHERE n > 0 ORDER BY n DESC LIMIT 1) last
      WHERE chain = ${chain}
      RETURNING 1
    )`;
  const columns = sql`(SELECT count(*) FROM audit_head)::int AS audit_found, (SELECT count(*) FROM audit_appended)::int AS audit_appended, (SELECT count(*) FROM audit_moved)::int AS audit_moved`;
  return { ctes, columns };
}

/**
 * A use case's locking write and its audit records in one statement (decision 0031): the caller
 * writes `WITH RECURSIVE <its own CTEs>, ${ctes} SELECT <its columns>, ${columns}`, the records
 * appended only when `onlyIf` holds (e.g. `EXISTS (SELECT 1 FROM inserted)`), and hands the row it
 * got to `appended`. The head is then locked by the statement of the write itself, held only to the
 * commit. `appended` checks the append and, for a chain's first record (no head yet: the
 * statement appended nothing), makes the head and appends the records by themselves — unless the
 * gate was closed, in which case nothing is to be recorded.
 */
export interface GatedAppend {
  ctes: RawBuilder<unknown>;
  columns: RawBuilder<unknown>;
  /** The names of `columns`, for a caller that returns them beside rows of its own. */
  columnNames: readonly string[];
  appended(executor: Tx, row: Record<string, unknown>): Promise<void>;
}

export function gatedAppend(events: readonly AuditEvent[], onlyIf: RawBuilder<unknown>): GatedAppend {
  const chains = byChain(events);
  assert.equal(chains.size, 1, 'a gated append is of one chain');
  const [chain, chainEvents] = [...chains][0]!;
  const contents = chainEvents.map((event) => storableContent(chain, event));
  const parts = appendCtes(chain, contents, onlyIf);
  return {
    ctes: parts.ctes,
    columns: sql`${parts.columns}, (${onlyIf})::boolean AS audit_gate`,
    columnNames: [...appendCountColumns, 'audit_gate'],
    async appended(executor, row) {
      if (row.audit_gate !== true) return;
      if (appendedAtHead(chain, contents.length, row as unknown as AppendCounts)) return;
      // The statement itself was the try at the head and found none: no second try before making it.
      await makeHeadAndAppend(executor, chain, contents);
    },
  };
}

/** An event as it will be stored, and hashed (R9.1). */
function storableContent(chain: string, event: AuditEvent): RecordContent {
  return {
    chain,
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
