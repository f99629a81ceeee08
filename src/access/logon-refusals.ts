import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../deps.ts';
import type { Executor } from '../db/transaction.ts';
import { inTransaction } from '../db/transaction.ts';
import type { LogonPortal } from '../db/schema-logon-watch.ts';
import { AppError } from '../errors.ts';
import { recordAudit, recordAudits, type AuditEvent } from '../audit/audit-trail.ts';
import { startRepeatingJob, type RepeatingJob, type RepeatingJobOptions } from '../platform/repeating-job.ts';
import { hitRateLimit, pruneRateLimits, rateLimitHitSql, windowStartOf } from './rate-limit.ts';
import type { RequestContext } from './request-context.ts';

/**
 * R2.4: logon attempts are limited per client address and minute, on the customers' portal and on
 * the staff's console alike. A refused attempt is evaluated against nobody; it is counted per
 * address and minute (table logon_refusal), so the bank can see a credential-stuffing wave.
 *
 * R9.1, decision 0005: the audit trail holds two records per address-minute rather than one per
 * refused request (a wave would otherwise flood it): one at the first refusal, in its transaction,
 * so the wave is in the tamper-evident trail as it starts; and one with the minute's count once the
 * minute is over (recordRefusalTotals). A chained record is never updated; the counter row is.
 */
export const logonRateWindowSeconds = 60;

/** A minute is over for every process two minutes after it began: one minute more for clocks that differ. */
export const refusalMinuteClosedSeconds = 120;

/** Totals recorded per transaction; a round runs transactions until fewer are due. */
export const refusalTotalsBatchRows = 500;

/**
 * How long the console keeps an address-minute whose total is in the audit trail. The trail keeps
 * the wave for good; the counter rows only serve the console's recent view.
 */
export const refusalRowsKeptDays = 90;

/** How many address-minutes the console shows, newest first. */
export const refusalRowsShownMax = 200;

const bucketPrefix: Record<LogonPortal, string> = { customer: 'logon', staff: 'staff-logon' };

/** Lets a logon attempt through the rate limit, or records its refusal and refuses it with 429. */
export async function admitLogonAttempt(deps: Deps, portal: LogonPortal, context: RequestContext): Promise<void> {
  const now = deps.clock.now();
  if (await hitRateLimit(deps.db, logonRateBucket(portal, context), deps.config.logonRatePerMinute, logonRateWindowSeconds, now)) return;
  return refuseLogonAttempt(deps, portal, context, now);
}

/**
 * The hit admitLogonAttempt makes, as SQL for a statement that does it along with the lookup of the
 * person (the customers' password step, src/modules/logon/password-step.ts); a hit not admitted is
 * then refused with refuseLogonAttempt.
 */
export function logonRateHitSql(deps: Deps, portal: LogonPortal, context: RequestContext, now: Date): RawBuilder<{ admitted: boolean }> {
  return rateLimitHitSql(logonRateBucket(portal, context), deps.config.logonRatePerMinute, logonRateWindowSeconds, now);
}

/** Records the refusal of an attempt over the rate limit and refuses it with 429. */
export async function refuseLogonAttempt(deps: Deps, portal: LogonPortal, context: RequestContext, now: Date): Promise<never> {
  await recordRefusal(deps, portal, context, now);
  throw new AppError('AUTH_RATE_LIMITED');
}

function logonRateBucket(portal: LogonPortal, context: RequestContext): string {
  return `${bucketPrefix[portal]}:${context.ip}`;
}

/** The count goes up in one statement (house rule 5); only the statement that made the row writes the opening record. */
async function recordRefusal(deps: Deps, portal: LogonPortal, context: RequestContext, now: Date): Promise<void> {
  const minute = windowStartOf(now, logonRateWindowSeconds);
  await inTransaction(deps.db, async (tx) => {
    const counted = await tx
      .insertInto('logon_refusal')
      .values({ portal, ip: context.ip, minute, refusals: 1, first_at: now, last_at: now })
      .onConflict((conflict) =>
        conflict.columns(['portal', 'ip', 'minute']).doUpdateSet({
          refusals: sql<number>`logon_refusal.refusals + 1`,
          last_at: sql<Date>`greatest(logon_refusal.last_at, excluded.last_at)`,
        }),
      )
      .returning('refusals')
      .executeTakeFirstOrThrow();
    if (counted.refusals !== 1) return;
    await recordAudit(tx, {
      at: now,
      contractId: null,
      userRef: null,
      actor: 'anonymous',
      action: 'logon.rate_limited',
      outcome: 'failure',
      reason: 'rate_limited',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { portal, minute: minute.toISOString(), limitPerMinute: deps.config.logonRatePerMinute },
    });
  });
}

