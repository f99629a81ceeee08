/** Error codes of the certificates area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const certificatesErrorCodes = {
  // R4.3: a certificate request that cannot be read as one.
  CERT_REQUEST_INVALID: 400,
  // R4.3: the request is not signed by the key it names (no proof the requester holds that key).
  CERT_REQUEST_SIGNATURE: 400,
  // R4.1: a request naming another person's ID than the one who logged on.
  CERT_REQUEST_SUBJECT: 400,
  // A key too weak or of a kind the bank does not sign (ECDSA P-256/P-384, RSA ≥ 2048 only).
  CERT_REQUEST_KEY: 400,
  // R4.6: the person holds a valid certificate; a new one replaces it only when the person confirms.
  CERT_REPLACE_CONFIRM: 409,
  // R4.2: the contract does not use certificates (the bank switches them on).
  CERT_NOT_REQUIRED: 409,
  // R4.5: the master's own certificate is reissued by the bank, on the master's request.
  CERT_MASTER_BY_BANK: 403,
  // R4.5: a reissue of a person who holds no valid certificate (they can acquire one directly).
  CERT_NONE_VALID: 409,

  // The logon with a certificate (the certificate listener, and the acquisition logon).
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
