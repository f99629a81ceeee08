import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { Business } from '../../src/db/schema.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { lastEmailCode, logon, type TestPerson } from '../helpers/people.ts';
import { addUser, ja } from '../helpers/http-app.ts';

/** Pieces shared by the users tests: the contract's accounts, people with permissions, snapshots. */

let accountCounter = 0;

/** The contract's accounts at the bank, as the bank's systems would have registered them. */
export async function addAccounts(deps: Deps, contractId: string, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    accountCounter++;
    const row = await deps.db
      .insertInto('account')
      .values({
        contract_id: contractId,
        branch_code: '001',
        account_type: i % 2 === 0 ? 'ordinary' : 'current',
        account_number: String(1_000_000 + accountCounter),
        holder_kana: 'ﾃｽﾄｼﾖｳｼﾞ',
        opened_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

export interface GrantRow {
  business: Business;
  register?: boolean;
  approve?: boolean;
  send?: boolean;
  perTransactionLimitYen?: bigint;
  dailyLimitYen?: bigint;
}

/**
 * A user (logged on before, with both passwords and a card) holding the given permissions and
 * accounts, written as the users use case leaves them.
 */
export async function addUserWith(deps: Deps, contractId: string, grants: GrantRow[], accountIds: number[] = []): Promise<TestPerson & { ref: number }> {
  const person = await addUser(deps, contractId);
  const { id } = await deps.db.selectFrom('users').select('id').where('contract_id', '=', contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  if (grants.length > 0) {
    await deps.db
      .insertInto('user_permission')
      .values(
        grants.map((g) => ({
          user_ref: id,
          business: g.business,
          can_register: g.register ?? false,
          can_approve: g.approve ?? false,
          can_send: g.send ?? false,
          per_transaction_limit_yen: g.perTransactionLimitYen ?? null,
          daily_limit_yen: g.dailyLimitYen ?? null,
        })),
      )
      .execute();
  }
  if (accountIds.length > 0) await deps.db.insertInto('user_account').values(accountIds.map((account_id) => ({ user_ref: id, account_id }))).execute();
  return { ...person, ref: id };
}

/** An admin user: user administration, inquiry, and fund transfer (register only) within 1,000,000 / 2,000,000 yen. */
export function adminGrants(): GrantRow[] {
  return [
    { business: 'inquiry' },
    { business: 'transfer', register: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 2_000_000n },
    { business: 'user_admin' },
  ];
}

/** A valid /users/new form; `overrides` replace fields, a field set to undefined is left out. */
export function newUserFields(person: TestPerson, accountIds: number[], overrides: Record<string, string | string[] | undefined> = {}): Record<string, string | string[]> {
  const fields: Record<string, string | string[] | undefined> = {
    userId: 'clerk01',
    displayName: '経理 花子',
    email: 'clerk01@customer.example',
    initialPassword: 'Welcome2026a',
    initialPasswordRepeat: 'Welcome2026a',
    grant_inquiry: '1',
    grant_transfer: '1',
    transfer_register: '1',
    transfer_perTransactionYen: '1000000',
    transfer_dailyYen: '3000000',
    account: accountIds.map(String),
    confirmationPassword: person.confirmationPassword,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined));
}

/** The change form of a person as it would be submitted unchanged, with the actor's confirmation. */
export function changeFields(page: string, confirmationPassword: string, overrides: Record<string, string | string[] | undefined> = {}): Record<string, string | string[]> {
  const form = /<form method="post" action="\/users\/[A-Za-z0-9]+" class="card person-form"[\s\S]*?<\/form>/.exec(page)?.[0];
  assert.ok(form, 'the page has the change form');
  const fields: Record<string, string | string[] | undefined> = {};
  for (const input of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = input[1]!;
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    const type = /type="([^"]+)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    if (!name || name === '_csrf' || type === 'password') continue;
    if (type === 'checkbox') {
      if (!/\schecked/.test(attrs)) continue;
      const previous = fields[name];
      fields[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    } else {
      fields[name] = value.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    }
  }
  Object.assign(fields, { confirmationPassword }, overrides);
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined));
}

/**
 * Everything an administration change could touch in a contract: its people, their permissions,
 * accounts, card requests and sessions, and the whole outbox. The audit trail is left out: a refused
 * attempt is recorded there, which is the point of it.
 */
