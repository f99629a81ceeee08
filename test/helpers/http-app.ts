import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { buildApp } from '../../src/app.ts';
import { hashSecret } from '../../src/auth/password-hash.ts';
import { issueGridCard } from '../../src/modules/contracts/service.ts';
import { translator, type MessageKey } from '../../src/web/i18n/index.ts';
import { testDeps } from './deps.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { Client } from './client.ts';
import { internalsShown } from './internals.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from './people.ts';
import type { LockMode } from '../../src/db/schema.ts';

/** Shared pieces of the HTTP tests: an app on the file's database, people ready to log on, snapshots. */

export const sessionCookie = '__Host-sid';

export interface TestApp {
  deps: Deps & { clock: FakeClock };
  app: FastifyInstance;
}

/** An app with its own fake clock; close it with `app.close()`. */
export async function startApp(db: Db, env: Record<string, string> = {}): Promise<TestApp> {
  const deps = testDeps(db, { env });
  const app = await buildApp(deps, { logger: false });
  return { deps, app };
}

/**
 * The app on a database of this test file's own, for all its tests: made before the first, closed
 * and dropped after the last. Read it inside a test (its parts exist once the file's tests start).
 */
export function appForFile(): TestApp & { readonly db: Db } {
  let database: TestDatabase | undefined;
  let started: TestApp | undefined;
  before(async () => {
    database = await createTestDatabase();
    started = await startApp(database.db);
  });
  after(async () => {
    await started?.app.close();
    await database?.drop();
  });
  const ready = (): TestApp & { db: Db } => {
    assert.ok(database && started, 'the app of this file is read before its tests start');
    return { ...started, db: database.db };
  };
  return {
    get deps() {
      return ready().deps;
    },
    get app() {
      return ready().app;
    },
    get db() {
      return ready().db;
    },
  };
}

/** A master who has completed the first logon (R1.3), with the client still logged on. */
export async function activeMaster(
  { deps, app }: TestApp,
  options: { lockMode?: LockMode; ip?: string } = {},
): Promise<{ person: TestPerson; client: Client }> {
  const person = await onboardMaster(deps, { lockMode: options.lockMode });
  const client = new Client(app, { ip: options.ip });
  await completeFirstLogon(client, deps, person);
  return { person, client };
}

let userCounter = 0;

/**
 * A user of the contract other than the master, ready to log on. The master appoints users (R1.4),
 * which the portal has no page for yet, so the row is written as that use case would leave it;
 * the grid card comes from the operator's use case.
 */
