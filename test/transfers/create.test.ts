import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maskedAddress } from '../../src/access/email-otp/mask.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { addDays, businessDayOnOrAfter } from '../../src/domain/business-days.ts';
import { executionDaysAheadMax, quoteTransfer, type TransferRefusal, type Actor, type Destination, type TransferInput } from '../../src/modules/transfers/service.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { refused } from './refusals.ts';
import { addAccount, addContract, addPerson, balanceOf, newKey, otherOwnBranchCode, toAccount, toOtherBank, today, type TestAccount, createAs } from './fixtures.ts';

let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

async function transferCount(): Promise<number> {
  const row = await deps.db.selectFrom('transfer').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('a transfer by a person holding every step, without approval', () => {
  let creator: Actor;
  let from: TestAccount;
  let payeeAccount: TestAccount;

  before(async () => {
    const { contractId } = await addContract(deps, 'none');
    from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
    payeeAccount = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
    creator = await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 500_000n, dailyLimitYen: 600_000n }, [from.id]);
  });

  test('dated today, it is sent and posted at once: the amount to the payee, amount and fee from the account', async () => {
    const before = await balanceOf(deps.db, from.id);
    const { transfer, replayed } = await createAs(deps, creator, {
      fromAccountId: from.id,
      destination: toAccount(payeeAccount, 'ｶ)ｳｹﾄﾘ'),
      amountYen: 40_000n,
      executionDate: today,
      idempotencyKey: newKey(),
    });
    assert.equal(replayed, false);
    assert.equal(transfer.status, 'completed');
    assert.equal(transfer.fee_yen, 220n, 'same bank, another branch, 30,000 yen or more');
    assert.equal(transfer.sent_by, creator.user.id);
    assert.equal(await balanceOf(deps.db, from.id), before - 40_220n);
    assert.equal(await balanceOf(deps.db, payeeAccount.id), 40_000n);
    // R9.1, R5.2: the creator who sent it at once entered the one-time password emailed to their OTP address.
    const { emailOtp, ...others } = transfer.protections as { emailOtp: Record<string, unknown> };
    assert.deepEqual(others, { gridCard: true, certificate: false });
    assert.equal(emailOtp.to, maskedAddress(creator.user.otp_email!));
    assert.equal(emailOtp.verifiedAt, deps.clock.now().toISOString());
    const usage = await deps.db.selectFrom('daily_usage').select('used_yen').where('user_ref', '=', creator.user.id).where('usage_date', '=', today).executeTakeFirstOrThrow();
    assert.equal(usage.used_yen, 40_000n);
    const audit = await deps.db.selectFrom('audit_log').select(['action', 'details', 'ip']).where('user_ref', '=', creator.user.id).where('action', '=', 'transfer.register').executeTakeFirstOrThrow();
    assert.equal(audit.details.transferId, transfer.id.toString());
    assert.equal(audit.details.amountYen, '40000');
    assert.equal(audit.details.step, 'register');
    assert.equal(audit.ip, creator.ip);
    assert.equal((await verifyLedger(deps.db)).ok, true);
  });

  test('dated on a later business day, it is scheduled and nothing is posted yet', async () => {
    const before = await balanceOf(deps.db, from.id);
    const { transfer } = await createAs(deps, creator, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 10_000n, executionDate: '2026-04-02', idempotencyKey: newKey() });
    assert.equal(transfer.status, 'scheduled');
    assert.equal(transfer.fee_yen, 330n);
    assert.equal(await balanceOf(deps.db, from.id), before);
  });

  test('a client-certificate session is recorded as a protection in force (R9.1)', async () => {
    const { transfer } = await createAs(deps, { ...creator, protections: { certificate: true } }, {
      fromAccountId: from.id, destination: toOtherBank(), amountYen: 1_000n, executionDate: '2026-04-02', idempotencyKey: newKey(),
    });
    const { emailOtp: _emailOtp, ...others } = transfer.protections as { emailOtp: unknown };
    assert.deepEqual(others, { gridCard: true, certificate: true });
  });

  test('the balance is checked in the post: a same-day transfer beyond it is refused and changes nothing', async () => {
    const { contractId } = await addContract(deps, 'none');
    const poor = await addAccount(deps, contractId, { fundYen: 10_000n });
    const person = await addPerson(deps, contractId, { register: true, send: true }, [poor.id]);
    const count = await transferCount();
    await refused(createAs(deps, person, { fromAccountId: poor.id, destination: toOtherBank(), amountYen: 9_800n, executionDate: today, idempotencyKey: newKey() }), 'TRANSFER_INSUFFICIENT_FUNDS', 'amount');
    assert.equal(await transferCount(), count);
    assert.equal(await balanceOf(deps.db, poor.id), 10_000n);
    const usage = await deps.db.selectFrom('daily_usage').selectAll().where('user_ref', '=', person.user.id).execute();
    assert.deepEqual(usage, [], 'the refused transfer took nothing of the daily limit');
    // 9,670 + 330 yen of fee is exactly the balance.
    const { transfer } = await createAs(deps, person, { fromAccountId: poor.id, destination: toOtherBank(), amountYen: 9_670n, executionDate: today, idempotencyKey: newKey() });
    assert.equal(transfer.status, 'completed');
    assert.equal(await balanceOf(deps.db, poor.id), 0n);
  });
});

