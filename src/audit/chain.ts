import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';

/**
 * The audit trail's hash chain (R9.1). A record's hash covers its chain position, the previous
 * record's hash and its content in a canonical form, so changing any field, removing a record or
 * reordering records changes a hash that `verifyAuditChain` recomputes.
 *
 * Two link schemes (decision 0026), told apart by `audit_log.link_scheme`:
 * - scheme 1, records written before migration 0017: `hash` is recordHash, over content and
 *   position together, computed in Node (which had to read the chain head first);
 * - scheme 2, every record written since: `content_hash` is contentHash, over the content alone,
 *   computed in Node; `hash` is linkHash over chain, seq, prev_hash and content_hash, computed by
 *   the append statement itself (linkHashSql), under the head's lock that statement takes.
 * Along a chain the scheme never goes back from 2 to 1.
 */
export const chainGenesisHash = '0'.repeat(64);
export const noContractChain = '-';

export type LinkScheme = 1 | 2;
/** The scheme every record is appended with now. */
export const currentLinkScheme = 2;

/** What a record says, without where it stands in its chain. */
export interface RecordContent {
  chain: string;
  at: Date;
  contractId: string | null;
  userRef: number | null;
  actor: string;
  action: string;
  outcome: string;
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
}

/** A record's content with its position: its number and the previous record's hash. */
export interface ChainedContent extends RecordContent {
  seq: bigint;
  prevHash: string;
}

/** JSON with object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The content's fields named one by one, so a record read back with more fields hashes as written. */
function hashedContent(content: RecordContent): Record<keyof RecordContent, unknown> {
  return {
    chain: content.chain,
    at: content.at.toISOString(),
    contractId: content.contractId,
    userRef: content.userRef,
    actor: content.actor,
    action: content.action,
    outcome: content.outcome,
    reason: content.reason,
    ip: content.ip,
    userAgent: content.userAgent,
    details: content.details,
  };
}

/** Scheme 1: the hash of a record, content and position together. Kept to read older records. */
export function recordHash(content: ChainedContent): string {
  return sha256Hex(canonicalJson({ ...hashedContent(content), seq: content.seq.toString(), prevHash: content.prevHash }));
}

/** Scheme 2: the hash of a record's content alone (`audit_log.content_hash`). */
export function contentHash(content: RecordContent): string {
  return sha256Hex(canonicalJson(hashedContent(content)));
}

/** Scheme 2's link, the record's `hash`. */
export interface Link {
  chain: string;
  seq: bigint;
  prevHash: string;
  contentHash: string;
}

/**
 * The text a scheme-2 link hashes, `audit-link-2:<chain>:<seq>:<prev_hash>:<content_hash>`. It
 * reads back one way only: the last three parts have no colon (decimal, then 64 hex twice), so a
 * colon in a chain's name could not move a boundary; the chain is also inside content_hash.
 */
const linkPrefix = 'audit-link-2';

/** Scheme 2's link, as the walk recomputes it; linkHashSql is the same in SQL. */
export function linkHash(link: Link): string {
  return sha256Hex(`${linkPrefix}:${link.chain}:${link.seq.toString()}:${link.prevHash}:${link.contentHash}`);
}

/**
 * Scheme 2's link in SQL, for the append statement (./audit-trail.ts): the arguments are SQL
 * expressions of text, bigint, text and text. A bigint's text form is its decimal digits without
 * leading zeros or sign, as BigInt's toString gives them; src/audit/chain.test.ts holds the two
 * to the same answers.
 */
export function linkHashSql(chain: RawBuilder<unknown>, seq: RawBuilder<unknown>, prevHash: RawBuilder<unknown>, contentHashOf: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`encode(sha256(convert_to(${sql.lit(`${linkPrefix}:`)} || ${chain} || ':' || (${seq})::text || ':' || ${prevHash} || ':' || ${contentHashOf}, 'UTF8')), 'hex')`;
}
