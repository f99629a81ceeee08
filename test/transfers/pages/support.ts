import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../../src/deps.ts';
import type { ApprovalMode } from '../../../src/db/schema.ts';
import { Client, errorCode } from '../../helpers/client.ts';
import { lastOneTimePassword, logon, otpAddressOf, registerOtpAddress, type TestPerson } from '../../helpers/people.ts';
import { activeMaster, stateOf, type TestApp } from '../../helpers/http-app.ts';
import { assertRefused, type BadInput } from '../../helpers/bad-input.ts';
import { addUserWith, type GrantRow } from '../../users/helpers.ts';
import { addAccount, addContract, otherOwnBranchCode, type TestAccount, addOwnBranches } from '../fixtures.ts';

/**
 * The transfer pages' tests: a contract whose master has logged on through the pages, its funded
 * accounts at this bank (BANK_CODE 0999, branches 001 and 002), people with transfer steps, and
 * snapshots of everything a refused form must leave as it was.
 */
export const ownBankCode = '0999';

export interface MoneyContract {
  master: TestPerson;
  client: Client;
  /** The account transfers are paid from (1,000,000 yen). */
  from: TestAccount;
  /** An account of another contract at this bank, at branch 002, that transfers go to. */
  payee: TestAccount;
}

/** A contract with the approval setting given, its master logged on at the pages, and two funded accounts. */
export async function moneyContract(t: TestApp, approvalMode: ApprovalMode = 'none'): Promise<MoneyContract> {
  const { person, client } = await activeMaster(t);
  await addOwnBranches(t.deps.db);
  await t.deps.db.updateTable('contract').set({ approval_mode: approvalMode }).where('id', '=', person.contractId).execute();
  const from = await addAccount(t.deps, person.contractId, { fundYen: 1_000_000n });
  const other = await addContract(t.deps);
  const payee = await addAccount(t.deps, other.contractId, { branchCode: otherOwnBranchCode });
  return { master: person, client, from, payee };
}

/** A person of the contract with the transfer steps given and the account, logged on with a client of their own. */
export async function transferUser(t: TestApp, contract: MoneyContract, steps: Omit<GrantRow, 'business'>): Promise<{ person: TestPerson; client: Client; ref: number }> {
  const person = await addUserWith(
    t.deps,
    contract.master.contractId,
    [{ business: 'transfer', perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n, ...steps }],
    [contract.from.id],
  );
  const client = new Client(t.app);
  const answer = await logon(client, person);
  assert.equal(answer.headers.location, '/status', `${person.userId} logs on`);
  // R5.1: a person who may send transfers registers an OTP address before anything else.
  if (steps.send) await registerOtpAddress(client, t.deps, person, '/otp-address');
  return { person, client, ref: person.ref };
}

/**
 * R5.2: the one-time password of a step that finalises a transfer, as the person gets it: the page's
 * button sends it, and it is read from their mail (the OTP address).
 */
export async function oneTimePasswordFor(deps: Deps, client: Client, person: TestPerson, transferId: bigint | string): Promise<string> {
  await client.get(`/transfers/${transferId.toString()}`);
  const sent = await client.post(`/transfers/${transferId.toString()}/otp`, {});
  assert.equal(sent.statusCode, 303, `the one-time password is sent (${errorCode(sent.body) ?? sent.statusCode})`);
  return lastOneTimePassword(deps, otpAddressOf(person));
}