export async function contractState(deps: Deps, contractId: string): Promise<unknown> {
  const users = await deps.db
    .selectFrom('users')
    .select(['id', 'user_id', 'display_name', 'role', 'email', 'status', 'stopped_at', 'registration_password_hash', 'login_password_hash', 'confirmation_password_hash'])
    .where('contract_id', '=', contractId)
    .orderBy('id')
    .execute();
  const refs = users.map((u) => u.id);
  const permissions = await deps.db.selectFrom('user_permission').selectAll().where('user_ref', 'in', refs).orderBy('user_ref').orderBy('business').execute();
  const accounts = await deps.db.selectFrom('user_account').selectAll().where('user_ref', 'in', refs).orderBy('user_ref').orderBy('account_id').execute();
  const requests = await deps.db.selectFrom('grid_card_request').selectAll().where('user_ref', 'in', refs).orderBy('id').execute();
  const sessions = await deps.db.selectFrom('session').select(['id', 'ended_at', 'end_reason']).where('contract_id', '=', contractId).orderBy('id').execute();
  const outbox = await deps.db.selectFrom('outbox').select('id').orderBy('id').execute();
  return {
    users,
    permissions: permissions.map((p) => ({ ...p, per_transaction_limit_yen: String(p.per_transaction_limit_yen), daily_limit_yen: String(p.daily_limit_yen) })),
    accounts,
    requests,
    sessions,
    outbox: outbox.map((row) => String(row.id)),
  };
}

/** The person's row of a contract. */
export async function personRow(deps: Deps, contractId: string, userId: string) {
  return deps.db.selectFrom('users').selectAll().where('contract_id', '=', contractId).where('user_id', '=', userId).executeTakeFirst();
}

/** The code a refused request answers with: a form's data-code, or the message of the error page. */
export function refusal(response: LightMyRequestResponse): string | undefined {
  const code = errorCode(response.body);
  if (code) return code;
  for (const candidate of ['FORBIDDEN', 'NOT_FOUND', 'USERS_MASTER_PROTECTED', 'USERS_ADMIN_PROTECTED', 'USERS_SELF', 'USERS_DELETED', 'USERS_STATUS_CONFLICT'] as const) {
    if (response.body.includes(ja(`error.${candidate}`))) return candidate;
  }
  return undefined;
}

/**
 * R1.3 for a user the master created: the initial password and the user's own card, then their own
 * passwords, then the address: the code the master's registration sent to it (or, when the page asks
 * for the address, a new one), and any last confirmation of the setup is answered.
 */
export async function completeUserFirstLogon(client: Client, deps: Deps, person: TestPerson): Promise<void> {
  const done = await logon(client, person, person.registrationPassword);
  assert.equal(done.headers.location, '/setup', `the first logon leads to the setup (${done.statusCode} ${errorCode(done.body) ?? ''})`);
  await client.get('/setup');
  const passwords = await client.post('/setup/passwords', {
    login: person.loginPassword,
    loginRepeat: person.loginPassword,
    confirmation: person.confirmationPassword,
    confirmationRepeat: person.confirmationPassword,
  });
  assert.equal(passwords.statusCode, 303, `setting passwords: ${errorCode(passwords.body) ?? passwords.body.slice(0, 200)}`);
  let next = String(passwords.headers.location);
  for (let step = 0; step < 4 && next !== '/status'; step++) {
    const page = await client.get(next);
    if (page.statusCode === 303) {
      next = String(page.headers.location);
      continue;
    }
    const action = /<form method="post" action="(\/setup[^"]*)"/.exec(page.body)?.[1];
    assert.ok(action, `a setup form at ${next}`);
    const fields: Record<string, string> =
      action === '/setup/email'
        ? { email: person.email, confirmationPassword: person.confirmationPassword }
        : action === '/setup/email/verify'
          ? { code: await lastEmailCode(deps, person.email) }
          : {};
    const answer = await client.post(action, fields);
    assert.equal(answer.statusCode, 303, `${action}: ${errorCode(answer.body) ?? ''}`);
    next = String(answer.headers.location);
  }
  assert.equal(next, '/status', 'the setup ends at the status page');
}
