/** Error codes of the Pay-easy area (R8.3): code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const payEasyErrorCodes = {
  // R1.4: the person does not hold 税金・各種料金の払込み.
  PAY_EASY_NOT_PERMITTED: 403,
  PAY_EASY_BILLER_NUMBER_INVALID: 400,
  PAY_EASY_BILLER_UNKNOWN: 400,
  PAY_EASY_CUSTOMER_NUMBER_INVALID: 400,
  PAY_EASY_PAYMENT_NUMBER_INVALID: 400,
  PAY_EASY_CONFIRMATION_NUMBER_INVALID: 400,
  PAY_EASY_PAYMENT_CLASS_INVALID: 400,
  PAY_EASY_ACCOUNT_REQUIRED: 400,
  PAY_EASY_ACCOUNT_NOT_USABLE: 400,
  // The biller's answers: no such bill, paid already, past its due date, changed since it was shown.
  PAY_EASY_BILL_NOT_FOUND: 400,
  PAY_EASY_BILL_PAID: 409,
  PAY_EASY_BILL_EXPIRED: 409,
  PAY_EASY_BILL_CHANGED: 409,
  PAY_EASY_PER_TRANSACTION_LIMIT: 400,
  PAY_EASY_DAILY_LIMIT: 400,
  PAY_EASY_INSUFFICIENT_FUNDS: 400,
  PAY_EASY_DRAFT_INVALID: 400,
  // R8.6: a key is a retry of one request; the same key with other content is refused.
  PAY_EASY_KEY_INVALID: 400,
  PAY_EASY_IDEMPOTENCY_MISMATCH: 409,
  PAY_EASY_STATE_CONFLICT: 409,
  // The link to the billers failed: nothing was paid; try again later.
  PAY_EASY_COLLECTOR_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;
