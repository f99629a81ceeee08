import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Account } from '../../db/schema.ts';
import type { FeeDestination } from '../../domain/fees.ts';
import { toZenginKana } from '../../domain/zengin-kana.ts';
import { findBank, findBranch, type BranchInfo } from '../../domain/bank-directory.ts';
import { ownBank } from '../payees/own-bank.ts';
import { activePayee } from '../payees/service.ts';
import { isAccountNumber, isAccountType, isBankCode, isBranchCode } from '../../domain/account-designation.ts';
import { isRowId } from './holder.ts';
import type { OwnAccountKey } from './own-bank-account.ts';
import { refuse, type TransferField } from './refusal.ts';
import type { Destination, TransferDestination } from './types.ts';

/**
 * R8.2: where a transfer goes — a registered, active payee of the contract, or an account given for
 * this transfer only [都度指定] — checked against the bank and branch data (the bank's own branches
 * for itself), with the payee's name in Zengin half-width kana.
 */
export interface ResolvedDestination extends TransferDestination {
  /** The account is at this bank: the money stays inside the ledger (R8.2). */
  own: boolean;
}

/** The Zengin name field holds 30 characters. */
export const payeeNameLengthMax = 30;

/**
 * The bank's own branch an ad hoc destination names, to be read with the person's permission
 * (holder.ts) instead of by a statement of its own; undefined for anything else.
 */
export function ownBranchAskedBy(deps: Deps, destination: Destination): string | undefined {
  if (!('adHoc' in destination)) return undefined;
  const { bankCode, branchCode } = destination.adHoc;
  return bankCode === deps.config.bankCode && isBranchCode(branchCode) ? branchCode : undefined;
}

/**
 * The account at this bank an ad hoc destination names, to be read with the person's permission
 * (holder.ts) for the payee's name check and 振替 (./own-bank-account.ts); undefined for anything else.
 */
export function ownAccountAskedBy(deps: Deps, destination: Destination): OwnAccountKey | undefined {
  const branchCode = ownBranchAskedBy(deps, destination);
  if (branchCode === undefined || !('adHoc' in destination)) return undefined;
  const { accountType, accountNumber } = destination.adHoc;
  if (!isAccountType(accountType) || !isAccountNumber(accountNumber)) return undefined;
  return { branchCode, accountType, accountNumber };
}

/** Where the money goes; `known` is an own branch already read (ownBranchAskedBy), as holder.ts gives it. */
export async function resolveDestination(
  deps: Deps,
  executor: Executor,
  contractId: string,
  destination: Destination,
  known?: { code: string; branch: BranchInfo | undefined },
): Promise<ResolvedDestination> {
  if ('payeeId' in destination) {
    const payee = isRowId(destination.payeeId) ? await activePayee(executor, contractId, destination.payeeId) : undefined;
    if (!payee) refuse('TRANSFER_PAYEE_UNKNOWN', 'payeeId');
    // A payee registered before its bank or branch was merged away cannot be paid any more.
    return withNames(deps, executor, {
      bankCode: payee.bank_code,
      branchCode: payee.branch_code,
      accountType: payee.account_type,
      accountNumber: payee.account_number,
      nameKana: payee.name_kana,
      payeeId: payee.id,
    }, 'payeeId');
  }
  const adHoc = destination.adHoc;
  if (!isBankCode(adHoc.bankCode)) refuse('TRANSFER_BANK_UNKNOWN', 'bankCode');
  const bank = findBank(ownBank(deps), adHoc.bankCode);
  if (!bank) refuse('TRANSFER_BANK_UNKNOWN', 'bankCode');
  if (!isBranchCode(adHoc.branchCode)) refuse('TRANSFER_BRANCH_UNKNOWN', 'branchCode');
  if (!isAccountType(adHoc.accountType)) refuse('TRANSFER_ACCOUNT_TYPE_INVALID', 'accountType');
  if (!isAccountNumber(adHoc.accountNumber)) refuse('TRANSFER_ACCOUNT_NUMBER_INVALID', 'accountNumber');
  const name = toZenginKana(typeof adHoc.nameInput === 'string' ? adHoc.nameInput : '', payeeNameLengthMax);
  if (!name.ok) {
    if (name.problem === 'empty') refuse('TRANSFER_NAME_EMPTY', 'name');
    if (name.problem === 'too_long') refuse('TRANSFER_NAME_TOO_LONG', 'name');
    refuse('TRANSFER_NAME_UNCONVERTIBLE', 'name', { char: name.offending ?? '' });
  }
  return withNames(deps, executor, {
    bankCode: adHoc.bankCode,
    branchCode: adHoc.branchCode,
    accountType: adHoc.accountType,
    accountNumber: adHoc.accountNumber,
    nameKana: name.kana,
    payeeId: null,
  }, 'branchCode', known);
}

type Bare = Pick<TransferDestination, 'bankCode' | 'branchCode' | 'accountType' | 'accountNumber' | 'nameKana' | 'payeeId'>;

async function withNames(
  deps: Deps,
  executor: Executor,
  bare: Bare,
  field: TransferField,
  known?: { code: string; branch: BranchInfo | undefined },
): Promise<ResolvedDestination> {
  const own = ownBank(deps, executor);
  const bank = findBank(own, bare.bankCode);
  if (!bank) refuse('TRANSFER_BANK_UNKNOWN', field === 'payeeId' ? 'payeeId' : 'bankCode');
  const branch = bank.own && known?.code === bare.branchCode ? known.branch : await findBranch(own, bare.bankCode, bare.branchCode);
  if (!branch) refuse('TRANSFER_BRANCH_UNKNOWN', field);
  return { ...bare, bankName: bank.name, bankKana: bank.kana, branchName: branch.name, branchKana: branch.kana, own: bank.own };
}

/** R8.2: the fee depends on where the money goes from the paying account. */
export function feeDestination(from: Account, to: ResolvedDestination): FeeDestination {
  if (!to.own) return 'other_bank';
  return to.branchCode === from.branch_code ? 'same_branch' : 'same_bank';
}

/** Paying an account into itself moves nothing and would only cost a fee. */
export function isSameAccount(from: Account, to: ResolvedDestination): boolean {
  return to.own && to.branchCode === from.branch_code && to.accountType === from.account_type && to.accountNumber === from.account_number;
}
