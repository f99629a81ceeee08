/**
 * R8.2: how an account at a Japanese bank is named, as a Zengin record carries it — bank code,
 * branch code, account type and account number — stated once. The payee form, the transfer form,
 * an ad hoc destination sent by any other way, the duplicate check's question and the bank
 * directory's look-up all ask these, so no two of them can come to disagree about which accounts
 * are well formed. A field may arrive as anything a caller sent, so each check takes any value.
 */

/** 預金種目: 普通, 当座 or 貯蓄, in the order the forms offer them. */
export const accountTypes = ['ordinary', 'current', 'savings'] as const;
export type AccountType = (typeof accountTypes)[number];

/** A Zengin account number has seven digits; a shorter one is the same number with leading zeros. */
export const accountNumberDigits = 7;

/** 金融機関コード: four digits. */
export function isBankCode(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{4}$/.test(value);
}

/** 支店コード: three digits. */
export function isBranchCode(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{3}$/.test(value);
}

export function isAccountType(value: unknown): value is AccountType {
  return (accountTypes as readonly unknown[]).includes(value);
}

/** 口座番号 as stored and sent: seven digits, not all zeros (no bank numbers an account 0000000). */
export function isAccountNumber(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{7}$/.test(value) && !/^0+$/.test(value);
}

/**
 * An account number as a person types it: one to seven half-width digits, padded with zeros on
 * the left to the stored form; undefined when it is not one (the form says so next to the field).
 */
export function typedAccountNumber(typed: string): string | undefined {
  if (!/^[0-9]{1,7}$/.test(typed)) return undefined;
  const padded = typed.padStart(accountNumberDigits, '0');
  return isAccountNumber(padded) ? padded : undefined;
}
