/** Error codes of the operator-console area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const operatorConsoleErrorCodes = {} as const satisfies Record<string, number>;
