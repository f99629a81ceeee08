/** R1.2: a user ID is 1–30 half-width letters and digits, unique within its contract. */
export const userIdLengthMax = 30;
export const emailLengthMax = 254;

export function isValidUserId(id: string): boolean {
  return /^[A-Za-z0-9]{1,30}$/.test(id);
}

/**
 * A deliberately plain address check: one @, a dotted domain, printable ASCII only. The real test of
 * an address is the confirmation code sent to it.
 */
export function isValidEmail(address: string): boolean {
  return address.length <= emailLengthMax && /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(address);
}
