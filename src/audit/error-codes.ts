/** Error codes of the audit area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const auditErrorCodes = {} as const satisfies Record<string, number>;