describe('who registers, and where it goes next', () => {
  test('without the send step, a registration without approval waits for someone to send it', async () => {
    const { contractId } = await addContract(deps, 'none');
    const from = await addAccount(deps, contractId, { fundYen: 100_000n });
    const clerk = await addPerson(deps, contractId, { register: true }, [from.id]);
    const quote = await quoteTransfer(deps, clerk, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 1_000n, executionDate: today });
    assert.equal(quote.sendsNow, false);
    const { transfer } = await createAs(deps, clerk, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 1_000n, executionDate: today, idempotencyKey: newKey() });
    assert.equal(transfer.status, 'awaiting_send');
    assert.equal(await balanceOf(deps.db, from.id), 100_000n);
  });

  for (const [mode, required] of [['single', 1], ['double', 2]] as const) {
    test(`with ${mode} approval, the registration waits for ${required} approval(s) even when the creator holds every step`, async () => {
      const { contractId, master } = await addContract(deps, mode);
      const from = await addAccount(deps, contractId, { fundYen: 100_000n });
      const quote = await quoteTransfer(deps, master, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 1_000n, executionDate: today });
      assert.equal(quote.approvalsRequired, required);
      assert.equal(quote.sendsNow, false);
      const { transfer } = await createAs(deps, master, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 1_000n, executionDate: today, idempotencyKey: newKey() });
      assert.equal(transfer.status, 'awaiting_approval');
      assert.equal(transfer.approvals_required, required);
    });
  }

  test('the master may use every account of the contract without a link', async () => {
    const { contractId, master } = await addContract(deps, 'none');
    const from = await addAccount(deps, contractId, { fundYen: 100_000n });
    const { transfer } = await createAs(deps, master, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 1_000n, executionDate: today, idempotencyKey: newKey() });
    assert.equal(transfer.status, 'completed');
  });
});

describe('fees by destination (R8.2, the default table)', () => {
  test('same branch free; same bank 110 / 220; other bank 330 / 440 below and from 30,000 yen', async () => {
    const { contractId, master } = await addContract(deps, 'none');
    const from = await addAccount(deps, contractId);
    // Another company's accounts: between the contract's own accounts a transfer is a 振替 without a fee (below).
    const payeeContractId = (await addContract(deps)).contractId;
    const sameBranch = await addAccount(deps, payeeContractId);
    const otherBranch = await addAccount(deps, payeeContractId, { branchCode: otherOwnBranchCode });
    const cases: [Destination, bigint, bigint][] = [
      [toAccount(sameBranch), 29_999n, 0n],
      [toAccount(sameBranch), 5_000_000n, 0n],
      [toAccount(otherBranch), 29_999n, 110n],
      [toAccount(otherBranch), 30_000n, 220n],
      [toOtherBank(), 29_999n, 330n],
      [toOtherBank(), 30_000n, 440n],
    ];
    for (const [destination, amountYen, feeYen] of cases) {
      const quote = await quoteTransfer(deps, master, { fromAccountId: from.id, destination, amountYen, executionDate: '2026-04-02' });
      assert.equal(quote.feeYen, feeYen, `${JSON.stringify(destination)} ${amountYen}`);
      assert.equal(quote.totalYen, amountYen + feeYen);
    }
  });

  test('a transfer between the contract’s own accounts [振替] has no fee, at the same branch or another', async () => {
    const { contractId, master } = await addContract(deps, 'none');
    const from = await addAccount(deps, contractId);
    for (const own of [await addAccount(deps, contractId), await addAccount(deps, contractId, { branchCode: otherOwnBranchCode })]) {
      const quote = await quoteTransfer(deps, master, { fromAccountId: from.id, destination: toAccount(own), amountYen: 50_000n, executionDate: '2026-04-02' });
      assert.equal(quote.ownTransfer, true);
      assert.equal(quote.feeYen, 0n);
    }
  });

  test('a configured fee table applies', async () => {
    const priced = testDeps(database.db, { env: { TRANSFER_FEES: 'same_branch:*:0,same_bank:*:100,other_bank:*:500' } });
    const { contractId, master } = await addContract(priced, 'none');
    const from = await addAccount(priced, contractId);
    const quote = await quoteTransfer(priced, master, { fromAccountId: from.id, destination: toOtherBank(), amountYen: 1n, executionDate: '2026-04-02' });
    assert.equal(quote.feeYen, 500n);
  });
});

