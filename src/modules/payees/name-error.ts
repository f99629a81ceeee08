import { AppError, type ErrorCode } from '../../errors.ts';

/** A payee name refused by the Zengin rules, naming the character that cannot be written (R8.2). */
export class PayeeNameError extends AppError {
  readonly offending: string | undefined;
  constructor(code: ErrorCode, offending?: string) {
    super(code, { field: 'name' });
    this.offending = offending;
  }
}

/** How the offending character is shown: as itself, and as its code point when it is invisible. */
export function describeCharacter(char: string): string {
  // The offending character is one character, never an empty string, so it has a code point.
  const codePoint = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(char) ? `「${char}」(${codePoint})` : codePoint;
}