export async function addUser(deps: Deps, contractId: string): Promise<TestPerson> {
  userCounter++;
  const userId = `user${userCounter}`;
  const loginPassword = 'UserLogin2026x';
  const confirmationPassword = 'UserConfirm2026x';
  const [loginHash, confirmationHash] = await Promise.all([hashSecret(loginPassword), hashSecret(confirmationPassword)]);
  const now = deps.clock.now();
  const user = await deps.db
    .insertInto('users')
    .values({
      contract_id: contractId,
      user_id: userId,
      display_name: `利用者 ${userCounter}`,
      role: 'user',
      email: `${userId}.${contractId}@customer.example`,
      // Logged on before: the address is the one they confirmed at their first logon (R1.3).
      email_confirmed_at: now,
      login_password_hash: loginHash,
      login_password_changed_at: now,
      confirmation_password_hash: confirmationHash,
      confirmation_password_changed_at: now,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('password_history')
    .values([
      { user_ref: user.id, kind: 'login', hash: loginHash, created_at: now },
      { user_ref: user.id, kind: 'confirmation', hash: confirmationHash, created_at: now },
    ])
    .execute();
  const card = await issueGridCard(deps, { contractId, userId, operator: 'test' });
  return {
    contractId,
    userId,
    registrationPassword: '',
    digits: card.digits,
    loginPassword,
    confirmationPassword,
    email: `${userId}.${contractId}@customer.example`,
  };
}

export async function userRow(deps: Deps, person: TestPerson) {
  return deps.db
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', person.contractId)
    .where('user_id', '=', person.userId)
    .executeTakeFirstOrThrow();
}

export async function contractRow(deps: Deps, contractId: string) {
  return deps.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
}

/** The messages the outbox holds for one address whose subject is the given notice's. */
export async function outboxTo(deps: Deps, recipient: string, subject?: MessageKey) {
  let query = deps.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient);
  if (subject) query = query.where('subject', 'like', `${translator('ja')(subject)}%`);
  return query.orderBy('id').execute();
}

/**
 * Everything a refused form must leave as it was: the person's row, their sessions (apart from
 * when they were last seen), grid challenges, email codes, password history and the whole outbox.
 */
export async function stateOf(deps: Deps, person: TestPerson): Promise<unknown> {
  const row = await userRow(deps, person);
  // Hashes are compared by their tail, so that a failure report stays readable.
  const tail = (hash: string | null) => hash && `…${hash.slice(-12)}`;
  const user = {
    ...row,
    login_password_hash: tail(row.login_password_hash),
    confirmation_password_hash: tail(row.confirmation_password_hash),
    registration_password_hash: tail(row.registration_password_hash),
  };
  const sessions = await deps.db
    .selectFrom('session')
    .select(['id', 'stage', 'ended_at', 'end_reason', 'csrf_token'])
    .where('user_ref', '=', user.id)
    .orderBy('id')
    .execute();
  const challenges = await deps.db
    .selectFrom('grid_challenge')
    .innerJoin('grid_card', 'grid_card.id', 'grid_challenge.card_id')
    .select(['grid_challenge.id', 'grid_challenge.cells', 'grid_challenge.answered_at'])
    .where('grid_card.user_ref', '=', user.id)
    .orderBy('grid_challenge.id')
    .execute();
  const codes = await deps.db
    .selectFrom('email_verification')
    .select(['id', 'new_email', 'failures', 'consumed_at'])
    .where('user_ref', '=', user.id)
    .orderBy('id')
    .execute();
  const history = await deps.db.selectFrom('password_history').select('id').where('user_ref', '=', user.id).execute();
  const outbox = await deps.db.selectFrom('outbox').select('id').orderBy('id').execute();
  return { user, sessions, challenges, codes, history: history.length, outbox: outbox.map((row) => String(row.id)) };
}

/** No answer ever shows how the service is built: no stack frames, no source paths. */
export function assertNoStackTrace(response: LightMyRequestResponse): void {
  const shown = internalsShown(response.body);
  assert.equal(shown, undefined, `no ${shown}`);
}

export function cellsOf(gridPage: string): string[] {
  return [...gridPage.matchAll(/<span class="cell-name">([A-H][1-6])<\/span>/g)].map((m) => m[1]!);
}

/** The password step alone; the client is left at the grid page. */
export async function passwordStep(client: Client, person: TestPerson, password = person.loginPassword): Promise<LightMyRequestResponse> {
  await client.get('/logon');
  return client.post('/logon', { contractId: person.contractId, userId: person.userId, password });
}

/** A client that keeps every response it received, to check what all of them have in common. */
export class RecordingClient extends Client {
  readonly responses: { method: string; url: string; response: LightMyRequestResponse }[] = [];

  override async get(url: string): Promise<LightMyRequestResponse> {
    const response = await super.get(url);
    this.responses.push({ method: 'GET', url, response });
    return response;
  }

  override async post(url: string, fields: Record<string, string | string[]>, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const response = await super.post(url, fields, options);
    this.responses.push({ method: 'POST', url, response });
    return response;
  }
}

/** Sends a JSON body with the client's cookies: the way to give a field a number, an object or a list. */
export async function postJson(client: Client, url: string, body: unknown): Promise<LightMyRequestResponse> {
  return client.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      'content-type': 'application/json',
    },
    payload: JSON.stringify(body),
    remoteAddress: client.ip,
  });
}

export const ja = translator('ja');
export const en = translator('en');
