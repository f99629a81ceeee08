import { createRequire } from 'node:module';

/**
 * Whether a bank or branch code exists, for checking a file's records (R8.4). The published data
 * is zengin-code's, read as src/domain/bank-directory.ts reads it (on first use; Node's module cache
 * holds one copy for both). The bank's own branches are known only to the bank (table own_branch),
 * so they arrive as an option of the reader.
 */
export interface BankCodeDirectory {
  hasBank(bankCode: string): boolean;
  hasBranch(bankCode: string, branchCode: string): boolean;
}

interface ZenginCodeBank { branches: Record<string, unknown> }

let banks: Record<string, ZenginCodeBank> | undefined;

function zenginCodeBanks(): Record<string, ZenginCodeBank> {
  banks ??= createRequire(import.meta.url)('zengin-code') as Record<string, ZenginCodeBank>;
  return banks;
}

export const zenginCodeDirectory: BankCodeDirectory = {
  hasBank: (bankCode) => Object.hasOwn(zenginCodeBanks(), bankCode),
  hasBranch: (bankCode, branchCode) => {
    const bank = zenginCodeBanks()[bankCode];
    return bank !== undefined && Object.hasOwn(bank.branches, branchCode);
  },
};
