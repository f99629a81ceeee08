/** Error codes of the certificate-logon area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const certificateLogonErrorCodes = {} as const satisfies Record<string, number>;
