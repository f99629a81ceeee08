/** Error codes of the ledger area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const ledgerErrorCodes = {
  // R8.2: a transfer executed at once would take the account below zero; nothing is kept (R8.6).
  LEDGER_INSUFFICIENT_FUNDS: 400,
} as const satisfies Record<string, number>;
