import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import { tokyoDate } from '../../src/domain/business-days.ts';
import { Client } from '../helpers/client.ts';
import { logon, onboardMaster, otpAddressOf, type TestPerson } from '../helpers/people.ts';
import { addUser } from '../helpers/http-app.ts';
import { addUserWith, type GrantRow } from '../users/helpers.ts';
import { addAccount, addContract, otherOwnBranchCode, type TestAccount } from '../transfers/fixtures.ts';
import { adHocFields, createThroughPages, oneTimePasswordFor, type MoneyContract } from '../transfers/pages/support.ts';

/**
 * What one round of the crash scenario (process-crash.ts) asks of the service, made beforehand in
 * the test's own process on the same database — fresh people each round, so rounds do not meet:
 * transfers to confirm at once (their drafts are made in the session that confirms them, which
 * seals them: crash-traffic.ts), transfers waiting for approval (with the approver's emailed codes,
 * R5.2, R8.5), and people who log on (R3.1).
 */
export interface Confirmation {
  person: TestPerson;
  draft: string;
  /** R8.6: the idempotency key of the confirmation form; every retry carries it. */
  key: string;
  otp: string;
  amountYen: bigint;
}

export interface Approval {
  transferId: bigint;
  key: string;
  otp: string;
  amountYen: bigint;
}

export interface Round {
  /** Who confirm transfers that are sent at once (contract without approval). */
  senders: TestPerson[];
  /** The transfers each sender confirms: the form's fields. */
  transferForms: { person: TestPerson; amountYen: bigint; fields: Record<string, string> }[];
  /** Who approves and so sends the transfers of a contract with single approval. */
  approver: TestPerson;
  approvals: Approval[];
  /** Who only log on. */
  visitors: TestPerson[];
  /** The accounts transfers are paid from, with what they held before the round. */
  accounts: { account: TestAccount; fundedYen: bigint }[];
}

export interface RoundSize {
  senders: number;
  confirmationsPerSender: number;
  approvals: number;
  visitors: number;
}

const fundedYen = 10_000_000n;
const grant = (steps: Omit<GrantRow, 'business'>): GrantRow => ({ business: 'transfer', perTransactionLimitYen: 1_000_000n, dailyLimitYen: 100_000_000n, ...steps });

/** A person who may finalise transfers has a confirmed OTP address (R5.1), as its registration leaves it. */
async function withOtpAddress(deps: Deps, person: TestPerson): Promise<TestPerson> {
  await deps.db
    .updateTable('users')
    .set({ otp_email: otpAddressOf(person), otp_email_confirmed_at: deps.clock.now() })
    .where('contract_id', '=', person.contractId)
    .where('user_id', '=', person.userId)
    .execute();
  return person;
}

async function loggedOn(app: FastifyInstance, person: TestPerson): Promise<Client> {
  const client = new Client(app);
  const done = await logon(client, person);
  assert.equal(done.headers.location, '/status', `${person.userId} logs on`);
  return client;
}

export function newKey(): string {
  return randomBytes(24).toString('base64url');
}

/** A round's contracts, people, drafts and codes, made through `app` (the same code as the service's, in this process). */
export async function prepareRound(deps: Deps, app: FastifyInstance, size: RoundSize): Promise<Round> {
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });

  // Transfers sent at once: a contract without approval, its senders each with drafts and codes.
  const direct = await onboardMaster(deps);
  const directFrom = await addAccount(deps, direct.contractId, { fundYen: fundedYen });
  const directContract: MoneyContract = { master: direct, client: new Client(app), from: directFrom, payee };
  const senders: TestPerson[] = [];
  const transferForms: Round['transferForms'] = [];
  for (let s = 0; s < size.senders; s++) {
    const person = await withOtpAddress(deps, await addUserWith(deps, direct.contractId, [grant({ register: true, send: true })], [directFrom.id]));
    senders.push(person);
    for (let i = 0; i < size.confirmationsPerSender; i++) {
      const amountYen = BigInt(1_000 + s * 100 + i);
      transferForms.push({ person, amountYen, fields: adHocFields(directContract, { amount: amountYen.toString(), executionDate: tokyoToday(deps) }) });
    }
  }

  // Transfers waiting for approval: registered by a clerk, approved (and so sent) by the approver.
  const approving = await onboardMaster(deps);
  await deps.db.updateTable('contract').set({ approval_mode: 'single' }).where('id', '=', approving.contractId).execute();
  const approvingFrom = await addAccount(deps, approving.contractId, { fundYen: fundedYen });
  const approvingContract: MoneyContract = { master: approving, client: new Client(app), from: approvingFrom, payee };
  const clerk = await addUserWith(deps, approving.contractId, [grant({ register: true })], [approvingFrom.id]);
  const approver = await withOtpAddress(deps, await addUserWith(deps, approving.contractId, [grant({ approve: true, send: true })], [approvingFrom.id]));
  const clerkClient = await loggedOn(app, clerk);
  const registered: { transferId: bigint; amountYen: bigint }[] = [];
  for (let i = 0; i < size.approvals; i++) {
    const amountYen = BigInt(2_000 + i);
    const fields = adHocFields(approvingContract, { amount: amountYen.toString(), executionDate: tokyoToday(deps) });
    registered.push({ transferId: await createThroughPages(clerkClient, clerk, fields, deps), amountYen });
  }
  const approverClient = await loggedOn(app, approver);
  const approvals: Approval[] = [];
  for (const { transferId, amountYen } of registered) {
    approvals.push({ transferId, amountYen, key: newKey(), otp: await oneTimePasswordFor(deps, approverClient, approver, transferId) });
  }

  const visitors: TestPerson[] = [];
  for (let i = 0; i < size.visitors; i++) visitors.push(await addUser(deps, direct.contractId));

  return {
    senders,
    transferForms,
    approver,
    approvals,
    visitors,
    accounts: [
      { account: directFrom, fundedYen },
      { account: approvingFrom, fundedYen },
    ],
  };
}

/** Today in Tokyo by the clock of `deps`: a transfer dated today is sent at once. */
function tokyoToday(deps: Deps): string {
  return tokyoDate(deps.clock.now());
}
