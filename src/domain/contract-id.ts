/**
 * R1.1: a contract ID is 11 digits whose last digit is a Luhn check digit, so that a mistyped ID
 * is rejected before any lookup: every single wrong digit, and every swap of two neighbours
 * except 0↔9 (docs/decisions/0003).
 */
export const contractIdDigits = 11;

export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Double every second digit counting from the right of the body (the check digit's neighbour first).
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidContractId(id: string): boolean {
  if (!/^[0-9]{11}$/.test(id)) return false;
  return luhnCheckDigit(id.slice(0, -1)) === Number(id.at(-1));
}

/** Makes a contract ID from 10 random digits (the first not zero, so the ID reads as 11 digits). */
export function contractIdFrom(bodyDigits: string): string {
  if (!/^[1-9][0-9]{9}$/.test(bodyDigits)) throw new Error('contract ID body must be 10 digits, not starting with 0');
  return bodyDigits + String(luhnCheckDigit(bodyDigits));
}
