import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/transaction.ts';

/**
 * A fixed-window counter kept in PostgreSQL, so that every service process shares it. The increment
 * and the check are one statement (house rule 5).
 *
 * A window the bucket has used up stays the one counted in while the clock stands before its start:
 * a clock stepped back would otherwise find an earlier window, empty or long pruned, and give a
 * refused address its attempts again. Until the clock passes that window the address stays limited
 * (over-strict for the length of the step, never lax); a window not used up is left alone, so an
 * address within the limit is not affected.
 */
export async function hitRateLimit(
  executor: Executor,
  bucket: string,
  limitPerWindow: number,
  windowSeconds: number,
  now: Date,
): Promise<boolean> {
  const row = await rateLimitHitSql(bucket, limitPerWindow, windowSeconds, now).execute(executor);
  // An upsert with RETURNING returns its one row.
  return row.rows[0]!.admitted;
}

/**
 * hitRateLimit as a statement of its own, for a statement that does the hit along with other work
 * (the password step's one round trip, src/modules/logon/password-step.ts): one row, `admitted`
 * true while the window's hits, this one included, stay within the limit.
 */
export function rateLimitHitSql(bucket: string, limitPerWindow: number, windowSeconds: number, now: Date): RawBuilder<{ admitted: boolean }> {
  const windowStart = windowStartOf(now, windowSeconds);
  return sql<{ admitted: boolean }>`
    WITH used_up_later AS (
      SELECT window_start FROM rate_limit_hit
      WHERE bucket = ${bucket} AND window_start > ${windowStart} AND hits >= ${limitPerWindow}
      ORDER BY window_start DESC LIMIT 1
    )
    INSERT INTO rate_limit_hit (bucket, window_start, hits)
    VALUES (${bucket}, coalesce((SELECT window_start FROM used_up_later), ${windowStart}), 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1
    RETURNING hits <= ${limitPerWindow} AS admitted`;
}

/** The start of the fixed window `now` falls in: windows of a minute start on the minute. */
export function windowStartOf(now: Date, windowSeconds: number): Date {
  return new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000);
}

/** Old windows are of no use; the logon counters' job calls this each round (logon-refusals.ts). */
export async function pruneRateLimits(executor: Executor, before: Date): Promise<void> {
  await executor.deleteFrom('rate_limit_hit').where('window_start', '<', before).execute();
}
