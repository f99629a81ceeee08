import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { Database } from '../../db/schema.ts';
import { usesAccountSql } from '../users/account-use.ts';
import { accountBalanceColumns, type AccountBalance } from './repository.ts';

/**
 * The inquiry's accounts in one statement (R8.1): the person, their inquiry grant, the accounts
 * they may use and those accounts' balances. A page read these in five round trips (the person,
 * the grants, the links, the contract's accounts for the master, the balances); each rule below
 * is the SQL twin of the TypeScript rule named beside it, which the other pages still use.
 */

/** domain/permissions.ts grantOf(person, 'inquiry'): inquiry is a business of its own (R1.4). */
function holdsInquiry(eb: ExpressionBuilder<Database, 'users'>) {
  return eb.exists(eb.selectFrom('user_permission').select('user_permission.user_ref').whereRef('user_permission.user_ref', '=', 'users.id').where('user_permission.business', '=', 'inquiry'));
}

/** The accounts the person may inquire into, with their balances; undefined: no such person of the contract, or no inquiry. */
export async function inquiryBalances(executor: Executor, contractId: string, userRef: number): Promise<AccountBalance[] | undefined> {
  const rows = await executor
    // Materialized: the person is found first and the accounts from their row, so no plan depends on
    // which contract is asked for. Inlined, the contract's value reached the accounts' estimate, and
    // where contracts differ in size (a customer with a thousand accounts beside customers with one)
    // PostgreSQL priced the one kept plan above a plan made for the value and planned the statement
    // anew on every page, at several times the cost of running it (docs/decisions/0035).
    .with((cte) => cte('inquirer').materialized(), (db) => db.selectFrom('users').select(['users.id', 'users.contract_id', 'users.role']).where('users.contract_id', '=', contractId).where('users.id', '=', userRef).where(holdsInquiry))
    .selectFrom('inquirer')
    // A left join: the person with inquiry and no account is one row of nulls, not no row.
    // users/account-use.ts (R1.4): the twin of users/repository.ts recordsOf's accountIds.
    .leftJoin('account', (join) => join.on(usesAccountSql('inquirer', 'account')))
    // Every account has its ledger account (migration 0005), made with the account.
    .leftJoin('ledger_account', 'ledger_account.account_id', 'account.id')
    .leftJoin('own_branch', 'own_branch.code', 'account.branch_code')
    .select(accountBalanceColumns)
    // The order the users pages list them in (users/repository.ts: contractAccounts).
    .orderBy('account.branch_code')
    .orderBy('account.account_number')
    .orderBy('account.account_type')
    .execute();
  if (rows.length === 0) return undefined;
  return rows.flatMap((row) => {
    // The null row of a person without accounts; and, as the inner join on the ledger account did,
    // no line for an account without one.
    const { id, branch_code, account_type, account_number, holder_kana, ledger_account_id, balance_yen } = row;
    if (id === null || branch_code === null || account_type === null || account_number === null || holder_kana === null || ledger_account_id === null || balance_yen === null) return [];
    return [{ id, branchCode: branch_code, branchName: row.branch_name, accountType: account_type, accountNumber: account_number, holderKana: holder_kana, ledgerAccountId: ledger_account_id, balanceYen: balance_yen }];
  });
}
