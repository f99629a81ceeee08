/** Error codes of the bank's side of the hardware tokens (R6.2, R6.7): import, assignment, help desk. */
export const tokensErrorCodes = {
  // R6.2: the vendor's file is refused whole; the message names the key's serial and the reason.
  TOKEN_FILE_REFUSED: 400,
  TOKEN_FILE_MISSING: 400,
  TOKEN_SERIAL_EXISTS: 409,
  TOKEN_UNKNOWN: 404,
  TOKEN_NOT_ASSIGNABLE: 409,
  TOKEN_ASSIGN_REASON_INVALID: 400,
  // R6.2, R6.7: a free replacement needs an expiring token, a reissue a revoked one.
  TOKEN_REASON_UNFOUNDED: 409,
  // R6.2: the fee is debited from the contract's first account, which must hold it.
  TOKEN_FEE_FUNDS: 409,
  TOKEN_NO_ACCOUNT: 409,
  TOKEN_RESYNC_FAILED: 400,
} as const satisfies Record<string, number>;