describe('every refusal has its own code and field, and writes nothing', () => {
  let contractId: string;
  let clerk: Actor;
  let from: TestAccount;
  let payeeAccount: TestAccount;
  const base = (): TransferInput => ({ fromAccountId: from.id, destination: toOtherBank(), amountYen: 10_000n, executionDate: '2026-04-02', idempotencyKey: newKey() });
  const adHoc = (patch: Partial<Extract<Destination, { adHoc: unknown }>['adHoc']>): Destination => {
    const destination = toOtherBank() as Extract<Destination, { adHoc: unknown }>;
    return { adHoc: { ...destination.adHoc, ...patch } };
  };
  async function refusedWithNothingWritten(input: TransferInput, code: string, field?: string, actor = clerk): Promise<TransferRefusal> {
    const count = await transferCount();
    const refusal = await refused(quoteTransfer(deps, actor, input), code, field);
    await refused(createAs(deps, actor, input), code, field);
    assert.equal(await transferCount(), count, `${code}: no transfer written`);
    return refusal;
  }

  before(async () => {
    ({ contractId } = await addContract(deps, 'none'));
    from = await addAccount(deps, contractId, { fundYen: 100_000n });
    payeeAccount = await addAccount(deps, contractId, { branchCode: otherOwnBranchCode });
    clerk = await addPerson(deps, contractId, { register: true, send: true, perTransactionLimitYen: 50_000n, dailyLimitYen: 60_000n }, [from.id]);
  });

  test('no fund-transfer permission, or not the register step', async () => {
    const approver = await addPerson(deps, contractId, { approve: true, send: true }, [from.id]);
    await refusedWithNothingWritten(base(), 'TRANSFER_NOT_PERMITTED', undefined, approver);
    const nobody = await addPerson(deps, contractId, {}, [from.id]);
    await refusedWithNothingWritten(base(), 'TRANSFER_NOT_PERMITTED', undefined, nobody);
  });

  test('a suspended person holds nothing, whatever their session says', async () => {
    const suspended = await addPerson(deps, contractId, { register: true }, [from.id]);
    await deps.db.updateTable('users').set({ status: 'suspended' }).where('id', '=', suspended.user.id).execute();
    await refusedWithNothingWritten(base(), 'TRANSFER_NOT_PERMITTED', undefined, suspended);
  });

  test('an account the person may not use: not linked, closed, another contract’s, or no account at all', async () => {
    const unlinked = await addAccount(deps, contractId, { fundYen: 100_000n });
    await refusedWithNothingWritten({ ...base(), fromAccountId: unlinked.id }, 'TRANSFER_ACCOUNT_NOT_USABLE', 'fromAccountId');
    const closed = await addAccount(deps, contractId);
    await deps.db.insertInto('user_account').values({ user_ref: clerk.user.id, account_id: closed.id }).execute();
    await deps.db.updateTable('account').set({ closed_at: deps.clock.now() }).where('id', '=', closed.id).execute();
    await refusedWithNothingWritten({ ...base(), fromAccountId: closed.id }, 'TRANSFER_ACCOUNT_NOT_USABLE', 'fromAccountId');
    const foreign = await addContract(deps, 'none');
    const theirs = await addAccount(deps, foreign.contractId, { fundYen: 100_000n });
    const master = (await deps.db.selectFrom('users').select('id').where('contract_id', '=', contractId).where('role', '=', 'master').executeTakeFirstOrThrow()).id;
    const ourMaster = await addPersonAlias(master);
    await refusedWithNothingWritten({ ...base(), fromAccountId: theirs.id }, 'TRANSFER_ACCOUNT_NOT_USABLE', 'fromAccountId', ourMaster);
    for (const fromAccountId of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      await refusedWithNothingWritten({ ...base(), fromAccountId }, 'TRANSFER_ACCOUNT_NOT_USABLE', 'fromAccountId');
    }
  });

  async function addPersonAlias(ref: number): Promise<Actor> {
    const user = await deps.db.selectFrom('users').selectAll().where('id', '=', ref).executeTakeFirstOrThrow();
    const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', user.contract_id).executeTakeFirstOrThrow();
    return { user, contract, ip: '192.0.2.11' };
  }

  test('a payee that is not an active payee of this contract', async () => {
    const foreign = await addContract(deps, 'none');
    const payee = (contract: string, createdBy: number, status: 'active' | 'pending') =>
      deps.db
        .insertInto('payee')
        .values({ contract_id: contract, bank_code: '0001', branch_code: '001', account_type: 'ordinary', account_number: '7654321', name_kana: 'ﾔﾏﾀﾞ', status, created_by: createdBy, created_at: deps.clock.now(), ...(status === 'pending' ? { approvals_required: 1 } : {}) })
        .returning('id')
        .executeTakeFirstOrThrow();
    const theirs = await payee(foreign.contractId, foreign.master.user.id, 'active');
    const pending = await payee(contractId, clerk.user.id, 'pending');
    const ours = await payee(contractId, clerk.user.id, 'active');
    for (const payeeId of [theirs.id, pending.id, 0, 999_999_999, 2 ** 40]) {
      await refusedWithNothingWritten({ ...base(), destination: { payeeId } }, 'TRANSFER_PAYEE_UNKNOWN', 'payeeId');
    }
    const quote = await quoteTransfer(deps, clerk, { ...base(), destination: { payeeId: ours.id } });
    assert.equal(quote.to.payeeId, ours.id);
    assert.equal(quote.to.nameKana, 'ﾔﾏﾀﾞ');
    assert.equal(quote.to.bankName, 'みずほ銀行');
  });

  test('an unknown bank or branch code', async () => {
    for (const bankCode of ['9998', '123', 'abcd', '０００１', '']) {
      await refusedWithNothingWritten({ ...base(), destination: adHoc({ bankCode }) }, 'TRANSFER_BANK_UNKNOWN', 'bankCode');
    }
    for (const branchCode of ['998', '01', 'abc']) {
      await refusedWithNothingWritten({ ...base(), destination: adHoc({ branchCode }) }, 'TRANSFER_BRANCH_UNKNOWN', 'branchCode');
    }
    // The bank's own branches come from own_branch, not the Zengin data.
    await refusedWithNothingWritten({ ...base(), destination: adHoc({ bankCode: '0999', branchCode: '999' }) }, 'TRANSFER_BRANCH_UNKNOWN', 'branchCode');
  });

  test('an account type or number that is not one', async () => {
    await refusedWithNothingWritten({ ...base(), destination: adHoc({ accountType: 'checking' as never }) }, 'TRANSFER_ACCOUNT_TYPE_INVALID', 'accountType');
    for (const accountNumber of ['123456', '12345678', '１２３４５６７', '123-456', '']) {
      await refusedWithNothingWritten({ ...base(), destination: adHoc({ accountNumber }) }, 'TRANSFER_ACCOUNT_NUMBER_INVALID', 'accountNumber');
    }
  });

  test('paying an account into itself', async () => {
    await refusedWithNothingWritten({ ...base(), destination: toAccount(from) }, 'TRANSFER_SAME_ACCOUNT', 'accountNumber');
  });

  test('a name that cannot be Zengin kana: empty, too long, or kanji (naming the character)', async () => {
    await refusedWithNothingWritten({ ...base(), destination: adHoc({ nameInput: '  ' }) }, 'TRANSFER_NAME_EMPTY', 'name');
    await refusedWithNothingWritten({ ...base(), destination: adHoc({ nameInput: 'ア'.repeat(31) }) }, 'TRANSFER_NAME_TOO_LONG', 'name');
    const kanji = await refusedWithNothingWritten({ ...base(), destination: adHoc({ nameInput: 'ヤマダ 太郎' }) }, 'TRANSFER_NAME_UNCONVERTIBLE', 'name');
    assert.equal(kanji.params.char, '太');
    const quote = await quoteTransfer(deps, clerk, { ...base(), destination: adHoc({ nameInput: 'やまだ　はなこ' }) });
    assert.equal(quote.to.nameKana, 'ﾔﾏﾀﾞ ﾊﾅｺ');
    void payeeAccount;
  });

  test('an amount that is not a positive number of yen within ten digits', async () => {
    for (const amountYen of [0n, -1n, 10_000_000_000n]) {
      await refusedWithNothingWritten({ ...base(), amountYen }, 'TRANSFER_AMOUNT_INVALID', 'amount');
    }
    await refusedWithNothingWritten({ ...base(), amountYen: 1000 as never }, 'TRANSFER_AMOUNT_INVALID', 'amount');
  });

  test('a date that is invalid, past, not a business day, a holiday (named) or too far ahead', async () => {
    for (const executionDate of ['2026-02-30', '2026/04/02', 'tomorrow', '']) {
      await refusedWithNothingWritten({ ...base(), executionDate }, 'TRANSFER_DATE_INVALID', 'executionDate');
    }
    await refusedWithNothingWritten({ ...base(), executionDate: '2026-03-31' }, 'TRANSFER_DATE_PAST', 'executionDate');
    await refusedWithNothingWritten({ ...base(), executionDate: '2026-04-04' }, 'TRANSFER_DATE_NOT_BUSINESS_DAY', 'executionDate');
    const holiday = await refusedWithNothingWritten({ ...base(), executionDate: '2026-04-29' }, 'TRANSFER_DATE_HOLIDAY', 'executionDate');
    assert.equal(holiday.params.holiday, '昭和の日');
    const farthest = addDays(today, executionDaysAheadMax);
    const tooFar = businessDayOnOrAfter(addDays(farthest, 1));
    const tooFarRefusal = await refusedWithNothingWritten({ ...base(), executionDate: tooFar }, 'TRANSFER_DATE_TOO_FAR', 'executionDate');
    assert.equal(tooFarRefusal.params.days, String(executionDaysAheadMax));
    const lastAllowed = [...Array(7).keys()].map((i) => addDays(farthest, -i)).find((d) => businessDayOnOrAfter(d) === d)!;
    assert.equal((await quoteTransfer(deps, clerk, { ...base(), executionDate: lastAllowed })).executionDate, lastAllowed);
  });

  test('an amount beyond the per-transaction limit', async () => {
    await refusedWithNothingWritten({ ...base(), amountYen: 50_001n }, 'TRANSFER_PER_TRANSACTION_LIMIT', 'amount');
  });

  test('the daily limit of the execution date, counted over the person’s transfers of that date', async () => {
    await createAs(deps, clerk, { ...base(), amountYen: 50_000n, executionDate: '2026-04-03' });
    await refusedWithNothingWritten({ ...base(), amountYen: 10_001n, executionDate: '2026-04-03' }, 'TRANSFER_DAILY_LIMIT', 'amount');
    await createAs(deps, clerk, { ...base(), amountYen: 10_000n, executionDate: '2026-04-03' });
    // Another date has its own limit.
    await createAs(deps, clerk, { ...base(), amountYen: 50_000n, executionDate: '2026-04-06' });
  });

  test('a malformed idempotency key', async () => {
    for (const idempotencyKey of ['short', 'x'.repeat(65), 'has space in it 123', '']) {
      await refused(createAs(deps, clerk, { ...base(), idempotencyKey }), 'TRANSFER_IDEMPOTENCY_KEY_INVALID');
    }
  });

  test('refusals that say something about the person are kept in the audit trail', async () => {
    const rows = await deps.db.selectFrom('audit_log').select(['action', 'outcome', 'reason']).where('user_ref', '=', clerk.user.id).where('outcome', '=', 'failure').execute();
    const reasons = new Set(rows.map((r) => r.reason));
    for (const reason of ['transfer_account_not_usable', 'transfer_per_transaction_limit', 'transfer_daily_limit']) assert.ok(reasons.has(reason), reason);
    assert.ok(!reasons.has('transfer_date_past'), 'mistyped input is not');
  });
});
