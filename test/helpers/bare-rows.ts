import type { Db } from '../../src/db/open.ts';

/**
 * Rows written straight into the tables, for tests of a rule's reading of them (who may use which
 * account, which account a destination names): none of onboarding's effects, no audit record.
 */
const createdAt = new Date('2026-04-01T00:00:00Z');

export async function addBareContract(db: Db, id: string, companyName = `契約 ${id}`): Promise<void> {
  await db.insertInto('contract').values({ id, company_name: companyName, lock_mode: 'unlinked', created_at: createdAt }).execute();
}

export async function addBarePerson(db: Db, contractId: string, userId: string, role: 'master' | 'user'): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ contract_id: contractId, user_id: userId, display_name: userId, role, email: null, login_password_hash: null, login_password_changed_at: null, confirmation_password_hash: null, confirmation_password_changed_at: null, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function addBareAccount(db: Db, contractId: string, accountNumber: string, options: { closed: boolean; holderKana?: string }): Promise<number> {
  const row = await db
    .insertInto('account')
    .values({ contract_id: contractId, branch_code: '001', account_type: 'ordinary', account_number: accountNumber, holder_kana: options.holderKana ?? 'ﾃｽﾄ', opened_at: createdAt, closed_at: options.closed ? createdAt : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
