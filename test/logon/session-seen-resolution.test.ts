import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seenResolutionSeconds, sessionSeenResolutionSeconds } from '../../src/access/sessions.ts';
import { activeMaster, startApp, type TestApp } from '../helpers/http-app.ts';

/**
 * R7.1, decision 0030: a page writes the session's last use only when the stored one is older than
 * the resolution; the idle end then comes at most that much early, never late.
 */
let database: TestDatabase;
const apps: TestApp[] = [];
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  for (const { app } of apps) await app.close();
  await database.drop();
});

async function lastSeenOf(t: TestApp, contractId: string): Promise<number> {
  const row = await t.deps.db
    .selectFrom('session')
    .select('last_seen_at')
    .where('contract_id', '=', contractId)
    .where('ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.last_seen_at.getTime();
}

test('R7.1: a page within the resolution of the last use does not write it again; a later page does', async () => {
  const t = await startApp(database.db);
  apps.push(t);
  const { person, client } = await activeMaster(t);
  assert.equal((await client.get('/status')).statusCode, 200);
  const seen = await lastSeenOf(t, person.contractId);

  t.deps.clock.advanceSeconds(sessionSeenResolutionSeconds - 1);
  assert.equal((await client.get('/status')).statusCode, 200);
  assert.equal(await lastSeenOf(t, person.contractId), seen, 'a page within the resolution leaves last_seen_at alone');

  t.deps.clock.advanceSeconds(1);
  assert.equal((await client.get('/status')).statusCode, 200);
  assert.equal(await lastSeenOf(t, person.contractId), t.deps.clock.now().getTime(), 'a page at the resolution writes it');
});

test('R7.1: the resolution is at most a twentieth of the idle time, so a short idle time keeps its meaning', () => {
  assert.equal(seenResolutionSeconds(600), sessionSeenResolutionSeconds);
  assert.equal(seenResolutionSeconds(120), 6);
  assert.equal(seenResolutionSeconds(5), 0);
});
