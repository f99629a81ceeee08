/** Error codes of the ledger area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const ledgerErrorCodes = {} as const satisfies Record<string, number>;
