/** Error codes of the security-page area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const securityPageErrorCodes = {} as const satisfies Record<string, number>;
