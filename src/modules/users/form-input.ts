import { AppError } from '../../errors.ts';
import { normaliseYenText, yenDigitsOf } from '../../domain/money.ts';
import { formText, sentValue } from '../../web/form-input.ts';
import { isValidEmail, isValidUserId, emailLengthMax, userIdLengthMax } from '../../domain/identifiers.ts';
import { businesses, hasLimits, hasSteps, steps, type Business, type Grant, type Step } from '../../domain/permissions.ts';
import { newPasswordField } from '../settings/form-fields.ts';

/** R1.5, R2.3: the actor's confirmation password, read one way on every form (web/form-input.ts). */
export { confirmationPasswordField, tokenCodeField } from '../../web/form-input.ts';

/**
 * Reading the users forms. Anything but the expected shape (a list where one value belongs, a JSON
 * number, a control character) is refused with the field it concerns, before any rule is judged.
 */
export const displayNameLengthMax = 60;
/** Limits are typed in yen; fifteen digits are far beyond any contract's limit (commas and 円 come on top). */
export const yenDigitsMax = 15;
/** Room for the commas, spaces and 円 of a fifteen-digit amount as people write it. */
export const yenTextLengthMax = 30;
/** The path /users/new creates a person, so no person can be given that user ID. */
const reservedUserIds = new Set(['new']);

export function checkboxName(business: Business): string {
  return `grant_${business}`;
}
export function stepName(business: Business, step: Step): string {
  return `${business}_${step}`;
}
export function perTransactionName(business: Business): string {
  return `${business}_perTransactionYen`;
}
export function dailyName(business: Business): string {
  return `${business}_dailyYen`;
}
export const accountFieldName = 'account';

/** A checkbox is absent, or sent once with the value the page gave it. */
export function checkbox(body: unknown, name: string): boolean {
  const value = sentValue(body, name);
  if (value === undefined) return false;
  if (value === '1') return true;
  throw new AppError('INPUT_INVALID', { field: name });
}

/**
 * R1.4: a limit in yen as people type it (full-width digits, thousands commas and 円 are read as
 * every amount field reads them, src/domain/money.ts); no sign, no decimals. Zero is a limit.
 */
export function yenField(body: unknown, name: string): bigint {
  const value = normaliseYenText(formText(body, name, { maxLength: yenTextLengthMax, code: 'USERS_LIMIT_INVALID' }));
  const digits = yenDigitsOf(value);
  if (digits === undefined || digits.length > yenDigitsMax) throw new AppError('USERS_LIMIT_INVALID', { field: name });
  return BigInt(digits);
}

export function userIdField(body: unknown): string {
  const userId = formText(body, 'userId', { maxLength: userIdLengthMax, code: 'USER_ID_INVALID' });
  if (!isValidUserId(userId) || reservedUserIds.has(userId)) throw new AppError('USER_ID_INVALID', { field: 'userId' });
  return userId;
}

export function displayNameField(body: unknown): string {
  return formText(body, 'displayName', { maxLength: displayNameLengthMax, code: 'USERS_NAME_INVALID' });
}

export function emailField(body: unknown): string {
  const email = formText(body, 'email', { maxLength: emailLengthMax, code: 'EMAIL_INVALID' });
  if (!isValidEmail(email)) throw new AppError('EMAIL_INVALID', { field: 'email' });
  return email;
}

export function initialPasswordFields(body: unknown): { password: string; repeat: string } {
  return { password: newPasswordField(body, 'initialPassword'), repeat: newPasswordField(body, 'initialPasswordRepeat') };
}

/** R1.4: the businesses ticked, with their steps and limits; fields of a business not ticked are ignored. */
export function grantsField(body: unknown): Grant[] {
  const grants: Grant[] = [];
  for (const business of businesses) {
    if (!checkbox(body, checkboxName(business))) continue;
    const chosen = hasSteps(business) ? steps.filter((step) => checkbox(body, stepName(business, step))) : [];
    grants.push({
      business,
      steps: chosen,
      perTransactionLimitYen: hasLimits(business) ? yenField(body, perTransactionName(business)) : null,
      dailyLimitYen: hasLimits(business) ? yenField(body, dailyName(business)) : null,
    });
  }
  return grants;
}

/** The accounts ticked: each an account ID, each at most once. */
export function accountsField(body: unknown): number[] {
  const value = sentValue(body, accountFieldName);
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  const ids = values.map((v) => {
    if (typeof v !== 'string' || !/^[0-9]{1,9}$/.test(v)) throw new AppError('INPUT_INVALID', { field: accountFieldName });
    return Number(v);
  });
  if (new Set(ids).size !== ids.length) throw new AppError('INPUT_INVALID', { field: accountFieldName });
  return ids;
}

/** The form field a refusal of the permission rules points at. */
export function refusalField(refused: { code: string; business?: Business; accountId?: number }): string | undefined {
  if (refused.accountId !== undefined || refused.code === 'USERS_ACCOUNT_BEYOND_OWN') return accountFieldName;
  if (!refused.business) return undefined;
  if (refused.code === 'USERS_LIMIT_BEYOND_OWN' || refused.code === 'USERS_LIMIT_ORDER' || refused.code === 'USERS_LIMIT_REQUIRED') {
    return perTransactionName(refused.business);
  }
  return checkboxName(refused.business);
}
