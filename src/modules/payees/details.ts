import type { Payee } from '../../db/schema-payees.ts';
import type { PayeeDetails } from './form-input.ts';

/** A payee's destination as the use cases compare, store and record it (R8.2). */

export function detailsOf(payee: Payee): PayeeDetails {
  return {
    bankCode: payee.bank_code,
    branchCode: payee.branch_code,
    accountType: payee.account_type,
    accountNumber: payee.account_number,
    nameKana: payee.name_kana,
    nickname: payee.nickname,
  };
}

export function sameDetails(a: PayeeDetails, b: PayeeDetails): boolean {
  return (['bankCode', 'branchCode', 'accountType', 'accountNumber', 'nameKana', 'nickname'] as const).every((key) => a[key] === b[key]);
}

/** The columns of a payee row that hold its details. */
export function detailColumns(details: PayeeDetails) {
  return {
    bank_code: details.bankCode,
    branch_code: details.branchCode,
    account_type: details.accountType,
    account_number: details.accountNumber,
    name_kana: details.nameKana,
    nickname: details.nickname,
  };
}

/** The details as an audit record keeps them (R9.1). */
export function auditDetails(details: PayeeDetails): Record<string, unknown> {
  return { ...details };
}
