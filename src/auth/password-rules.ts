/**
 * R2.7 password rules, as a pure function: 8–32 half-width printable characters with both letters
 * and digits, not containing the user ID or the contract ID. History (not one of the last 3) and
 * R2.1 (login and confirmation differ) need the stored hashes and are checked by the caller.
 */
export const passwordLengthMin = 8;
export const passwordLengthMax = 32;
export const passwordHistoryDepth = 3;
/** R1.3: the one-time registration password of a new person is valid this many days. */
export const registrationPasswordValidDays = 14;
const containsIdLengthMin = 3;

export type PasswordRuleViolation =
  | 'PASSWORD_LENGTH'
  | 'PASSWORD_CHARACTERS'
  | 'PASSWORD_NEEDS_LETTER_AND_DIGIT'
  | 'PASSWORD_CONTAINS_ID';

export function passwordRuleViolation(
  password: string,
  ids: { userId: string; contractId: string },
): PasswordRuleViolation | undefined {
  if (password.length < passwordLengthMin || password.length > passwordLengthMax) return 'PASSWORD_LENGTH';
  if (!/^[\x21-\x7e]+$/.test(password)) return 'PASSWORD_CHARACTERS';
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return 'PASSWORD_NEEDS_LETTER_AND_DIGIT';
  // A user ID of one or two characters would forbid half the alphabet; it is too short to guess from.
  const userIdCheckable = ids.userId.length >= containsIdLengthMin;
  if ((userIdCheckable && password.toLowerCase().includes(ids.userId.toLowerCase())) || password.includes(ids.contractId)) {
    return 'PASSWORD_CONTAINS_ID';
  }
  return undefined;
}
