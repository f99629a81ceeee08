import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generateSync } from 'otplib';
import type { Db } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import { buildConsole } from '../../src/operator/console/server.ts';
import { addStaff, type StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { totpPeriodSeconds } from '../../src/operator/staff/totp.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';

/** Shared pieces of the console tests: a console on the file's database, staff members, their logon. */
export const staffSessionCookie = '__Host-staff-sid';

export interface TestConsole {
  deps: Deps & { clock: FakeClock };
  app: FastifyInstance;
}

export async function startConsole(db: Db, env: Record<string, string> = {}, deps = testDeps(db, { env })): Promise<TestConsole> {
  const app = await buildConsole(deps, { logger: false });
  return { deps, app };
}

let counter = 0;

export async function newStaff(deps: Deps, role: StaffRole, login?: string): Promise<StaffCredentials> {
  counter++;
  return addStaff(deps, { login: login ?? `${role}${counter}`, name: `職員 ${counter}`, role, operator: 'test' });
}

/** The code the member's authenticator app shows now. */
export function currentCode(deps: Deps, member: StaffCredentials, offsetSteps = 0): string {
  return generateSync({ secret: member.totpSecret, epoch: Math.floor(deps.clock.now().getTime() / 1000) + offsetSteps * totpPeriodSeconds });
}

/** Members who replaced the password IT issued with their own (ownPasswordOf), in a browser or here. */
const replaced = new WeakSet<StaffCredentials>();

/** The password a member chooses in place of IT's. */
export function ownPasswordOf(member: StaffCredentials): string {
  return `${member.initialPassword}-own`;
}

export function replacedPassword(member: StaffCredentials): void {
  replaced.add(member);
}

/** The password a member logs on with: the one IT issued, until the member replaced it. */
export function passwordOf(member: StaffCredentials): string {
  return replaced.has(member) ? ownPasswordOf(member) : member.initialPassword;
}

/** Password step; the client is left at the code page when it was right. */
export async function passwordStep(client: Client, member: StaffCredentials, password = passwordOf(member)): Promise<LightMyRequestResponse> {
  await client.get('/operator/logon');
  return client.post('/operator/logon', { login: member.login, password });
}

/** A member held at the password change replaces IT's password with one of their own, kept for later logons. */
export async function ownPassword(client: Client, member: StaffCredentials): Promise<void> {
  const own = ownPasswordOf(member);
  await client.get('/operator/logon/password');
  const done = await client.post('/operator/logon/password', { current: member.initialPassword, next: own, repeat: own });
  assert.equal(done.headers.location, '/operator/password?done=changed', `password change: ${errorCode(done.body) ?? done.statusCode}`);
  replacedPassword(member);
}

/**
 * A complete staff logon. Each time step is accepted once per member, so the clock moves on to a
 * fresh step first (as a member who logs on again would wait for the next code). A member still
 * holding the password IT issued is led to the password change, and replaces it, as the console
 * requires before anything else.
 */
export async function staffLogon(t: TestConsole, member: StaffCredentials, options: { ip?: string } = {}): Promise<Client> {
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const client = new Client(t.app, { ip: options.ip ?? '10.20.0.5' });
  const first = await passwordStep(client, member);
  assert.equal(first.headers.location, '/operator/logon/totp', `password step: ${errorCode(first.body) ?? first.statusCode}`);
  await client.get('/operator/logon/totp');
  const second = await client.post('/operator/logon/totp', { code: currentCode(t.deps, member) });
  if (second.headers.location === '/operator/logon/password') await ownPassword(client, member);
  else assert.equal(second.headers.location, '/operator/contracts', `code step: ${errorCode(second.body) ?? second.statusCode}`);
  return client;
}

/** The id of the application a record or decision redirected to. */
export function applicationIdOf(response: LightMyRequestResponse): number {
  const match = /^\/operator\/applications\/(\d+)\?done=/.exec(String(response.headers.location ?? ''));
  assert.ok(match, `redirected to an application page, not ${response.statusCode} ${response.headers.location ?? errorCode(response.body)}`);
  return Number(match[1]);
}

/** Records an application on the contract page, as a member does with the page's own form. */
export async function record(client: Client, contractId: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  await client.get(`/operator/contracts/${contractId}`);
  return client.post(`/operator/contracts/${contractId}/applications`, fields);
}

export async function decide(client: Client, id: number, decision: 'approve' | 'reject' | 'withdraw', fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  await client.get(`/operator/applications/${id}`);
  return client.post(`/operator/applications/${id}/${decision}`, fields);
}

export { errorCode };
