/** Error codes of the users area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const usersErrorCodes = {} as const satisfies Record<string, number>;
