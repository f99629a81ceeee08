import { sql } from 'kysely';
import type { Executor } from '../db/transaction.ts';
import type { Role } from '../db/schema.ts';
import { lockoutFailuresMax } from './attempts.ts';

/**
 * R2.3: seven wrong secrets stop a person (and, for a master, the contract) wherever they were typed.
 * The rule stays (docs/decisions/0021-anonymous-stops.md); what this file adds is where they came
 * from: the client address of each wrong secret is kept (the last seven per person), and a stop
 * names those addresses and the ones the person has never completed a logon from — in the stop's
 * audit record, in its email, and on the console's list of stops.
 */
export const failureAddressesKept = lockoutFailuresMax;

/**
 * Keeps the address of one wrong secret and drops the person's older ones beyond the last seven, in
 * one statement: the statement's snapshot does not see the row it adds, so six earlier ones stay.
 * Rows go by a range of ids, in index order, so two of these at once for one person wait for each
 * other rather than deadlock.
 */
export async function noteFailureAddress(executor: Executor, userRef: number, ip: string, at: Date): Promise<void> {
  await sql`
    WITH added AS (INSERT INTO secret_failure (user_ref, at, ip) VALUES (${userRef}, ${at}, ${ip}) RETURNING id)
    DELETE FROM secret_failure
    WHERE user_ref = ${userRef}
      AND id < (SELECT min(id) FROM (SELECT id FROM secret_failure WHERE user_ref = ${userRef} ORDER BY id DESC LIMIT ${failureAddressesKept - 1}) AS kept)`.execute(executor);
}

export interface StopOrigins {
  /** The addresses of the last seven wrong secrets, newest first, each once. */
  addresses: string[];
  /** Those of them the person never completed a logon from (a logon's success record in the audit trail). */
  neverSeen: string[];
}

export async function stopOrigins(executor: Executor, userRef: number): Promise<StopOrigins> {
  const failures = await executor
    .selectFrom('secret_failure')
    .select('ip')
    .where('user_ref', '=', userRef)
    .orderBy('id', 'desc')
    .limit(failureAddressesKept)
    .execute();
  const addresses = [...new Set(failures.map((row) => row.ip))];
  if (addresses.length === 0) return { addresses, neverSeen: [] };
  const seen = await executor
    .selectFrom('audit_log')
    .select('ip')
    .distinct()
    .where('user_ref', '=', userRef)
    .where('action', '=', 'logon')
    .where('outcome', '=', 'success')
    .where('ip', 'in', addresses)
    .execute();
  const seenAddresses = new Set(seen.map((row) => row.ip));
  return { addresses, neverSeen: addresses.filter((address) => !seenAddresses.has(address)) };
}

/** How many of a stop's addresses were never seen: all, some, none, or unknown (a stop recorded before addresses were kept). */
export type NeverSeenShare = 'all' | 'some' | 'none' | 'unknown';

export function neverSeenShare(origins: StopOrigins | undefined): NeverSeenShare {
  if (!origins || origins.addresses.length === 0) return 'unknown';
  if (origins.neverSeen.length === 0) return 'none';
  return origins.neverSeen.length === origins.addresses.length ? 'all' : 'some';
}

export interface RecordedStop {
  at: Date;
  contractId: string;
  companyName: string;
  userId: string;
  role: Role;
  contractStopped: boolean;
  origins: StopOrigins | undefined;
  share: NeverSeenShare;
}

/** How many stops the console shows, newest first. */
export const stopsShownMax = 200;

/**
 * The stops of every contract as their audit records tell them (written when the stop happened, so
 * later logons do not change what was "never seen" then), newest first; `neverSeenOnly` keeps those
 * caused at least in part from an address the person had never logged on from.
 */
export async function recordedStops(executor: Executor, options: { neverSeenOnly: boolean; rowsMax?: number }): Promise<RecordedStop[]> {
  let query = executor
    .selectFrom('audit_log')
    .innerJoin('users', 'users.id', 'audit_log.user_ref')
    .innerJoin('contract', 'contract.id', 'users.contract_id')
    .select(['audit_log.at', 'audit_log.details', 'users.user_id', 'users.role', 'contract.id as contract_id', 'contract.company_name'])
    .where('audit_log.action', '=', 'person.stop');
  if (options.neverSeenOnly) query = query.where(sql<number>`jsonb_array_length(coalesce(audit_log.details -> 'neverSeen', '[]'::jsonb))`, '>', 0);
  const rows = await query
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(options.rowsMax ?? stopsShownMax)
    .execute();
  return rows.map((row) => {
    const origins = originsOf(row.details);
    return {
      at: row.at,
      contractId: row.contract_id,
      companyName: row.company_name,
      userId: row.user_id,
      role: row.role,
      contractStopped: row.details['contractStopped'] === true,
      origins,
      share: neverSeenShare(origins),
    };
  });
}

function originsOf(details: Record<string, unknown>): StopOrigins | undefined {
  const texts = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined);
  const addresses = texts(details['addresses']);
  const neverSeen = texts(details['neverSeen']);
  return addresses && neverSeen ? { addresses, neverSeen } : undefined;
}
