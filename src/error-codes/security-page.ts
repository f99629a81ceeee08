/** Error codes of the security-page area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const securityPageErrorCodes = {} as const satisfies Record<string, number>;
