import { AppError } from '../../errors.ts';
import { formSecret, formText } from '../../web/form-input.ts';
import { emailLengthMax } from '../../domain/identifiers.ts';
import { passwordLengthMax } from '../../auth/password-rules.ts';

/** A new password longer than the rules allow is refused as such, however long it is. */
export function newPasswordField(body: unknown, name: string): string {
  return formSecret(body, name, { maxLength: 4 * passwordLengthMax, code: 'PASSWORD_LENGTH', charactersCode: 'PASSWORD_CHARACTERS' });
}

export function emailField(body: unknown): string {
  return formText(body, 'email', { maxLength: emailLengthMax, code: 'EMAIL_INVALID' });
}

export function codeField(body: unknown): string {
  const code = formText(body, 'code', { maxLength: 6, code: 'EMAIL_CODE_INVALID' });
  if (!/^[0-9]{6}$/.test(code)) throw new AppError('EMAIL_CODE_INVALID', { field: 'code' });
  return code;
}
