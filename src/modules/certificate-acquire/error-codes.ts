/** Error codes of the certificate-acquire area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const certificateAcquireErrorCodes = {
  // R4.3: a certificate is issued only within a logon made for it (IDs, password and grid card
  // through 電子証明書の取得・更新), never from an ordinary session.
  CERT_ACQUIRE_STAGE: 403,
} as const satisfies Record<string, number>;
