/** Error codes of the email one-time passwords (R5): code → HTTP status. Messages are `error.<CODE>` in messages.ts beside it. */
export const emailOtpErrorCodes = {
  // R5.2: no code was sent for this operation (or a newer one replaced it): request one.
  EMAIL_OTP_NOT_SENT: 400,
  EMAIL_OTP_FORMAT: 400,
  EMAIL_OTP_WRONG: 400,
  // R5.4: three wrong entries void a code; a new one must be requested.
  EMAIL_OTP_VOID: 400,
  EMAIL_OTP_EXPIRED: 400,
  EMAIL_OTP_USED: 409,
  // R5.3: the operation changed after the code was sent; the code is useless for it.
  EMAIL_OTP_CHANGED: 409,
  // The three entries a code allows are all being compared at this moment: try again.
  EMAIL_OTP_BUSY: 429,
  // A new code only after the cool-down, and only so many per operation and per hour.
  EMAIL_OTP_COOLDOWN: 429,
  EMAIL_OTP_SEND_LIMIT: 429,
  // R5.1: the person has no confirmed OTP address to send a code to.
  EMAIL_OTP_NO_ADDRESS: 403,
  EMAIL_OTP_ADDRESS_INVALID: 400,
} as const satisfies Record<string, number>;
