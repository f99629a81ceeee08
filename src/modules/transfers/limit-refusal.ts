import { formatYen } from '../../domain/money.ts';
import { messageParam } from '../../web/i18n/index.ts';
import { refuse } from './refusal.ts';

/**
 * R1.4: a refusal over a limit states the limit, and for the daily one what is left of that day,
 * so the person can change the amount at once instead of asking the master what their limit is.
 * A person without a limit has a limit of nothing (src/domain/daily-limit.ts).
 */
export function perTransactionLimitParams(limitYen: bigint | null): Record<string, string> {
  return { limit: formatYen(limitYen ?? 0n) };
}

export function refuseOverPerTransactionLimit(limitYen: bigint | null): never {
  refuse('TRANSFER_PER_TRANSACTION_LIMIT', 'amount', perTransactionLimitParams(limitYen));
}

/** Over the day's limit: the limit, what is left on the execution date, and whether that date is today. */
export function refuseOverDailyLimit(limitYen: bigint | null, usedYen: bigint, executionDate: string, today: string): never {
  const limit = limitYen ?? 0n;
  const remaining = limit > usedYen ? limit - usedYen : 0n;
  refuse('TRANSFER_DAILY_LIMIT', 'amount', {
    limit: formatYen(limit),
    remaining: formatYen(remaining),
    day: messageParam(executionDate === today ? 'transfers.limit.today' : 'transfers.limit.executionDate'),
  });
}
