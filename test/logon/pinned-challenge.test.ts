import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { gridAnswerFields } from '../helpers/people.ts';
import { activeMaster, appForFile, cellsOf, passwordStep, sessionCookie } from '../helpers/http-app.ts';
import { parseCells } from '../../src/auth/grid-card.ts';

const t = appForFile();

async function pendingSession(client: Client) {
  const id = client.cookies.get(sessionCookie)!.split('.')[0]!;
  return t.db.selectFrom('session').select(['id', 'grid_challenge_id']).where('id', '=', id).executeTakeFirstOrThrow();
}

async function challengeCells(id: number): Promise<string[]> {
  const row = await t.db.selectFrom('grid_challenge').select('cells').where('id', '=', id).executeTakeFirstOrThrow();
  return parseCells(row.cells);
}

test('R3.2: the password step pins the grid challenge as it opens the session, and the grid page shows those cells', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  const pinned = (await pendingSession(client)).grid_challenge_id;
  assert.ok(pinned !== null, 'the pending session has its challenge before the grid page is asked for');

  const challengesBefore = await t.db.selectFrom('grid_challenge').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const grid = await client.get('/logon/grid');
  assert.deepEqual(cellsOf(grid.body), await challengeCells(pinned));
  const challengesAfter = await t.db.selectFrom('grid_challenge').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(challengesAfter.n, challengesBefore.n, 'the grid page drew no challenge');
  assert.equal((await pendingSession(client)).grid_challenge_id, pinned);

  const done = await client.post('/logon/grid', gridAnswerFields(grid.body, person.digits));
  assert.equal(done.headers.location, '/status');
});

test('R3.2: a pinned challenge no longer open is not shown: the grid page pins the open one and judges the answer against it', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  const pinned = (await pendingSession(client)).grid_challenge_id!;
  // Answered meanwhile (another logon's answer, in the moment before it ended this one).
  await t.db.updateTable('grid_challenge').set({ answered_at: new Date() }).where('id', '=', pinned).execute();

  const grid = await client.get('/logon/grid');
  const repinned = (await pendingSession(client)).grid_challenge_id!;
  assert.notEqual(repinned, pinned);
  assert.deepEqual(cellsOf(grid.body), await challengeCells(repinned));
  const done = await client.post('/logon/grid', gridAnswerFields(grid.body, person.digits));
  assert.equal(done.headers.location, '/status');
});
