import { sql } from 'kysely';
import type { Executor } from '../db/transaction.ts';

/**
 * A fixed-window counter kept in PostgreSQL, so that every service process shares it. The increment
 * and the check are one statement (house rule 5).
 */
export async function hitRateLimit(
  executor: Executor,
  bucket: string,
  limitPerWindow: number,
  windowSeconds: number,
  now: Date,
): Promise<boolean> {
  const windowStart = windowStartOf(now, windowSeconds);
  const row = await sql<{ hits: number }>`
    INSERT INTO rate_limit_hit (bucket, window_start, hits) VALUES (${bucket}, ${windowStart}, 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1
    RETURNING hits`.execute(executor);
  // An upsert with RETURNING returns its one row.
  return row.rows[0]!.hits <= limitPerWindow;
}

/** The start of the fixed window `now` falls in: windows of a minute start on the minute. */
export function windowStartOf(now: Date, windowSeconds: number): Date {
  return new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000);
}

/** Old windows are of no use; the logon counters' job calls this each round (logon-refusals.ts). */
export async function pruneRateLimits(executor: Executor, before: Date): Promise<void> {
  await executor.deleteFrom('rate_limit_hit').where('window_start', '<', before).execute();
}
