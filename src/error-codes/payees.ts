/** Error codes of the payees area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const payeesErrorCodes = {} as const satisfies Record<string, number>;
