import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/transaction.ts';
import type { AccountType } from '../../db/schema.ts';
import type { TransferDestination } from './types.ts';

/** An account at this bank, as an ad hoc destination names it (branch, type and number, all well-formed). */
export interface OwnAccountKey {
  branchCode: string;
  accountType: AccountType;
  accountNumber: string;
}

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

/**
 * The open account at this bank the key names, as a scalar subquery giving an OwnBankAccount's JSON
 * or NULL: read with the person's permission (holder.ts) or alone (ownBankAccountOf). Without a key
 * it names no account by the same text with nulls, so a statement that may ask keeps one text (one
 * prepared statement, docs/decisions/0010) whether it asks or not.
 */
export function ownBankAccountSql(key: OwnAccountKey | undefined): RawBuilder<OwnBankAccount | null> {
  return sql<OwnBankAccount | null>`(SELECT json_build_object('contractId', o.contract_id, 'holderKana', o.holder_kana) FROM account o
             WHERE o.branch_code = ${key?.branchCode ?? null} AND o.account_type = ${key?.accountType ?? null} AND o.account_number = ${key?.accountNumber ?? null}
               AND o.closed_at IS NULL LIMIT 1)`;
}

/** `known`: the account as the person's permission statement read it (holder.ts), used when it is this one. */
export async function ownBankAccountOf(executor: Executor, to: Pick<TransferDestination, 'branchCode' | 'accountType' | 'accountNumber'> & { own: boolean }, known?: { key: OwnAccountKey; account: OwnBankAccount | undefined }): Promise<OwnBankAccount | undefined> {
  if (!to.own) return undefined;
  if (known && known.key.branchCode === to.branchCode && known.key.accountType === to.accountType && known.key.accountNumber === to.accountNumber) return known.account;
  const { rows } = await sql<{ account: OwnBankAccount | null }>`SELECT ${ownBankAccountSql(to)} AS account`.execute(executor);
  return rows[0]?.account ?? undefined;
}

/** Zengin kana compared as a teller compares them: spaces between words do not count. */
export function sameHolderName(typedKana: string, holderKana: string): boolean {
  const bare = (kana: string) => kana.replace(/[\s\u3000]/gu, '');
  return bare(typedKana) === bare(holderKana);
}
