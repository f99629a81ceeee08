import { AppError } from '../../errors.ts';
import { formChoice, formSecret, formText } from '../../web/form-input.ts';
import { emailLengthMax } from '../../domain/identifiers.ts';
import { passwordLengthMax } from '../../auth/password-rules.ts';
import { passwordKinds, type PasswordKind } from './password-checks.ts';

/** Long enough for any password the rules ever allowed, short enough that a huge input is refused before hashing. */
const currentPasswordLengthMax = 128;

/** A new password longer than the rules allow is refused as such, however long it is. */
export function newPasswordField(body: unknown, name: string): string {
  return formSecret(body, name, { maxLength: 4 * passwordLengthMax, code: 'PASSWORD_LENGTH', charactersCode: 'PASSWORD_CHARACTERS' });
}

/** R2.7: a password change — which password, the current one, and the new one twice. */
export function passwordChangeFields(body: unknown): { kind: PasswordKind; current: string; next: string; nextRepeat: string } {
  return {
    kind: formChoice(body, 'kind', passwordKinds),
    current: formSecret(body, 'current', { maxLength: currentPasswordLengthMax, code: 'CURRENT_PASSWORD_WRONG' }),
    next: newPasswordField(body, 'next'),
    nextRepeat: newPasswordField(body, 'nextRepeat'),
  };
}

export function emailField(body: unknown): string {
  return formText(body, 'email', { maxLength: emailLengthMax, code: 'EMAIL_INVALID' });
}

export function codeField(body: unknown): string {
  const code = formText(body, 'code', { maxLength: 6, code: 'EMAIL_CODE_INVALID' });
  if (!/^[0-9]{6}$/.test(code)) throw new AppError('EMAIL_CODE_INVALID', { field: 'code' });
  return code;
}
