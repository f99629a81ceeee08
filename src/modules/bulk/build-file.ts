import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { Account, AccountType } from '../../db/schema.ts';
import type { BulkTypeCode } from '../../db/schema-bulk.ts';
import { findBank, publishedBranch, type BranchInfo } from '../../domain/bank-directory.ts';
import { addDays, businessDayOnOrAfter, tokyoDate } from '../../domain/business-days.ts';
import { accountBalances, type AccountBalance } from '../accounts/repository.ts';
import { ownBank } from '../payees/own-bank.ts';
import { payeesOf, type PayeeListRow } from '../payees/repository.ts';
import { usableAccountIds } from '../transfers/holder.ts';
import type { Actor } from '../transfers/types.ts';
import { buildZenginBytes, builtFileName, canPayBulk, type BuildLine } from './build.ts';
import { buildField, type BuildForm } from './build-input.ts';
import { bulkHolderOf } from './holder.ts';
import { refuse } from './refusal.ts';

/**
 * R8.4: a file built on screen from the contract's registered payees (for salaries, the employees'
 * accounts registered as payees). Only a holder of the register step builds, from an account they
 * may use; a payee must be active now — a deleted one, one still awaiting approval or another
 * contract's is refused, and nothing is made.
 */

/** A payee as the build page lists it. */
export interface BuildPayee {
  id: number;
  name: string;
  nickname: string | null;
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: AccountType;
  accountNumber: string;
}

export interface BuildChoices {
  /** Open accounts the person may use that can pay a bulk file (ordinary, current). */
  accounts: AccountBalance[];
  payees: BuildPayee[];
  /** The next business day after today. */
  defaultDate: string;
}

/** Branches by their codes: the bank's own read once for the whole list, not once a payee. */
async function branchesOf(deps: Deps): Promise<(bankCode: string, branchCode: string) => BranchInfo | undefined> {
  const own = new Map((await ownBank(deps).branches()).map((branch) => [branch.code, branch]));
  return (bankCode, branchCode) => (bankCode === deps.config.bankCode ? own.get(branchCode) : publishedBranch(bankCode, branchCode));
}

/** R1.4: the register step of 外部ファイル送信, or BULK_NOT_PERMITTED. */
export async function requireBuilder(executor: Executor, actor: Actor): Promise<void> {
  if (!(await bulkHolderOf(executor, actor)).canRegister) refuse('BULK_NOT_PERMITTED');
}

export async function buildChoices(deps: Deps, actor: Actor): Promise<BuildChoices> {
  await requireBuilder(deps.db, actor);
  const accounts = (await accountBalances(deps.db, actor.contract.id, await usableAccountIds(deps.db, actor, { openOnly: true }))).filter((a) => canPayBulk(a.accountType));
  const own = ownBank(deps);
  const branch = await branchesOf(deps);
  const payees = (await payeesOf(deps.db, actor.contract.id, ['active'])).map((payee): BuildPayee => ({
    id: payee.id,
    name: payee.name_kana,
    nickname: payee.nickname,
    bankCode: payee.bank_code,
    bankName: findBank(own, payee.bank_code)?.name ?? payee.bank_code,
    branchCode: payee.branch_code,
    branchName: branch(payee.bank_code, payee.branch_code)?.name ?? payee.branch_code,
    accountType: payee.account_type,
    accountNumber: payee.account_number,
  }));
  return { accounts, payees, defaultDate: businessDayOnOrAfter(addDays(tokyoDate(deps.clock.now()), 1)) };
}

/** The paying account, when the person holds the register step and may pay a bulk file from it. */
export async function payingAccount(executor: Executor, actor: Actor, accountId: number): Promise<Account> {
  const holder = await bulkHolderOf(executor, actor, { accountId });
  if (!holder.canRegister) refuse('BULK_NOT_PERMITTED');
  if (!holder.account || !canPayBulk(holder.account.account_type)) refuse('BULK_ACCOUNT_NOT_USABLE', buildField.fromAccountId);
  return holder.account;
}

/** The payees of the lines, each active in the contract now, in the order the page lists them. */
export async function linePayees(executor: Executor, actor: Actor, form: BuildForm): Promise<{ payee: PayeeListRow; line: BuildForm['lines'][number] }[]> {
  const active = await payeesOf(executor, actor.contract.id, ['active']);
  const byId = new Map(form.lines.map((line) => [line.payeeId, line]));
  const known = new Set(active.map((payee) => payee.id));
  if (form.lines.some((line) => !known.has(line.payeeId))) refuse('BULK_BUILD_PAYEE_UNUSABLE');
  return active.flatMap((payee) => {
    const line = byId.get(payee.id);
    return line ? [{ payee, line }] : [];
  });
}

export interface BuiltFile {
  bytes: Uint8Array;
  fileName: string;
}

/** The Zengin file of the form: the same form gives the same bytes, whether downloaded or stored. */
export async function buildFile(deps: Deps, actor: Actor, form: BuildForm, paymentDate: string): Promise<BuiltFile> {
  const account = await payingAccount(deps.db, actor, form.fromAccountId);
  const chosen = await linePayees(deps.db, actor, form);
  const own = ownBank(deps);
  const branch = await branchesOf(deps);
  const lines = chosen.map(({ payee, line }): BuildLine => ({
    bankCode: payee.bank_code,
    bankKana: findBank(own, payee.bank_code)?.kana ?? '',
    branchCode: payee.branch_code,
    branchKana: branch(payee.bank_code, payee.branch_code)?.kana ?? '',
    accountType: payee.account_type,
    accountNumber: payee.account_number,
    nameKana: payee.name_kana,
    amountYen: line.amountYen,
    employeeNumber: line.employeeNumber,
  }));
  const origin = {
    contractId: actor.contract.id,
    holderKana: account.holder_kana,
    bankCode: own.code,
    bankKana: own.kana,
    branchCode: account.branch_code,
    branchKana: branch(own.code, account.branch_code)?.kana ?? '',
    accountType: account.account_type,
    accountNumber: account.account_number,
  };
  const typeCode: BulkTypeCode = form.typeCode;
  return { bytes: buildZenginBytes(typeCode, paymentDate, origin, lines), fileName: builtFileName(typeCode, paymentDate) };
}
