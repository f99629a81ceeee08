import { createHash } from 'node:crypto';

/**
 * The audit trail's hash chain (R9.1). A record's hash covers its chain position, the previous
 * record's hash and its content in a canonical form, so changing any field, removing a record or
 * reordering records changes a hash that `verifyAuditChain` recomputes.
 */
export const chainGenesisHash = '0'.repeat(64);
export const noContractChain = '-';

export interface ChainedContent {
  chain: string;
  seq: bigint;
  prevHash: string;
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

/**
 * The hash of a record. Only the fields of ChainedContent are hashed, named one by one, so that a
 * record read back with more fields (its row id, its stored hash) hashes as it did when appended.
 */
export function recordHash(content: ChainedContent): string {
  const hashed: Record<keyof ChainedContent, unknown> = {
    chain: content.chain,
    seq: content.seq.toString(),
    prevHash: content.prevHash,
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
  const body = canonicalJson(hashed);
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
