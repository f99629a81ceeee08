import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { AppError } from '../../errors.ts';
import { formChoice, formText, sentText, sentValue } from '../../web/form-input.ts';
import { toZenginKana, isZenginKana } from '../../domain/zengin-kana.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { accountTypes, isAccountNumber, isAccountType, isBankCode, isBranchCode, typedAccountNumber, type AccountType } from '../../domain/account-designation.ts';
import { ownBank } from './own-bank.ts';
import { PayeeNameError } from './name-error.ts';

/** R1.5, R2.3: the actor's confirmation password, read one way on every form (web/form-input.ts). */
export { confirmationPasswordField } from '../../web/form-input.ts';

/**
 * Reading the payee form (R8.2). Every field is refused with its own code and the field's name, so
 * the page shows the problem next to it; nothing is looked up before the shape is right.
 */
/** The name as typed may be longer than the Zengin name (ガ becomes ｶﾞ), but not without bound. */
export const typedNameLengthMax = 60;
/** Zengin's payee name field is 30 characters. */
export const zenginNameLengthMax = 30;
export const nicknameLengthMax = 30;
export const reasonLengthMax = 200;
/** Where the payee's money goes, and what the contract calls it. */
export interface PayeeDetails {
  bankCode: string;
  branchCode: string;
  accountType: AccountType;
  accountNumber: string;
  nameKana: string;
  nickname: string | null;
}

/** The details, with the name as the person typed it (shown next to its Zengin form). */
export interface PayeeEntry extends PayeeDetails {
  nameTyped: string;
}

export function bankCodeField(body: unknown): string {
  const code = formText(body, 'bankCode', { maxLength: 10, code: 'PAYEES_BANK_INVALID' });
  if (!isBankCode(code)) throw new AppError('PAYEES_BANK_INVALID', { field: 'bankCode' });
  return code;
}

export function branchCodeField(body: unknown): string {
  const code = formText(body, 'branchCode', { maxLength: 10, code: 'PAYEES_BRANCH_INVALID' });
  if (!isBranchCode(code)) throw new AppError('PAYEES_BRANCH_INVALID', { field: 'branchCode' });
  return code;
}

export function accountTypeField(body: unknown): AccountType {
  return formChoice(body, 'accountType', accountTypes, 'PAYEES_ACCOUNT_TYPE_INVALID');
}

/** Half-width digits only, at most seven, not all zeros; padded to seven on the left. */
export function accountNumberField(body: unknown): string {
  const typed = formText(body, 'accountNumber', { maxLength: 20, code: 'PAYEES_ACCOUNT_NUMBER_INVALID' });
  const accountNumber = typedAccountNumber(typed);
  if (accountNumber === undefined) throw new AppError('PAYEES_ACCOUNT_NUMBER_INVALID', { field: 'accountNumber' });
  return accountNumber;
}

/** The payee's name as typed, and its Zengin form; a refusal names the character at fault. */
export function nameField(body: unknown): { typed: string; kana: string } {
  const value = sentText(body, 'name');
  if (value === undefined) throw new PayeeNameError('PAYEES_NAME_EMPTY');
  if (value.length > typedNameLengthMax) throw new PayeeNameError('PAYEES_NAME_TOO_LONG');
  const result = toZenginKana(value, zenginNameLengthMax);
  if (!result.ok) {
    const code = result.problem === 'empty' ? 'PAYEES_NAME_EMPTY' : result.problem === 'too_long' ? 'PAYEES_NAME_TOO_LONG' : 'PAYEES_NAME_UNCONVERTIBLE';
    throw new PayeeNameError(code, result.offending);
  }
  return { typed: value.trim(), kana: result.kana };
}

export function nicknameField(body: unknown): string | null {
  if (sentValue(body, 'nickname') === undefined) return null;
  const nickname = formText(body, 'nickname', { maxLength: nicknameLengthMax, code: 'PAYEES_NICKNAME_INVALID', allowEmpty: true });
  return nickname === '' ? null : nickname;
}

export function reasonField(body: unknown): string {
  return formText(body, 'reason', { maxLength: reasonLengthMax, code: 'PAYEES_REASON_INVALID' });
}

/** The whole payee form, in the order the page shows it; bank and branch must exist. */
export async function payeeEntryFields(deps: Deps, executor: Executor, body: unknown): Promise<PayeeEntry> {
  const own = ownBank(deps, executor);
  const bankCode = bankCodeField(body);
  if (!findBank(own, bankCode)) throw new AppError('PAYEES_BANK_INVALID', { field: 'bankCode' });
  const branchCode = branchCodeField(body);
  if (!(await findBranch(own, bankCode, branchCode))) throw new AppError('PAYEES_BRANCH_INVALID', { field: 'branchCode' });
  const accountType = accountTypeField(body);
  const accountNumber = accountNumberField(body);
  const name = nameField(body);
  const nickname = nicknameField(body);
  return { bankCode, branchCode, accountType, accountNumber, nameKana: name.kana, nameTyped: name.typed, nickname };
}

/** Details from elsewhere than the form (a sealed draft): checked again against the same rules. */
export async function checkDetails(deps: Deps, executor: Executor, details: PayeeDetails): Promise<void> {
  const own = ownBank(deps, executor);
  const valid =
    findBank(own, details.bankCode) !== undefined &&
    (await findBranch(own, details.bankCode, details.branchCode)) !== undefined &&
    isAccountType(details.accountType) &&
    isAccountNumber(details.accountNumber) &&
    isZenginKana(details.nameKana, zenginNameLengthMax) &&
    (details.nickname === null || (details.nickname.length > 0 && details.nickname.length <= nicknameLengthMax));
  if (!valid) throw new AppError('PAYEES_DRAFT_INVALID');
}
