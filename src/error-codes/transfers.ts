/** Error codes of the transfers area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const transfersErrorCodes = {} as const satisfies Record<string, number>;
