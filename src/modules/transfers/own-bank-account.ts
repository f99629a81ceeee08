import type { Executor } from '../../db/transaction.ts';
import type { ResolvedDestination } from './destination.ts';

/**
 * The account a transfer to this bank names, as the bank keeps it: whose it is and in whose name.
 * The bank knows its own accounts at entry, so it checks the payee's name there [口座名義の確認]
 * and tells a transfer between the company's own accounts [振替] from one to someone else; other
 * banks' accounts are checked at execution, by the interbank link (src/interbank.ts).
 */
export interface OwnBankAccount {
  contractId: string;
  holderKana: string;
}

export async function ownBankAccountOf(executor: Executor, to: ResolvedDestination): Promise<OwnBankAccount | undefined> {
  if (!to.own) return undefined;
  const row = await executor
    .selectFrom('account')
    .select(['contract_id', 'holder_kana'])
    .where('branch_code', '=', to.branchCode)
    .where('account_type', '=', to.accountType)
    .where('account_number', '=', to.accountNumber)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? undefined : { contractId: row.contract_id, holderKana: row.holder_kana };
}

/** Zengin kana compared as a teller compares them: spaces between words do not count. */
export function sameHolderName(typedKana: string, holderKana: string): boolean {
  const bare = (kana: string) => kana.replace(/[\s\u3000]/gu, '');
  return bare(typedKana) === bare(holderKana);
}
