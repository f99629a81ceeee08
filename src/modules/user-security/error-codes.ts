/** Error codes of the user-security area: code → HTTP status. Messages are `error.<CODE>` in the messages.ts beside it. */
export const userSecurityErrorCodes = {
  // R2.3: the master's stop, and any stop of a linked contract, is lifted by the bank only.
  STOP_LIFT_OPERATOR_ONLY: 403,
  STOP_NOT_STOPPED: 409,
  // R2.5: the master's forgotten password needs the bank (a new registration password).
  PASSWORD_RESET_OPERATOR_ONLY: 403,
  // One's own password is changed with the current one (R2.7), never reset.
  PASSWORD_RESET_SELF: 403,
  // A person who has not finished the first logon has no password yet: they use their initial one.
  PASSWORD_RESET_NOT_SET_UP: 409,
} as const satisfies Record<string, number>;
