import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { StatementCounter } from '../helpers/statement-counter.ts';
import { testDeps } from '../helpers/deps.ts';
import { lastOneTimePassword } from '../helpers/people.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { createTransfer, quoteTransfer, sendNewTransferCode, type Actor, type TransferInput } from '../../src/modules/transfers/service.ts';
import { addAccount, addContract, addPerson, newKey, otherOwnBranchCode, toAccount, today, type TestAccount } from './fixtures.ts';

/**
 * Decision 0025: a transfer sent at once costs few round trips. The counts are of the statements the
 * service sends (BEGIN and COMMIT not included); a change that adds one fails here and has to say
 * why in docs/benchmarks.md.
 */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };
let creator: Actor;
let from: TestAccount;
let payee: TestAccount;

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
  const { contractId } = await addContract(deps, 'none');
  from = await addAccount(deps, contractId, { fundYen: 1_000_000n });
  payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  creator = await addPerson(deps, contractId, { register: true, send: true }, [from.id]);
});
after(async () => {
  await database.drop();
});

/** Runs `work` with a Deps whose database counts the statements sent through it. */
async function counted<T>(work: (counting: Deps) => Promise<T>): Promise<{ result: T; statements: number }> {
  const counter = new StatementCounter();
  const result = await work({ ...deps, db: deps.db.withPlugin(counter) });
  return { result, statements: counter.count };
}

function input(amountYen: bigint): TransferInput {
  return { fromAccountId: from.id, destination: toAccount(payee, 'ｶ)ｳｹﾄﾘ'), amountYen, executionDate: today, idempotencyKey: newKey(), separatePayment: true };
}

test('a transfer sent at once: quote 1 statement, code sent 2 (the person locked; limits, code, email and record in one), creation 6 (permission with the duplicate check, code read with its entry held, then reservation with insert and the code use, claim, posting, audit with email)', async () => {
  const transfer = input(12_345n);
  const quote = await counted((d) => quoteTransfer(d, creator, transfer));
  const send = await counted((d) => sendNewTransferCode(d, creator, transfer.idempotencyKey, quote.result));
  const code = await lastOneTimePassword(deps, creator.user.otp_email!);
  const create = await counted((d) => createTransfer(d, creator, transfer, code));
  assert.equal(create.result.transfer.status, 'completed');
  assert.deepEqual({ quote: quote.statements, send: send.statements, create: create.statements }, { quote: 1, send: 2, create: 6 });
});

test("the code's use, the registration and the execution are appended in that order, one after another in the contract's chain, with the result email", async () => {
  const transfer = input(23_456n);
  await sendNewTransferCode(deps, creator, transfer.idempotencyKey, await quoteTransfer(deps, creator, transfer));
  const mailsBefore = await deps.db.selectFrom('outbox').select('id').where('contract_id', '=', creator.contract.id).execute();
  const { transfer: made } = await createTransfer(deps, creator, transfer, await lastOneTimePassword(deps, creator.user.otp_email!));
  const records = await deps.db
    .selectFrom('audit_log')
    .select(['seq', 'action', 'details'])
    .where('chain', '=', creator.contract.id)
    .orderBy('seq', 'desc')
    .limit(3)
    .execute();
  const [verify, register, execute] = records.reverse();
  assert.deepEqual([verify!.action, register!.action, execute!.action], ['email_otp.verify', 'transfer.register', 'transfer.execute']);
  assert.deepEqual([BigInt(register!.seq) - BigInt(verify!.seq), BigInt(execute!.seq) - BigInt(register!.seq)], [1n, 1n]);
  assert.equal(execute!.details.transferId, made.id.toString());
  // R7.3: the result email went into the outbox with them, to the creator who sent it among others.
  const mailsAfter = await deps.db.selectFrom('outbox').select(['id', 'recipient']).where('contract_id', '=', creator.contract.id).execute();
  const newMails = mailsAfter.filter((mail) => !mailsBefore.some((earlier) => earlier.id === mail.id));
  assert.ok(newMails.some((mail) => mail.recipient === creator.user.email));
  assert.equal((await verifyAuditChain(deps.db, { chain: creator.contract.id })).ok, true);
});
