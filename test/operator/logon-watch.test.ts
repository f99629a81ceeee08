import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import type { TestPerson } from '../helpers/people.ts';
import { activeMaster, passwordStep, startApp, userRow, type TestApp } from '../helpers/http-app.ts';
import { contractIdFrom } from '../../src/domain/contract-id.ts';
import { newStaff, staffLogon, startConsole, type TestConsole } from './console-support.ts';

/**
 * R2.3, R2.4: the console's logon watch. The portal and the console share one database and one
 * clock, as they do in one service process; each logon here is a real one through the portal.
 */
let database: TestDatabase;
let portal: TestApp;
let t: TestConsole;
let staff: Client;
before(async () => {
  database = await createTestDatabase();
  // Seven a minute: a person can be stopped from one address, and an eighth attempt is refused.
  portal = await startApp(database.db, { LOGON_RATE_PER_MINUTE: '7' });
  t = await startConsole(database.db, {}, portal.deps);
  staff = await staffLogon(t, await newStaff(t.deps, 'recorder'));
});
after(async () => {
  await t.app.close();
  await portal.app.close();
  await database.drop();
});

const wrongPassword = 'Wrong2026pass';

async function stopFrom(person: TestPerson, ip: string): Promise<void> {
  for (let i = 0; i < 7; i++) assert.equal((await passwordStep(new Client(portal.app, { ip }), person, wrongPassword)).statusCode, 401);
  assert.notEqual((await userRow(portal.deps, person)).stopped_at, null);
  // The next address's attempts fall in a window of their own.
  portal.deps.clock.advanceSeconds(60);
}

/** The stops table's rows as contract:user:share, in page order. */
function stopRows(body: string): string[] {
  return [...body.matchAll(/<tr data-contract="(\d{11})" data-user="([^"]+)" data-never-seen="([a-z]+)"/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
}

test('R2.3: the console lists a stop caused from never-seen addresses and not one from the person\'s own address', async () => {
  const { person: attacked } = await activeMaster(portal, { ip: '203.0.113.41' });
  const { person: forgetful } = await activeMaster(portal, { ip: '203.0.113.42' });
  portal.deps.clock.advanceSeconds(60);
  await stopFrom(attacked, '198.51.100.30');
  await stopFrom(forgetful, '203.0.113.42');

  const page = await staff.get('/operator/logon-watch');
  assert.equal(page.statusCode, 200);
  const mine = (body: string) => stopRows(body).filter((row) => row.startsWith(attacked.contractId) || row.startsWith(forgetful.contractId));
  assert.deepEqual(mine(page.body), [`${attacked.contractId}:${attacked.userId}:all`]);
  assert.match(page.body, /<code data-address="198\.51\.100\.30">198\.51\.100\.30<\/code> <strong class="warning" data-never-seen>初見<\/strong>/);
  assert.match(page.body, new RegExp(`href="/operator/contracts/${attacked.contractId}"`), 'the stop leads to its contract');

  // Every stop on asking, newest first, the person's own address not flagged.
  const all = await staff.get('/operator/logon-watch?stops=all&lang=en');
  assert.match(all.body, /<html lang="en">/);
  assert.deepEqual(mine(all.body), [`${forgetful.contractId}:${forgetful.userId}:none`, `${attacked.contractId}:${attacked.userId}:all`]);
  assert.match(all.body, /<code data-address="203\.0\.113\.42">203\.0\.113\.42<\/code><\/td>/);
});

test('R2.4: the console shows rate-limited logons per address and minute, newest first, with their counts', async () => {
  // The start of a fresh minute (the staff's session stays open: the clock only moves on).
  const clock = portal.deps.clock;
  clock.advanceSeconds(60 - (clock.now().getTime() / 1000) % 60);
  const first = clock.now().toISOString();
  const nobody = { contractId: contractIdFrom('4444444444'), userId: 'nobody', loginPassword: wrongPassword } as TestPerson;
  const burst = async (ip: string, attempts: number) => {
    for (let i = 0; i < attempts; i++) await passwordStep(new Client(portal.app, { ip }), nobody);
  };
  await burst('198.51.100.50', 10);
  await burst('198.51.100.51', 8);
  clock.advanceSeconds(60);
  const second = clock.now().toISOString();
  await burst('198.51.100.50', 9);

  const page = await staff.get('/operator/logon-watch');
  const rows = [...page.body.matchAll(/<tr data-portal="(\w+)" data-ip="([^"]+)" data-minute="([^"]+)" data-refusals="(\d+)"/g)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
  assert.deepEqual(rows.slice(0, 3), [
    `customer 198.51.100.50 ${second} 2`,
    `customer 198.51.100.50 ${first} 3`,
    `customer 198.51.100.51 ${first} 1`,
  ]);
});

test('R2.3, R2.4: the logon watch is shown only to logged-on staff', async () => {
  const anonymous = await new Client(t.app).get('/operator/logon-watch');
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/operator\/logon/);
  assert.doesNotMatch(anonymous.body, /data-never-seen|data-refusals/);
  assert.equal((await new Client(portal.app).get('/operator/logon-watch')).statusCode, 404, 'never on the customers\' portal');
});
