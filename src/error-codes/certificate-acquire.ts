/** Error codes of the certificate-acquire area: code → HTTP status. Messages are `error.<CODE>` in its i18n area file. */
export const certificateAcquireErrorCodes = {} as const satisfies Record<string, number>;
