import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import { addDays, tokyoDate } from '../../src/domain/business-days.ts';
import { depositPostings } from '../../src/domain/ledger.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../../src/modules/ledger/post.ts';
import type { Actor } from '../../src/modules/transfers/service.ts';
import { Client } from '../../test/helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../../test/helpers/people.ts';
import { LogonWorker } from './logon-worker.ts';
import { generatedAccountNumberMax } from './scale-data.ts';

/** Lines on the measured statement account in the statement's default period (last 30 days): more than a page of 50. */
const statementLinesInPeriod = 60;

export interface MeasuredPerson {
  person: TestPerson;
  logonWorker: LogonWorker;
  actor: () => Promise<Actor>;
  statementAccountId: number;
  fromAccountId: number;
  toAccountNumber: string;
}

/**
 * The measured master, made by the use cases (onboarding, first logon with the OTP address), with
 * three accounts of their own: one with a statement of `statementLinesInPeriod` deposits in the
 * last 30 days (posted as the ledger posts), one to pay from and one to pay to.
 */
export async function measuredPerson(app: FastifyInstance, deps: Deps): Promise<MeasuredPerson> {
  const ip = '198.51.100.200';
  const person = await onboardMaster(deps, { userId: 'scale1' });
  await completeFirstLogon(new Client(app, { ip }), deps, person);
  const db = deps.db;
  const user = await db.selectFrom('users').selectAll().where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  const now = deps.clock.now();
  const today = tokyoDate(now);
  const open = async (branchCode: string, n: number) => {
    const row = await db
      .insertInto('account')
      .values({ contract_id: person.contractId, branch_code: branchCode, account_type: 'ordinary', account_number: String(generatedAccountNumberMax + n), holder_kana: 'ｽｹｰﾙ ｿｸﾃｲ', opened_at: now })
      .returning(['id', 'account_number'])
      .executeTakeFirstOrThrow();
    await db.insertInto('user_account').values({ user_ref: user.id, account_id: row.id }).execute();
    return { id: row.id, accountNumber: row.account_number, ledgerAccountId: await customerLedgerAccountId(db, row.id) };
  };
  const statement = await open('001', 1);
  const from = await open('001', 2);
  const to = await open('002', 3);
  const deposit = (ledgerAccountId: number, amountYen: bigint, valueDate: string) =>
    db.transaction().execute(async (tx) =>
      postJournalEntry(tx, {
        kind: 'deposit',
        description: 'ﾌﾘｺﾐ ｽｹｰﾙ ｿｸﾃｲ',
        valueDate,
        postedAt: now,
        postings: depositPostings({ cashLedgerAccountId: await bankLedgerAccountId(tx, 'cash'), customerLedgerAccountId: ledgerAccountId, amountYen }),
      }),
    );
  for (let i = 0; i < statementLinesInPeriod; i++) await deposit(statement.ledgerAccountId, BigInt(10_000 + i), addDays(today, -29 + Math.floor((i * 29) / statementLinesInPeriod)));
  await deposit(from.ledgerAccountId, 1_000_000_000_000n, today);
  return {
    person,
    logonWorker: new LogonWorker(app, person, ip),
    // Read anew at each size: the row's counters move with every logon.
    actor: async () => ({
      user: await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow(),
      contract: await db.selectFrom('contract').selectAll().where('id', '=', person.contractId).executeTakeFirstOrThrow(),
      ip,
      userAgent: 'bench:scale',
    }),
    statementAccountId: statement.id,
    fromAccountId: from.id,
    toAccountNumber: to.accountNumber,
  };
}
