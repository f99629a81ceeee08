import { fileURLToPath } from 'node:url';
import { buildApp } from '../../src/app.ts';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, gridAnswerFields, onboardMaster, otpAddressOf, type TestPerson } from '../helpers/people.ts';
import { HttpsClient } from '../helpers/https-client.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';
import { addUserWith } from '../users/helpers.ts';
import { addAccount, addContract, otherOwnBranchCode, type TestAccount, addOwnBranches } from '../transfers/fixtures.ts';

/**
 * People who send transfers through a service process, for the reliability scenarios: a contract
 * whose master and users may register and send ad hoc transfers from one funded account, each with
 * a confirmed OTP address (R5.1), and the transfer's three requests as the pages send them.
 */

/** The service's clock: a Wednesday, 10:00 in Tokyo, a business day whatever day the scenario runs (transfers post at once). */
export const processStart = new Date('2026-04-01T01:00:00Z');
export const today = '2026-04-01';
const shiftedClock = fileURLToPath(new URL('../helpers/shifted-clock.ts', import.meta.url));
const fundedYen = 1_000_000_000n;

/** A service process whose clock starts at `processStart` (test/helpers/shifted-clock.ts). */
export function startBusinessDayService(env: Record<string, string>): Promise<ServiceProcess> {
  return startServiceProcess({ ...env, IB_TEST_NOW: processStart.toISOString() }, { nodeArgs: ['--import', shiftedClock], listenWaitMs: 60_000 });
}

export interface Senders {
  deps: Deps;
  people: TestPerson[];
  from: TestAccount;
  payee: TestAccount;
  fundedYen: bigint;
}

/** `count` people of one contract (the master first) who may send transfers from one funded account. */
export async function prepareSenders(db: Db, count: number): Promise<Senders> {
  const deps = testDeps(db, { clock: new FakeClock(processStart) });
  await addOwnBranches(db);
  const master = await onboardMaster(deps);
  const app = await buildApp(deps, { logger: false });
  await completeFirstLogon(new Client(app), deps, master);
  await app.close();
  const from = await addAccount(deps, master.contractId, { fundYen: fundedYen });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const grant = { business: 'transfer' as const, register: true, send: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 100_000_000n };
  const people: TestPerson[] = [master];
  while (people.length < count) {
    const user = await addUserWith(deps, master.contractId, [grant], [from.id]);
    // R5.1: the users who send have confirmed OTP addresses, as their registration leaves them.
    await db.updateTable('users').set({ otp_email: otpAddressOf(user), otp_email_confirmed_at: processStart }).where('id', '=', user.ref).execute();
    people.push(user);
  }
  return { deps, people, from, payee, fundedYen };
}

/** The person logged on to the service over HTTPS (password, grid card), holding the CSRF token of `page` in the new session. */
export async function logOnOver(base: string, person: TestPerson, page = '/transfers/new'): Promise<HttpsClient> {
  const client = new HttpsClient();
  await client.get(base, '/logon');
  const password = await client.post(base, '/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  if (password.location !== '/logon/grid') throw new Error(`${person.userId}: the password step answered ${password.status} ${password.location ?? ''}`);
  const grid = await client.get(base, '/logon/grid');
  const done = await client.post(base, '/logon/grid', gridAnswerFields(grid.body, person.digits));
  if (done.location !== '/status') throw new Error(`${person.userId}: the grid step answered ${done.status} ${done.location ?? ''}`);
  const shown = await client.get(base, page);
  if (shown.status !== 200) throw new Error(`${person.userId}: ${page} answered ${shown.status}`);
  return client;
}

/** The ad hoc transfer form of /transfers/new, to the payee. */
export function transferForm(senders: Senders, amountYen: bigint): Record<string, string> {
  return {
    fromAccountId: String(senders.from.id),
    destination: 'adHoc',
    bankCode: '0999',
    branchCode: senders.payee.branchCode,
    accountType: 'ordinary',
    accountNumber: senders.payee.accountNumber,
    name: 'ｻｲｷﾄﾞｳ ﾃｽﾄ',
    amount: amountYen.toString(),
    executionDate: today,
  };
}

/** Where the confirmation leads once the transfer is made (or, for a retry of its key, was made). */
export const createdLocation = /^\/transfers\/(\d+)\?done=created$/;
export const draftLocation = /^\/transfers\/confirm\?draft=([A-Za-z0-9._-]+)$/;
