import { findBank, publishedBranch, type OwnBankEntry } from '../../domain/bank-directory.ts';

/**
 * The names a file's records are shown with: the bank's and branch's names from the published data
 * (zengin-code) or, for the bank itself, its own branches; where neither knows a code (the reader
 * has refused such a file already, unless a branch is the bank's own), the kana the file wrote.
 */
export function namesOf(own: OwnBankEntry, ownBranches: ReadonlyMap<string, string>) {
  return {
    bank: (code: string, fileKana: string): string => findBank(own, code)?.name ?? fileKana,
    branch: (bankCode: string, branchCode: string, fileKana: string): string =>
      (bankCode === own.code ? ownBranches.get(branchCode) : publishedBranch(bankCode, branchCode)?.name) ?? fileKana,
  };
}
