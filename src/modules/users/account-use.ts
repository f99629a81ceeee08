import { sql, type RawBuilder } from 'kysely';

/**
 * R1.4, the accounts a person may use, as a condition on a person's row (users) and an account's
 * row of one statement: the master every open account of the contract, anyone else the open
 * accounts of the contract linked to them (user_account), whatever a link to another contract's
 * account may say. The statements that read a person's accounts together with everything else use
 * this; the people pages read them apart, in recordsOf's accountIds (./repository.ts).
 * test/users/account-use.test.ts holds the two forms to the same answers.
 *
 * `closedToo`: the same rule but for the account's being open, for the accounts whose history the
 * person still sees (a closed account's transfers and payments stay theirs to look at).
 */
export function usesAccountSql(person: string, account: string, options: { closedToo?: boolean } = {}): RawBuilder<boolean> {
  const of = (alias: string, column: string) => sql.ref(`${alias}.${column}`);
  const open = options.closedToo === true ? sql`` : sql` AND ${of(account, 'closed_at')} IS NULL`;
  return sql<boolean>`(${of(account, 'contract_id')} = ${of(person, 'contract_id')}${open}
    AND (${of(person, 'role')} = 'master'
      OR EXISTS (SELECT 1 FROM user_account WHERE user_account.user_ref = ${of(person, 'id')} AND user_account.account_id = ${of(account, 'id')})))`;
}
