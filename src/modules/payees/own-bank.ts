import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { BranchInfo, OwnBank } from '../../domain/bank-directory.ts';

/**
 * The bank itself for the bank directory (src/domain/bank-directory.ts): its code and names from
 * configuration, its own branches from table own_branch, read through `executor` (a transaction's,
 * where the caller is in one).
 */
export function ownBank(deps: Deps, executor: Executor = deps.db): OwnBank {
  const branchOf = (row: { code: string; name: string; name_kana: string }): BranchInfo => ({ code: row.code, name: row.name, kana: row.name_kana });
  return {
    code: deps.config.bankCode,
    name: deps.config.bankName,
    kana: deps.config.bankNameKana,
    async branch(code) {
      const row = await executor.selectFrom('own_branch').selectAll().where('code', '=', code).executeTakeFirst();
      return row === undefined ? undefined : branchOf(row);
    },
    async branches() {
      return (await executor.selectFrom('own_branch').selectAll().orderBy('code').execute()).map(branchOf);
    },
  };
}
