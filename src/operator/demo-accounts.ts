import type { Deps } from '../deps.ts';
import type { Tx } from '../db/transaction.ts';
import type { AccountType } from '../db/schema.ts';
import { tokyoDate } from '../domain/business-days.ts';
import { depositPostings, type PostingLine } from '../domain/ledger.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../modules/ledger/post.ts';
import { demoHistory, type DemoAccountKey, type DemoMovement } from './demo-accounts-history.ts';

/**
 * The demo contract's banking (R8.1): the bank's branches, three accounts the master may use and
 * about three months of history ending today, posted through the ledger like any other movement
 * (balanced entries, balances kept with them). Runs in the transaction that creates the demo
 * contract: a restart finds the contract and seeds nothing again, and a crash halfway leaves
 * nothing behind.
 */
const demoBranches = [
  { code: '001', name: '本店', name_kana: 'ﾎﾝﾃﾝ' },
  { code: '002', name: '駅前支店', name_kana: 'ｴｷﾏｴ' },
];

/** デモ商事株式会社 as a Zengin account holder name: 株式会社 after the name is written (ｶ at its end. */
export const demoHolderKana = 'ﾃﾞﾓｼﾖｳｼﾞ(ｶ';

const demoAccounts: Record<DemoAccountKey, { branchCode: string; accountType: AccountType; leadingDigit: string }> = {
  operating: { branchCode: '001', accountType: 'ordinary', leadingDigit: '1' },
  current: { branchCode: '001', accountType: 'current', leadingDigit: '2' },
  branch: { branchCode: '002', accountType: 'ordinary', leadingDigit: '3' },
};

/** Seven digits from the contract ID: the same contract always has the same account numbers. */
export function demoAccountNumber(contractId: string, key: DemoAccountKey): string {
  return demoAccounts[key].leadingDigit + contractId.replace(/[^0-9]/g, '').slice(-6).padStart(6, '0');
}

/** A moment on the value date (09:00 in Tokyo, a minute per entry), never after now. */
function postedAt(valueDate: string, index: number, now: Date): Date {
  const at = new Date(Date.parse(`${valueDate}T09:00:00+09:00`) + index * 60_000);
  return at < now ? at : now;
}

export async function seedDemoAccounts(deps: Deps, tx: Tx, contract: { contractId: string; masterRef: number }): Promise<void> {
  const now = deps.clock.now();
  // R8.5: the demo contract needs no approval, so a transfer can be tried at once.
  await tx.updateTable('contract').set({ approval_mode: 'none' }).where('id', '=', contract.contractId).execute();
  await tx.insertInto('own_branch').values(demoBranches).onConflict((oc) => oc.column('code').doNothing()).execute();

  const ledgerIds = {} as Record<DemoAccountKey, number>;
  for (const key of Object.keys(demoAccounts) as DemoAccountKey[]) {
    const spec = demoAccounts[key];
    const account = await tx
      .insertInto('account')
      .values({
        contract_id: contract.contractId,
        branch_code: spec.branchCode,
        account_type: spec.accountType,
        account_number: demoAccountNumber(contract.contractId, key),
        holder_kana: demoHolderKana,
        opened_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The master may use every account anyway (R1.4); the links make the accounts the master's own
    // to give when appointing users.
    await tx.insertInto('user_account').values({ user_ref: contract.masterRef, account_id: account.id }).execute();
    ledgerIds[key] = await customerLedgerAccountId(tx, account.id);
  }
  const cash = await bankLedgerAccountId(tx, 'cash');
  const feeIncome = await bankLedgerAccountId(tx, 'fee_income');

  const postingsOf = (movement: DemoMovement): PostingLine[] => {
    switch (movement.kind) {
      case 'deposit':
        return depositPostings({ cashLedgerAccountId: cash, customerLedgerAccountId: ledgerIds[movement.account], amountYen: movement.amountYen });
      case 'withdrawal':
        return [
          { ledgerAccountId: ledgerIds[movement.account], amountYen: -movement.amountYen },
          { ledgerAccountId: movement.toFeeIncome ? feeIncome : cash, amountYen: movement.amountYen },
        ];
      case 'own_transfer':
        return [
          { ledgerAccountId: ledgerIds[movement.from], amountYen: -movement.amountYen, description: movement.fromDescription },
          { ledgerAccountId: ledgerIds[movement.to], amountYen: movement.amountYen, description: movement.toDescription },
        ];
    }
  };

  // A withdrawal the account could not cover is left out, as the bank would refuse it: balances
  // are followed here so that the ledger never has to refuse one.
  const balances: Record<DemoAccountKey, bigint> = { operating: 0n, current: 0n, branch: 0n };
  const events = demoHistory(contract.contractId, tokyoDate(now));
  for (const [index, { valueDate, movement }] of events.entries()) {
    const source = movement.kind === 'deposit' ? undefined : movement.kind === 'withdrawal' ? movement.account : movement.from;
    if (source && balances[source] < movement.amountYen) continue;
    if (source) balances[source] -= movement.amountYen;
    if (movement.kind === 'deposit') balances[movement.account] += movement.amountYen;
    if (movement.kind === 'own_transfer') balances[movement.to] += movement.amountYen;
    await postJournalEntry(tx, {
      kind: movement.kind === 'own_transfer' ? 'withdrawal' : movement.kind,
      description: movement.description,
      valueDate,
      postedAt: postedAt(valueDate, index, now),
      postings: postingsOf(movement),
    });
  }
}
