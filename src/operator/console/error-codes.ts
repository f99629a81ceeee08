/** Error codes of the operator-console area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const operatorConsoleErrorCodes = {
  // One answer for an unknown login, a wrong password and a stopped or disabled member (as R2.4).
  OPERATOR_LOGON_FAILED: 401,
  // A wrong code, a code already used, or a member stopped meanwhile.
  OPERATOR_TOTP_FAILED: 401,
  // The console's allow-list of client addresses.
  OPERATOR_ADDRESS_REFUSED: 403,
  // Approving or rejecting is the approvers' alone.
  OPERATOR_ROLE_REFUSED: 403,
  // Whoever recorded an application never decides it (four eyes).
  OPERATOR_OWN_APPLICATION: 403,
  OPERATOR_APPLICATION_DECIDED: 409,
  OPERATOR_REFERENCE_INVALID: 400,
  OPERATOR_KIND_INVALID: 400,
  OPERATOR_COMPANY_NAME_INVALID: 400,
  OPERATOR_NAME_INVALID: 400,
  OPERATOR_LOCK_MODE_INVALID: 400,
  OPERATOR_PERSON_UNKNOWN: 400,
  OPERATOR_PERSON_DELETED: 409,
  // R2.3, R2.5: a user's stop (unlinked) and a user's passwords are the master's to handle.
  OPERATOR_MASTER_ONLY: 400,
  OPERATOR_NOT_STOPPED: 409,
  OPERATOR_NO_VALID_CARD: 409,
  OPERATOR_LOCK_MODE_UNCHANGED: 409,
  OPERATOR_NOTE_INVALID: 400,
  OPERATOR_SECRETS_SHOWN: 410,
  OPERATOR_PERIOD_INVALID: 400,
  OPERATOR_SEARCH_INVALID: 400,
  OPERATOR_PASSWORD_RULES: 400,
  // Counts towards the stop, as a wrong logon password does.
  OPERATOR_PASSWORD_CURRENT_WRONG: 400,
  // The password in force (one IT issued, above all) cannot be kept under the name of a change.
  OPERATOR_PASSWORD_UNCHANGED: 400,
  // R4.2: the customer's application says on or off.
  OPERATOR_CERTIFICATE_SETTING_INVALID: 400,
  OPERATOR_CERTIFICATE_UNCHANGED: 409,
  // R4.5: the bank reissues the master's certificate; users' are the master's to reissue.
  OPERATOR_CERTIFICATE_MASTER_ONLY: 400,
  OPERATOR_NO_VALID_CERTIFICATE: 409,
} as const satisfies Record<string, number>;