interface RefusalRow {
  portal: LogonPortal;
  ip: string;
  minute: Date;
  refusals: number;
  first_at: Date;
  last_at: Date;
}

/**
 * Records the count of every address-minute that is over and not recorded yet, at most a batch per
 * transaction. Each row is claimed by one conditional UPDATE (house rule 4), so two processes
 * record a minute once. Returns how many were recorded.
 */
export async function recordRefusalTotals(deps: Deps, now: Date): Promise<number> {
  const closedBefore = new Date(now.getTime() - refusalMinuteClosedSeconds * 1000);
  return inTransaction(deps.db, async (tx) => {
    const claimed = await sql<RefusalRow>`
      UPDATE logon_refusal SET total_recorded_at = ${now}
      WHERE total_recorded_at IS NULL AND (portal, ip, minute) IN (
        SELECT portal, ip, minute FROM logon_refusal
        WHERE total_recorded_at IS NULL AND minute <= ${closedBefore}
        ORDER BY minute LIMIT ${refusalTotalsBatchRows} FOR UPDATE SKIP LOCKED)
      RETURNING portal, ip, minute, refusals, first_at, last_at`.execute(tx);
    const rows = [...claimed.rows].sort((a, b) => a.minute.getTime() - b.minute.getTime() || a.portal.localeCompare(b.portal) || a.ip.localeCompare(b.ip));
    await recordAudits(
      tx,
      rows.map(
        (row): AuditEvent => ({
          at: now,
          contractId: null,
          userRef: null,
          actor: 'system',
          action: 'logon.rate_limited.total',
          outcome: 'info',
          reason: 'rate_limited',
          ip: row.ip,
          details: { portal: row.portal, minute: row.minute.toISOString(), refusals: row.refusals, firstAt: row.first_at.toISOString(), lastAt: row.last_at.toISOString() },
        }),
      ),
    );
    return rows.length;
  });
}

/**
 * Drops what no longer counts: rate-limit windows before the current one's predecessor (a window
 * decides only while it is current), and address-minutes older than `refusalRowsKeptDays` whose
 * total is recorded. Without it both tables grow with every address that ever logged on.
 */
export async function pruneLogonCounters(executor: Executor, now: Date): Promise<void> {
  await pruneRateLimits(executor, new Date(windowStartOf(now, logonRateWindowSeconds).getTime() - logonRateWindowSeconds * 1000));
  await executor
    .deleteFrom('logon_refusal')
    .where('total_recorded_at', 'is not', null)
    .where('minute', '<', new Date(now.getTime() - refusalRowsKeptDays * 86_400_000))
    .execute();
}

/** Records the totals every `intervalMs` until stopped, all that are due in each round, then prunes. */
export function startRefusalTotals(deps: Deps, options: RepeatingJobOptions): RepeatingJob {
  return startRepeatingJob(async () => {
    const now = deps.clock.now();
    while ((await recordRefusalTotals(deps, now)) === refusalTotalsBatchRows);
    await pruneLogonCounters(deps.db, now);
  }, options);
}

export interface RefusalMinute {
  portal: LogonPortal;
  ip: string;
  minute: Date;
  refusals: number;
}

/** For the console: refusals per address and minute, newest minute first, the most refused address first within it. */
export async function recentLogonRefusals(executor: Executor, rowsMax = refusalRowsShownMax): Promise<RefusalMinute[]> {
  return executor
    .selectFrom('logon_refusal')
    .select(['portal', 'ip', 'minute', 'refusals'])
    .orderBy('minute', 'desc')
    .orderBy('refusals', 'desc')
    .orderBy('ip')
    .limit(rowsMax)
    .execute();
}
