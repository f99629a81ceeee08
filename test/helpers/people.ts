import assert from 'node:assert/strict';
import type { Deps } from '../../src/deps.ts';
import type { LockMode } from '../../src/db/schema.ts';
import { onboardContract } from '../../src/modules/contracts/service.ts';
import { expectedAnswer } from '../../src/auth/grid-card.ts';
import type { Client } from './client.ts';

export interface TestPerson {
  contractId: string;
  userId: string;
  registrationPassword: string;
  /** The grid card's 48 digits, as printed on the person's card. */
  digits: string;
  loginPassword: string;
  confirmationPassword: string;
  email: string;
}

let counter = 0;

/** Onboards a contract through the operator's use case; the master has not logged on yet. */
export async function onboardMaster(deps: Deps, options: { lockMode?: LockMode; userId?: string } = {}): Promise<TestPerson> {
  counter++;
  const userId = options.userId ?? `master${counter}`;
  const result = await onboardContract(deps, {
    companyName: `テスト商事${counter}`,
    lockMode: options.lockMode ?? 'unlinked',
    masterUserId: userId,
    masterName: 'テスト 太郎',
    operator: 'test',
  });
  return {
    contractId: result.contractId,
    userId,
    registrationPassword: result.registrationPassword,
    digits: result.card.digits,
    loginPassword: 'Login2026pass',
    confirmationPassword: 'Confirm2026pass',
    email: `${userId}@customer.example`,
  };
}

/** The answer to the challenge shown on a grid page, read from the page as a person reads it. */
export function gridAnswerFields(page: string, digits: string): Record<string, string> {
  const cells = [...page.matchAll(/<span class="cell-name">([A-H][1-6])<\/span>/g)].map((m) => m[1]!);
  assert.equal(cells.length, 4, 'the grid page names four cells');
  const answer = expectedAnswer(digits, cells);
  return Object.fromEntries([...answer].map((digit, i) => [`cell${i}`, digit]));
}

export function wrongGridAnswerFields(page: string, digits: string): Record<string, string> {
  const right = gridAnswerFields(page, digits);
  return { ...right, cell0: String((Number(right.cell0) + 1) % 10) };
}

/** The code in the newest message to an address whose subject matches, read from the outbox as the person reads their mail. */
async function newestCode(deps: Deps, recipient: string, subjectLike: string, code: RegExp): Promise<string> {
  const message = await deps.db
    .selectFrom('outbox')
    .select('body')
    .where('recipient', '=', recipient)
    .where('subject', 'like', subjectLike)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const found = code.exec(message.body)?.[1];
  assert.ok(found, `a code in the newest message to ${recipient}`);
  return found;
}

/** The newest confirmation code of an email address (R1.3, R7.3). */
export function lastEmailCode(deps: Deps, recipient: string): Promise<string> {
  return newestCode(deps, recipient, '%確認コード%', /: (\d{6})/);
}

/** Password step then grid step; returns the last response (a redirect when all went well). */
export async function logon(client: Client, person: TestPerson, password = person.loginPassword) {
  await client.get('/logon');
  const first = await client.post('/logon', { contractId: person.contractId, userId: person.userId, password });
  if (first.statusCode !== 303) return first;
  const grid = await client.get('/logon/grid');
  return client.post('/logon/grid', gridAnswerFields(grid.body, person.digits));
}

/** R1.3: registration password, grid card, both passwords, a confirmed email address (with the confirmation password, R7.3). */
export async function completeFirstLogon(client: Client, deps: Deps, person: TestPerson): Promise<void> {
  const done = await logon(client, person, person.registrationPassword);
  assert.equal(done.headers.location, '/setup');
  await client.get('/setup');
  const passwords = await client.post('/setup/passwords', {
    login: person.loginPassword,
    loginRepeat: person.loginPassword,
    confirmation: person.confirmationPassword,
    confirmationRepeat: person.confirmationPassword,
  });
  assert.equal(passwords.statusCode, 303, `setting passwords: ${passwords.body.slice(0, 200)}`);
  // A master the bank gave a new registration password (R2.5) keeps the address confirmed before.
  if (passwords.headers.location !== '/status') {
    await client.get('/setup');
    await client.post('/setup/email', { email: person.email, confirmationPassword: person.confirmationPassword });
    await client.get('/setup');
    const verified = await client.post('/setup/email/verify', { code: await lastEmailCode(deps, person.email) });
    assert.equal(verified.headers.location, '/status');
  }
  // R5.1: the master may send transfers, so the portal holds them at the OTP address until it is
  // confirmed; in a contract that uses certificates that happens on the certificate's PC (R4.1).
  const contract = await deps.db.selectFrom('contract').select('certificate_required').where('id', '=', person.contractId).executeTakeFirstOrThrow();
  const user = await deps.db.selectFrom('users').select('otp_email_confirmed_at').where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  if (contract.certificate_required || user.otp_email_confirmed_at) return;
  const held = await client.get('/status');
  assert.equal(held.headers.location, '/otp-address');
  await registerOtpAddress(client, deps, person, '/otp-address');
}

/** The OTP address a person registers (R5.1): their own, at its own host so no notice is mistaken for it. */
export function otpAddressOf(person: Pick<TestPerson, 'userId' | 'contractId'>): string {
  return `${person.userId}.${person.contractId}@otp.customer.example`;
}

/** The newest one-time password emailed to an address (R5). */
export function lastOneTimePassword(deps: Deps, recipient: string): Promise<string> {
  return newestCode(deps, recipient, '%ワンタイムパスワード%', /ワンタイムパスワード: (\d{6})/);
}

/** R5.1: the address with the confirmation password, then the code sent to it; the client lands where the page leads. */
export async function registerOtpAddress(client: Client, deps: Deps, person: TestPerson, path = '/settings/otp-address', address = otpAddressOf(person)): Promise<void> {
  await client.get(path);
  const sent = await client.post(path, { address, confirmationPassword: person.confirmationPassword });
  assert.equal(sent.statusCode, 303, `registering the OTP address: ${sent.body.slice(0, 300)}`);
  await client.get(path);
  const confirmed = await client.post(`${path}/verify`, { otp: await lastOneTimePassword(deps, address) });
  assert.equal(confirmed.statusCode, 303, `confirming the OTP address: ${confirmed.body.slice(0, 300)}`);
}
