/** Error codes of the transfer pages: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const transferPagesErrorCodes = {} as const satisfies Record<string, number>;
