/** Error codes of bulk transfer files (R8.4): code → HTTP status. Messages are `error.<CODE>` in messages.ts beside it. */
export const bulkErrorCodes = {
  // R1.4: the person does not hold the step of 外部ファイル送信 it takes.
  BULK_NOT_PERMITTED: 403,
  BULK_ACCOUNT_NOT_USABLE: 403,
  BULK_FILE_REQUIRED: 400,
  BULK_FILE_TOO_LARGE: 413,
  // The file was read and has problems: the page lists every one.
  BULK_FILE_INVALID: 400,
  BULK_STATE_CONFLICT: 409,
  // R8.5: nobody approves their own file, nor takes two approval steps of one.
  BULK_OWN_ITEM: 403,
  BULK_STEP_TAKEN: 409,
  BULK_PER_FILE_LIMIT: 400,
  BULK_DAILY_LIMIT: 400,
  // R8.4: the cut-off of the payment date (or, for salaries, of the business days before it) has passed.
  BULK_TOO_LATE: 409,
  BULK_INSUFFICIENT_FUNDS: 400,
  // The same file (the same bytes) was registered before: the creator says it is a payment of its own.
  BULK_DUPLICATE_UNCONFIRMED: 409,
  BULK_REASON_INVALID: 400,
  BULK_KEY_INVALID: 400,
  BULK_IDEMPOTENCY_MISMATCH: 409,
  BULK_TEMPLATE_NAME_INVALID: 400,
  BULK_BUILD_EMPTY: 400,
  BULK_BUILD_AMOUNT_INVALID: 400,
  BULK_BUILD_PAYEE_UNUSABLE: 400,
  BULK_BUILD_DATE_INVALID: 400,
} as const satisfies Record<string, number>;
