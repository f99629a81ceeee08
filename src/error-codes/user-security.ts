/** Error codes of the user-security area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const userSecurityErrorCodes = {} as const satisfies Record<string, number>;
