import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client } from '../helpers/client.ts';
import { activeMaster, cookieParts, dropWhenClosed, sessionCookie } from './attack-helpers.ts';

/**
 * A session is `id.secret` with only a hash of the secret stored (house rule 7): knowing an id is not
 * enough, a made-up cookie opens nothing, and a session sees its own contract only.
 */
let database: TestDatabase;
let app: FastifyInstance;
let deps: ReturnType<typeof testDeps>;
before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
  app = await buildApp(deps, { logger: false });
});
after(async () => {
  await app?.close();
  await dropWhenClosed(database);
});

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Sends a cookie and expects to be sent to the logon page, with nothing of any person shown. */
async function refused(cookie: string, url = '/status'): Promise<void> {
  const stranger = new Client(app);
  stranger.cookies.set(sessionCookie, cookie);
  const answer = await stranger.get(url);
  assert.equal(answer.statusCode, 303, `${url} with ${JSON.stringify(cookie.slice(0, 80))}`);
  assert.equal(answer.headers.location, '/logon');
}

/** Matches a value standing alone, so that ID 1 is not found inside ID 10. */
function standalone(value: string): RegExp {
  return new RegExp(`(?<![0-9A-Za-z])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`);
}

test('a cookie with a valid session id and a wrong secret is refused', async () => {
  const { client } = await activeMaster(deps, app);
  const { id, secret } = cookieParts(client.cookies.get(sessionCookie)!);
  await refused(`${id}.${randomSecret()}`);
  await refused(`${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`);

  // Even with the page's CSRF token, a wrong secret changes nothing.
  await client.get('/status');
  const stranger = new Client(app);
  stranger.cookies.set(sessionCookie, `${id}.${randomSecret()}`);
  const posted = await stranger.post('/settings/email', { email: 'forged@attacker.example' }, { csrf: client.csrf! });
  assert.equal(posted.headers.location, '/logon');
  const pending = await database.db.selectFrom('email_verification').select('id').where('new_email', '=', 'forged@attacker.example').execute();
  assert.equal(pending.length, 0);
  assert.equal((await client.get('/status')).statusCode, 200, 'the real session is unharmed');
});

test('a random session cookie is refused', async () => {
  const { client } = await activeMaster(deps, app);
  const { id, secret } = cookieParts(client.cookies.get(sessionCookie)!);
  const made = [
    `${randomBytes(16).toString('base64url')}.${randomSecret()}`,
    'x',
    'a'.repeat(3000),
    id,
    `${id}.`,
    `.${secret}`,
    `${id}.${secret}.${secret}`,
    `${id}..${secret}`,
    `${id.toUpperCase()}.${secret}`,
    `' OR '1'='1.${secret}`,
  ];
  for (const cookie of made) {
    for (const url of ['/status', '/logon/grid', '/setup']) await refused(cookie, url);
  }
});

test('the session of contract A cannot read contract B\'s pages', async () => {
  const a = await activeMaster(deps, app);
  const b = await activeMaster(deps, app);
  const bContract = await database.db.selectFrom('contract').selectAll().where('id', '=', b.person.contractId).executeTakeFirstOrThrow();
  const secretsOfB = [b.person.contractId, b.person.userId, b.person.email, bContract.company_name];

  for (const url of ['/status', '/settings/email', '/settings/password']) {
    const page = await a.client.get(url);
    assert.equal(page.statusCode, 200, url);
    for (const value of secretsOfB) assert.doesNotMatch(page.body, standalone(value), `${url} shows ${value} of contract B`);
  }
  // Asking for B by name changes nothing: the page's content is A's (the language link repeats the query, so only <main> is read).
  for (const url of [`/status?contractId=${b.person.contractId}&userId=${b.person.userId}`, `/settings/email?contractId=${b.person.contractId}`]) {
    const page = await a.client.get(url);
    assert.equal(page.statusCode, 200, url);
    const main = /<main[\s\S]*<\/main>/.exec(page.body)![0];
    for (const value of secretsOfB) assert.doesNotMatch(main, standalone(value), `${url} shows ${value} of contract B`);
  }
  const status = await a.client.get('/status');
  assert.match(status.body, standalone(a.person.contractId), 'the status page shows A\'s own contract');
  assert.match(status.body, standalone(a.person.userId));
});

test('swapping the id part of the cookie to B\'s session id with A\'s secret is refused', async () => {
  const a = await activeMaster(deps, app);
  const b = await activeMaster(deps, app);
  const ofA = cookieParts(a.client.cookies.get(sessionCookie)!);
  const ofB = cookieParts(b.client.cookies.get(sessionCookie)!);
  await refused(`${ofB.id}.${ofA.secret}`);
  await refused(`${ofA.id}.${ofB.secret}`);
  for (const { client } of [a, b]) assert.equal((await client.get('/status')).statusCode, 200, 'both real sessions are unharmed');
});
