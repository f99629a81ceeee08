/** Error codes of the certificates area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const certificatesErrorCodes = {} as const satisfies Record<string, number>;
