import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { activeMaster, addUser, appForFile, passwordStep, userRow } from '../helpers/http-app.ts';

/** R3.3: a person the bank has not issued a grid card to yet sees why, with nothing to fill in. */
const t = appForFile();

test('R3.3: a new user whose grid card is not issued yet gets a page that says so, with no input fields, not the grid error', async () => {
  const { person: master } = await activeMaster(t);
  const user = await addUser(t.deps, master.contractId);
  const row = await userRow(t.deps, user);
  const now = t.deps.clock.now();
  // As the master's creation of a user leaves it: a card requested, none valid yet.
  await t.deps.db.updateTable('grid_card').set({ invalidated_at: now }).where('user_ref', '=', row.id).execute();
  await t.deps.db.insertInto('grid_card_request').values({ user_ref: row.id, requested_by: row.id, reason: 'new_user', requested_at: now }).execute();

  const client = new Client(t.app);
  assert.equal((await passwordStep(client, user)).headers.location, '/logon/grid');
  const page = await client.get('/logon/grid');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /data-notice="grid-card-not-issued"/);
  assert.doesNotMatch(page.body, /data-code="AUTH_GRID_FAILED"/);
  const main = page.body.slice(page.body.indexOf('<main'), page.body.indexOf('</main>'));
  assert.doesNotMatch(main, /<input|<textarea|<select/, 'nothing to type into');
  assert.equal((await userRow(t.deps, user)).failed_attempts, 0, 'seeing the page costs no attempt');
});
