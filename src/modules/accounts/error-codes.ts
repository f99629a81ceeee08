/** Error codes of the accounts area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const accountsErrorCodes = {
  // R8.1: a statement's period and page, as typed into the inquiry form or a link.
  ACCOUNTS_DATE_INVALID: 400,
  ACCOUNTS_DATE_FUTURE: 400,
  ACCOUNTS_RANGE_ORDER: 400,
  ACCOUNTS_RANGE_TOO_LONG: 400,
  ACCOUNTS_PAGE_INVALID: 400,
  ACCOUNTS_ENCODING_INVALID: 400,
  // A download is the whole period or nothing: never a file cut short without the person knowing.
  ACCOUNTS_CSV_TOO_MANY_ROWS: 400,
} as const satisfies Record<string, number>;