/** R5.2: the one-time password of a confirmation that sends the transfer at once, from the page's button. */
export async function confirmationOneTimePassword(deps: Deps, client: Client, person: TestPerson, draft: string, idempotencyKey: string): Promise<string> {
  const sent = await client.post('/transfers/confirm/otp', { draft, idempotencyKey });
  assert.equal(sent.statusCode, 303, `the one-time password is sent (${errorCode(sent.body) ?? sent.statusCode})`);
  await client.get(String(sent.headers.location).replace(/#.*$/, ''));
  return lastOneTimePassword(deps, otpAddressOf(person));
}

/** The fields of an ad hoc transfer to the payee account, as the form sends them. */
export function adHocFields(contract: MoneyContract, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    fromAccountId: String(contract.from.id),
    destination: 'adHoc',
    bankCode: ownBankCode,
    branchCode: contract.payee.branchCode,
    accountType: 'ordinary',
    accountNumber: contract.payee.accountNumber,
    name: 'ﾃｽﾄ ﾀﾛｳ',
    amount: '12,345',
    executionDate: '2026-04-01',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The sealed draft the transfer form leads to, from its redirect. */
export function draftOf(response: LightMyRequestResponse): string {
  assert.equal(response.statusCode, 303, `the form is accepted (${errorCode(response.body) ?? response.statusCode})`);
  const location = String(response.headers.location);
  const match = /^\/transfers\/confirm\?draft=([A-Za-z0-9._-]+)$/.exec(location);
  assert.ok(match, `redirected to the confirmation page: ${location}`);
  return match[1]!;
}

/** The hidden value of a form field on a page. */
export function hiddenValue(page: string, name: string, action?: string): string {
  const scope = action ? new RegExp(`<form method="post" action="${action.replace(/[/.?]/g, '\\$&')}"[\\s\\S]*?</form>`).exec(page)?.[0] : page;
  assert.ok(scope, `a form posting to ${action}`);
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(scope)?.[1];
  assert.ok(value !== undefined, `a hidden ${name}${action ? ` in the form of ${action}` : ''}`);
  return value;
}

/**
 * Through the form and the confirmation page to a created transfer; returns its id. A confirmation
 * that sends the transfer at once asks for the one-time password (R5.2): it is sent and typed.
 */
export async function createThroughPages(client: Client, person: TestPerson, fields: Record<string, string>, deps: Deps): Promise<bigint> {
  await client.get('/transfers/new');
  const draft = draftOf(await client.post('/transfers/new', fields));
  const confirm = await client.get(`/transfers/confirm?draft=${draft}`);
  assert.equal(confirm.statusCode, 200);
  const key = hiddenValue(confirm.body, 'idempotencyKey', '/transfers/confirm');
  const needsCode = confirm.body.includes('action="/transfers/confirm/otp"');
  const otp: Record<string, string> = needsCode ? { otp: await confirmationOneTimePassword(deps, client, person, draft, key) } : {};
  const done = await client.post('/transfers/confirm', { draft, idempotencyKey: key, confirmationPassword: person.confirmationPassword, ...otp });
  assert.equal(done.statusCode, 303, `confirmed (${errorCode(done.body) ?? ''})`);
  const match = /^\/transfers\/(\d+)\?done=created$/.exec(String(done.headers.location));
  assert.ok(match, `led to the transfer: ${done.headers.location}`);
  return BigInt(match[1]!);
}

/**
 * Everything money-related a refused request must leave as it was: transfers, approvals, daily
 * usage, idempotency records, ledger entries and balances, together with the person's own state
 * (their row, sessions, challenges and the outbox).
 */
export async function moneyState(deps: Deps, person: TestPerson): Promise<unknown> {
  const db = deps.db;
  const transfers = await db.selectFrom('transfer').select(['id', 'status', 'amount_yen', 'updated_at']).orderBy('id').execute();
  const approvals = await db.selectFrom('transfer_approval').select(['transfer_id', 'step', 'approved_by']).orderBy('transfer_id').orderBy('step').execute();
  const usage = await db.selectFrom('daily_usage').selectAll().orderBy('user_ref').orderBy('usage_date').execute();
  const keys = await db.selectFrom('idempotency_record').select(['user_ref', 'key']).orderBy('user_ref').orderBy('key').execute();
  const entries = await db.selectFrom('journal_entry').select('id').orderBy('id').execute();
  const balances = await db.selectFrom('ledger_account').select(['id', 'balance_yen']).orderBy('id').execute();
  const text = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v])));
  return {
    person: await stateOf(deps, person),
    transfers: text(transfers),
    approvals: text(approvals),
    usage: text(usage),
    keys: text(keys),
    entries: text(entries),
    balances: text(balances),
  };
}

export async function transfersOf(deps: Deps, contractId: string) {
  return deps.db.selectFrom('transfer').selectAll().where('contract_id', '=', contractId).orderBy('id').execute();
}

export async function entriesOf(deps: Deps, transferId: bigint): Promise<number> {
  const row = await deps.db.selectFrom('journal_entry').select((eb) => eb.fn.countAll().as('n')).where('transfer_id', '=', transferId).where('kind', '=', 'transfer').executeTakeFirstOrThrow();
  return Number(row.n);
}

export type Refusal = BadInput;

/**
 * Sends each bad input and checks the answer: a 4xx with the same form again and an error code
 * (next to its field when one is named), no stack trace, and nothing changed: no transfer, no
 * approval, no usage, no key, no entry, no balance, nothing of the person's and no email.
 */
export function assertRefusedMoney(deps: Deps, client: Client, person: TestPerson, form: { url: string; action?: string }, inputs: readonly Refusal[]): Promise<void> {
  return assertRefused(deps, client, person, form, inputs, moneyState);
}
