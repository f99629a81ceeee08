/** Error codes of the bank's notices [お知らせ]: code → HTTP status. Messages are `error.<CODE>` in messages.ts beside it. */
export const bankNoticesErrorCodes = {
  BANK_NOTICE_TITLE_REQUIRED: 400,
  BANK_NOTICE_BODY_INVALID: 400,
  BANK_NOTICE_DATE_INVALID: 400,
  // The display period ends before it starts.
  BANK_NOTICE_PERIOD_ORDER: 400,
  // The target names no contract of the bank.
  BANK_NOTICE_CONTRACT_UNKNOWN: 400,
} as const satisfies Record<string, number>;
