import type { AccountType } from '../../db/schema.ts';

/**
 * R8.2: the form of the account an ad hoc destination [都度指定] names, as a Zengin record carries
 * it, stated once: resolveDestination (./destination.ts) refuses a field not of this form, and the
 * duplicate check's question (./duplicate.ts) is asked only of fields that are, so the two cannot
 * come to disagree about which accounts are well formed. A field may arrive as anything a caller
 * sent, so each check takes any value.
 */

const accountTypes: readonly AccountType[] = ['ordinary', 'current', 'savings'];

/** 金融機関コード: four digits. */
export function isBankCode(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{4}$/.test(value);
}

/** 支店コード: three digits. */
export function isBranchCode(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{3}$/.test(value);
}

/** 預金種目: 普通, 当座 or 貯蓄. */
export function isAccountType(value: unknown): value is AccountType {
  return (accountTypes as readonly unknown[]).includes(value);
}

/** 口座番号: seven digits (the form pads a shorter one with zeros, ./form-input.ts). */
export function isAccountNumber(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9]{7}$/.test(value);
}
