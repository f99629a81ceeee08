import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { onboardMaster, type TestPerson } from '../helpers/people.ts';
import { addUser } from '../helpers/http-app.ts';
import { buildApp } from '../../src/app.ts';
import { newStaff, staffLogon, startConsole, type TestConsole } from './console-support.ts';
import { formatMoment } from '../../src/domain/display-date.ts';

/** R3.3, R2.3: the bank's queue of grid card requests and stops, across contracts, for its staff. */
let database: TestDatabase;
let t: TestConsole;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
});
after(async () => {
  await t.app.close();
  await database.drop();
});

async function refOf(person: TestPerson): Promise<number> {
  const row = await t.deps.db.selectFrom('users').select('id').where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  return row.id;
}

async function requestCard(person: TestPerson): Promise<void> {
  const ref = await refOf(person);
  await t.deps.db.insertInto('grid_card_request').values({ user_ref: ref, requested_by: ref, reason: 'new_user', requested_at: t.deps.clock.now() }).execute();
}

async function markStopped(person: TestPerson): Promise<void> {
  await t.deps.db.updateTable('users').set({ stopped_at: t.deps.clock.now() }).where('id', '=', await refOf(person)).execute();
}

/** The queue's rows as (kind, contract, user), in page order. */
function rows(body: string): string[] {
  return [...body.matchAll(/<tr data-kind="([a-z_]+)" data-contract="(\d{11})" data-user="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
}

test('R3.3, R2.3: the console queue lists grid card requests and stops of every contract, oldest first', async () => {
  const first = await onboardMaster(t.deps);
  const second = await onboardMaster(t.deps, { lockMode: 'linked' });
  const third = await onboardMaster(t.deps);
  const newcomer = await addUser(t.deps, third.contractId);
  const stoppedUser = await addUser(t.deps, first.contractId);

  // Recorded in this order, an hour apart: the queue must not read them by contract.
  await markStopped(second);
  t.deps.clock.advanceSeconds(3600);
  await requestCard(newcomer);
  t.deps.clock.advanceSeconds(3600);
  await markStopped(stoppedUser);
  t.deps.clock.advanceSeconds(3600);
  await markStopped(first);

  const staff = await staffLogon(t, await newStaff(t.deps, 'recorder'));
  const page = await staff.get('/operator/queue');
  assert.equal(page.statusCode, 200);
  const mine = new Set([first.contractId, second.contractId, third.contractId]);
  assert.deepEqual(
    rows(page.body).filter((row) => mine.has(row.split(':')[1]!)),
    [
      `stop:${second.contractId}:${second.userId}`,
      `card_request:${third.contractId}:${newcomer.userId}`,
      `stop:${first.contractId}:${stoppedUser.userId}`,
      `stop:${first.contractId}:${first.userId}`,
    ],
  );
  assert.match(page.body, new RegExp(`href="/operator/contracts/${third.contractId}"`), 'each row leads to its contract');
  // When each was recorded, as every page shows a moment: the day through the one date formatter, then HH:MM.
  const stoppedAt = formatMoment((await t.deps.db.selectFrom('users').select('stopped_at').where('id', '=', await refOf(second)).executeTakeFirstOrThrow()).stopped_at!, 'ja');
  assert.match(stoppedAt, /^\d{4}年\d{1,2}月\d{1,2}日（.） \d{2}:\d{2}$/);
  assert.ok(page.body.includes(`<td>${stoppedAt}</td>`), `the stop's time reads ${stoppedAt}`);

  // English too: the same rows, in the same order.
  const english = await staff.get('/operator/queue?lang=en');
  assert.match(english.body, /<html lang="en">/);
  assert.deepEqual(rows(english.body), rows(page.body));

  // A card issued leaves the queue.
  await t.deps.db.updateTable('grid_card_request').set({ fulfilled_at: t.deps.clock.now() }).where('user_ref', '=', await refOf(newcomer)).execute();
  assert.ok(!rows((await staff.get('/operator/queue')).body).some((row) => row.startsWith('card_request:') && row.includes(newcomer.userId)));
});

test('R3.3: the console queue is shown only to logged-on staff, and never on the customers\' portal', async () => {
  const anonymous = await new Client(t.app).get('/operator/queue');
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/operator\/logon/);
  assert.doesNotMatch(anonymous.body, /data-kind=/);
  const portal = await buildApp(t.deps, { logger: false });
  try {
    assert.equal((await new Client(portal).get('/operator/queue')).statusCode, 404);
  } finally {
    await portal.close();
  }
});
