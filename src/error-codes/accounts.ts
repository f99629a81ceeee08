/** Error codes of the accounts area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const accountsErrorCodes = {} as const satisfies Record<string, number>;
