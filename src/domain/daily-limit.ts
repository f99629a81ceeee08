/**
 * R1.4: the daily limit of the fund-transfer business. What one person registers for one execution
 * date (Asia/Tokyo) adds up to at most their daily limit; a person without a limit registers
 * nothing. A transfer withdrawn or sent back gives its amount back to its date.
 *
 * The creation of a transfer holds the limit in the statement that inserts it (house rule 5:
 * src/modules/transfers/daily-usage.ts states this same rule in SQL, so that transfers arriving at
 * once cannot all pass it); the confirmation page asks the rule here first, from the limit and the
 * day's usage read together, so the person learns of it before confirming.
 */
export type DailyLimitRefusal = 'TRANSFER_DAILY_LIMIT';

/** The refusal when `amountYen` more on a date already holding `usedYen` goes over the limit, or undefined. */
export function refusalOverDailyLimit(dailyLimitYen: bigint | null, usedYen: bigint, amountYen: bigint): DailyLimitRefusal | undefined {
  if (dailyLimitYen === null || usedYen + amountYen > dailyLimitYen) return 'TRANSFER_DAILY_LIMIT';
  return undefined;
}
