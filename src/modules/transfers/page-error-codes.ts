/** Error codes of the transfer pages: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const transferPagesErrorCodes = {
  TRANSFER_PAGES_ACCOUNT_REQUIRED: 400,
  TRANSFER_PAGES_DESTINATION_REQUIRED: 400,
  TRANSFER_PAGES_PAYEE_REQUIRED: 400,
  // R8.2: bank and branch codes are the Zengin 4 and 3 digits; whether they exist is the service's to say.
  TRANSFER_PAGES_BANK_CODE_INVALID: 400,
  TRANSFER_PAGES_BRANCH_CODE_INVALID: 400,
  TRANSFER_PAGES_ACCOUNT_TYPE_INVALID: 400,
  TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID: 400,
  TRANSFER_PAGES_NAME_REQUIRED: 400,
  // One message per problem of a typed amount (house rule 1: yen are whole numbers).
  TRANSFER_PAGES_AMOUNT_EMPTY: 400,
  TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER: 400,
  TRANSFER_PAGES_AMOUNT_FRACTION: 400,
  TRANSFER_PAGES_AMOUNT_ZERO: 400,
  TRANSFER_PAGES_AMOUNT_NEGATIVE: 400,
  TRANSFER_PAGES_AMOUNT_TOO_LARGE: 400,
  TRANSFER_PAGES_DATE_INVALID: 400,
  // The confirmation page's sealed inputs: expired, of another session, or altered.
  TRANSFER_PAGES_DRAFT_INVALID: 400,
  // R8.6: a money-moving form without a well-formed idempotency key is refused before anything is done.
  TRANSFER_PAGES_KEY_INVALID: 400,
  TRANSFER_PAGES_REASON_INVALID: 400,
  TRANSFER_PAGES_FILTER_INVALID: 400,
} as const satisfies Record<string, number>;
