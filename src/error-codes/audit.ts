/** Error codes of the audit area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const auditErrorCodes = {} as const satisfies Record<string, number>;
