/** Error codes of the transfers area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const transfersErrorCodes = {
  // R1.4, R8.5: the person does not hold the fund-transfer business, or not this step of it.
  TRANSFER_NOT_PERMITTED: 403,
  // R1.4: the account is not one the person may use (or is not the contract's, or is closed).
  TRANSFER_ACCOUNT_NOT_USABLE: 400,
  TRANSFER_PAYEE_UNKNOWN: 400,
  TRANSFER_BANK_UNKNOWN: 400,
  TRANSFER_BRANCH_UNKNOWN: 400,
  TRANSFER_ACCOUNT_TYPE_INVALID: 400,
  TRANSFER_ACCOUNT_NUMBER_INVALID: 400,
  TRANSFER_SAME_ACCOUNT: 400,
  TRANSFER_NAME_EMPTY: 400,
  TRANSFER_NAME_TOO_LONG: 400,
  TRANSFER_NAME_UNCONVERTIBLE: 400,
  TRANSFER_AMOUNT_INVALID: 400,
  TRANSFER_DATE_INVALID: 400,
  TRANSFER_DATE_PAST: 400,
  TRANSFER_DATE_NOT_BUSINESS_DAY: 400,
  TRANSFER_DATE_HOLIDAY: 400,
  TRANSFER_DATE_TOO_FAR: 400,
  TRANSFER_PER_TRANSACTION_LIMIT: 400,
  TRANSFER_DAILY_LIMIT: 400,
  TRANSFER_INSUFFICIENT_FUNDS: 400,
  // R8.6: a key is a retry of one request; the same key with other content is refused.
  TRANSFER_IDEMPOTENCY_KEY_INVALID: 400,
  TRANSFER_IDEMPOTENCY_MISMATCH: 409,
  // R8.5: the item is not (or no longer) in a state for this step.
  TRANSFER_STATE_CONFLICT: 409,
  TRANSFER_EXPIRED: 409,
  // R8.5: never the same person twice for one item; never the creator's own approval.
  TRANSFER_STEP_TAKEN: 409,
  TRANSFER_OWN_ITEM: 403,
  TRANSFER_REASON_INVALID: 400,
  // R8.6: a transfer like a recent one (duplicate.ts) needs the person's tick that it is a separate payment.
  TRANSFER_DUPLICATE_UNCONFIRMED: 409,
} as const satisfies Record<string, number>;
