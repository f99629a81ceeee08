import { AppError, type ErrorCode } from '../errors.ts';

/**
 * One named value of what a browser sent — a form body, a query string or path parameters — read
 * without trusting its shape: anything but an object gives undefined, and only the object's own
 * properties count (a name like `__proto__` or `constructor` finds nothing). Every route reads
 * submitted values through here or the typed readers below, never by casting the body.
 */
export function sentValue(source: unknown, name: string): unknown {
  if (source === null || typeof source !== 'object' || !Object.hasOwn(source, name)) return undefined;
  return (source as { [name: string]: unknown })[name];
}

/** An optional text value (a query parameter, a path parameter): the string sent, or undefined. */
export function sentText(source: unknown, name: string): string | undefined {
  const value = sentValue(source, name);
  return typeof value === 'string' ? value : undefined;
}

/** One of a fixed set of values; anything else is refused with `code` on the field. */
export function formChoice<T extends string>(body: unknown, name: string, options: readonly T[], code: ErrorCode = 'INPUT_INVALID'): T {
  const value = sentValue(body, name);
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) throw new AppError(code, { field: name });
  return value as T;
}

/** Reads one text field of a submitted form; anything but a single string of printable text is refused. */
export function formText(
  body: unknown,
  name: string,
  options: { maxLength: number; code?: ErrorCode; allowEmpty?: boolean },
): string {
  const value = sentValue(body, name);
  const code = options.code ?? 'INPUT_INVALID';
  if (typeof value !== 'string') throw new AppError(code, { field: name });
  const trimmed = value.trim();
  if (!options.allowEmpty && trimmed.length === 0) throw new AppError(code, { field: name });
  if (value.length > options.maxLength || /[\p{Cc}\p{Cf}]/u.test(value)) throw new AppError(code, { field: name });
  return trimmed;
}

/** A password is taken exactly as typed (no trimming), within a bound that stops huge inputs early. */
export function formSecret(
  body: unknown,
  name: string,
  options: { maxLength: number; code?: ErrorCode; charactersCode?: ErrorCode },
): string {
  const value = sentValue(body, name);
  const code = options.code ?? 'INPUT_INVALID';
  if (typeof value !== 'string' || value.length === 0 || value.length > options.maxLength) throw new AppError(code, { field: name });
  // No password holds a control character: such input is refused before it is evaluated or counted.
  if (/[\p{Cc}\p{Cf}]/u.test(value)) throw new AppError(options.charactersCode ?? code, { field: name });
  return value;
}

/** The typed values to show again with an error: text fields only, never secrets. */
export function echoValues(body: unknown, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = sentValue(body, name);
    if (typeof value === 'string') values[name] = value.slice(0, 100);
  }
  return values;
}

/** Long enough for any confirmation password the rules ever allowed, short enough to refuse a huge input before hashing. */
export const confirmationPasswordLengthMax = 128;

/** R1.5, R2.3: the actor's confirmation password; malformed input is refused before it is evaluated or counted. */
export function confirmationPasswordField(body: unknown, name = 'confirmationPassword'): string {
  return formSecret(body, name, { maxLength: confirmationPasswordLengthMax, code: 'CONFIRMATION_PASSWORD_WRONG' });
}

/**
 * R6.5: the token password as typed, or '' when the form has none (a contract without tokens); its
 * format is judged by the token check, which asks for it only where it is needed.
 */
export function tokenCodeField(body: unknown, name = 'tokenCode'): string {
  if (sentValue(body, name) === undefined) return '';
  return formText(body, name, { maxLength: 12, code: 'TOKEN_CODE_FORMAT', allowEmpty: true }).replace(/\s/g, '');
}

/** R5.2: a one-time password as typed: digits only are compared; anything else is refused uncounted. */
export function oneTimePasswordField(body: unknown, name = 'otp'): string {
  const code = formText(body, name, { maxLength: 12, code: 'EMAIL_OTP_FORMAT', allowEmpty: true }).replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(code)) throw new AppError('EMAIL_OTP_FORMAT', { field: name });
  return code;
}
