/** Error codes of the certificate-logon area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const certificateLogonErrorCodes = {
  // R4.1: a contract that uses certificates logs on only with the person's own valid certificate.
  // Each refusal has its own message, so the person knows what to do (install, renew, ask the master).
  CERT_LOGON_MISSING: 403,
  CERT_LOGON_OTHER_PERSON: 403,
  CERT_LOGON_REVOKED: 403,
  CERT_LOGON_EXPIRED: 403,
  CERT_LOGON_FOREIGN: 403,
  // The ordinary listener never asks for a certificate: such a contract logs on at the certificate one.
  CERT_LOGON_USE_CERTIFICATE_SITE: 403,
  // R4.3: the acquisition logon is for contracts that use certificates, and after the first logon.
  CERT_LOGON_NOT_REQUIRED: 400,
  CERT_LOGON_FIRST_LOGON_NEEDED: 400,
} as const satisfies Record<string, number>;
