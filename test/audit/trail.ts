import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../src/db/open.ts';
import { recordAudit, type AuditEvent } from '../../src/audit/audit-trail.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import type { ChainProblem } from '../../src/audit/chain-walk.ts';
import { chainGenesisHash, contentHash, currentLinkScheme, linkHash, recordHash, type ChainedContent, type LinkScheme } from '../../src/audit/chain.ts';

/** Shared pieces of the audit trail tests: contracts' chains filled through recordAudit, rows read raw. */

export function newContractId(): string {
  return contractIdFrom(String(randomInt(1_000_000_000, 9_999_999_999)));
}

export const trailStart = new Date('2026-04-01T00:00:00.000Z');

/** An event of the contract at trailStart + `second` seconds, with text a real trail holds. */
export function eventOf(contractId: string, second: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: new Date(trailStart.getTime() + second * 1000),
    contractId,
    userRef: 7,
    actor: `user:${contractId}/taro`,
    action: 'logon',
    outcome: second % 2 === 0 ? 'success' : 'failure',
    reason: second % 2 === 0 ? undefined : 'wrong_password',
    ip: '203.0.113.10',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    details: { method: 'password', attempt: second, 名前: '山田 太郎', note: 'a, "quoted"\nline' },
    ...extra,
  };
}

/** Appends `count` records to a new contract's chain, one second apart, and returns the contract ID. */
export async function filledChain(db: Db, count: number, contractId = newContractId()): Promise<string> {
  for (let second = 0; second < count; second++) await recordAudit(db, eventOf(contractId, second));
  return contractId;
}

export async function rowOf(db: Db, chain: string, seq: number) {
  return db.selectFrom('audit_log').selectAll().where('chain', '=', chain).where('seq', '=', BigInt(seq)).executeTakeFirstOrThrow();
}

/** Runs SQL as someone with write access to the database would, outside the trail. */
export async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await statement.execute(db);
}

/** A problem without its wording, for comparing whole lists. */
export function shape(problem: ChainProblem): { chain: string; seq: bigint | null; recordId: bigint | null; kind: string } {
  return { chain: problem.chain, seq: problem.seq, recordId: problem.recordId, kind: problem.kind };
}

/**
 * A record's hashes as the trail makes them in the given scheme (src/audit/chain.ts): for a record
 * forged outside the trail with correct hashes, or a chain built in memory.
 */
export function hashesOf(content: ChainedContent, linkScheme: LinkScheme = currentLinkScheme): { linkScheme: LinkScheme; contentHash: string | null; hash: string } {
  if (linkScheme === 1) return { linkScheme, contentHash: null, hash: recordHash(content) };
  const ofContent = contentHash(content);
  return { linkScheme, contentHash: ofContent, hash: linkHash({ chain: content.chain, seq: content.seq, prevHash: content.prevHash, contentHash: ofContent }) };
}

/**
 * Appends `count` records to a new contract's chain as the trail wrote them before migration 0017
 * (link scheme 1, the hash over content and position computed in Node), one second apart, and
 * moves the head: a chain written before the switch, for tests of chains that cross it.
 */
export async function scheme1Chain(db: Db, count: number, contractId = newContractId()): Promise<string> {
  let prevHash = chainGenesisHash;
  for (let second = 0; second < count; second++) {
    const event = eventOf(contractId, second);
    const content: ChainedContent = {
      chain: contractId, seq: BigInt(second + 1), prevHash, at: event.at, contractId, userRef: event.userRef, actor: event.actor, action: event.action,
      outcome: event.outcome, reason: event.reason ?? null, ip: event.ip ?? null, userAgent: event.userAgent ?? null, details: event.details ?? {},
    };
    const { hash } = hashesOf(content, 1);
    await db.insertInto('audit_log').values({
      chain: contractId, seq: content.seq, prev_hash: prevHash, hash, at: content.at, contract_id: contractId, user_ref: content.userRef, actor: content.actor,
      action: content.action, outcome: event.outcome, reason: content.reason, ip: content.ip, user_agent: content.userAgent, details: JSON.stringify(content.details),
    }).execute();
    prevHash = hash;
  }
  await sql`INSERT INTO audit_chain_head (chain, seq, hash) VALUES (${contractId}, ${count}, ${prevHash})`.execute(db);
  return contractId;
}
