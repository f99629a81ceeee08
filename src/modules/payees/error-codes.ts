/** Error codes of the payees area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const payeesErrorCodes = {
  // R8.2: the destination is checked against the bank directory and the Zengin rules.
  PAYEES_BANK_INVALID: 400,
  PAYEES_BRANCH_INVALID: 400,
  PAYEES_ACCOUNT_TYPE_INVALID: 400,
  PAYEES_ACCOUNT_NUMBER_INVALID: 400,
  PAYEES_NAME_EMPTY: 400,
  PAYEES_NAME_TOO_LONG: 400,
  PAYEES_NAME_UNCONVERTIBLE: 400,
  PAYEES_NICKNAME_INVALID: 400,
  PAYEES_DUPLICATE: 409,
  /** The review step's sealed copy of the form is missing, altered, of another session, or old. */
  PAYEES_DRAFT_INVALID: 400,
  // R1.4: registering needs the transfer business's register step, approving its approve step.
  PAYEES_REGISTER_FORBIDDEN: 403,
  PAYEES_APPROVE_FORBIDDEN: 403,
  // R8.5: never the same person twice for one item, never the registrant.
  PAYEES_OWN_ITEM: 403,
  PAYEES_ALREADY_APPROVED: 409,
  PAYEES_NOT_REGISTRANT: 403,
  PAYEES_NOT_PENDING: 409,
  PAYEES_NOT_ACTIVE: 409,
  PAYEES_CHANGE_PENDING: 409,
  PAYEES_REASON_INVALID: 400,
  // R8.5, R7.3: the contract's settings, changed by the master only.
  CONTRACT_SETTINGS_INVALID: 400,
} as const satisfies Record<string, number>;
