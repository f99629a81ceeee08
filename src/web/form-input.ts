import { AppError, type ErrorCode } from '../errors.ts';

/** Reads one text field of a submitted form; anything but a single string of printable text is refused. */
export function formText(
  body: unknown,
  name: string,
  options: { maxLength: number; code?: ErrorCode; allowEmpty?: boolean },
): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
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
  const value = (body as Record<string, unknown> | undefined)?.[name];
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
    const value = (body as Record<string, unknown> | undefined)?.[name];
    if (typeof value === 'string') values[name] = value.slice(0, 100);
  }
  return values;
}
