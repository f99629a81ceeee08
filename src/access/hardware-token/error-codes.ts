/** Error codes of the hardware tokens (R6): code → HTTP status. Messages are `error.<CODE>` in messages.ts beside it. */
export const hardwareTokenErrorCodes = {
  TOKEN_CODE_FORMAT: 400,
  TOKEN_CODE_WRONG: 400,
  // R6.8: the code was accepted once already (by this person or another sharing the token).
  TOKEN_CODE_USED: 409,
  // R6.6: five wrong token passwords stopped the person's token use; the master or an admin user lifts it.
  TOKEN_STOPPED: 403,
  // Every attempt left is being evaluated at this moment: try again.
  TOKEN_BUSY: 429,
  // R6.4, R6.5: the operation needs an activated token.
  TOKEN_NOT_ACTIVE: 403,
  // R6.7: the person's token was revoked or has expired; a new one is activated the same way.
  TOKEN_REVOKED: 403,
  TOKEN_EXPIRED: 403,
  // Activation (R6.3): the serial and code must name a usable token of the person's contract.
  TOKEN_SERIAL_INVALID: 400,
  TOKEN_ACTIVATION_FAILED: 400,
  TOKEN_ALREADY_ACTIVE: 409,
  // Lifting and revoking (R6.6, R6.7).
  TOKEN_NOT_STOPPED: 409,
  TOKEN_NONE: 404,
} as const satisfies Record<string, number>;
