import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { gridAnswerFields, logon, wrongGridAnswerFields } from '../helpers/people.ts';
import { activeMaster, appForFile, cellsOf, passwordStep, sessionCookie, userRow } from '../helpers/http-app.ts';

const t = appForFile();

test('R3.1: contract ID, user ID and login password lead to a challenge of four distinct cells, whose answer opens the status page', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  const first = await passwordStep(client, person);
  assert.equal(first.statusCode, 303);
  assert.equal(first.headers.location, '/logon/grid');

  const grid = await client.get('/logon/grid');
  assert.equal(grid.statusCode, 200);
  const cells = cellsOf(grid.body);
  assert.equal(cells.length, 4);
  assert.equal(new Set(cells).size, 4, 'R3.2: four distinct cells');
  for (const cell of cells) assert.match(cell, /^[A-H][1-6]$/);

  const done = await client.post('/logon/grid', gridAnswerFields(grid.body, person.digits));
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/status');
  const status = await client.get('/status');
  assert.equal(status.statusCode, 200);
  assert.ok(status.body.includes(person.contractId));
  assert.ok(status.body.includes(person.userId));
});

test('R3.2: the grid challenge stays the same until answered correctly, across reloads, wrong answers and a new password step', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  const shown = cellsOf((await client.get('/logon/grid')).body);
  assert.deepEqual(cellsOf((await client.get('/logon/grid')).body), shown, 'a reload shows the same cells');

  const wrong = await client.post('/logon/grid', wrongGridAnswerFields(client.lastPage, person.digits));
  assert.equal(wrong.statusCode, 401);
  assert.equal(errorCode(wrong.body), 'AUTH_GRID_FAILED');
  assert.deepEqual(cellsOf(wrong.body), shown, 'a wrong answer shows the same cells again');

  // Another browser starting over with the password gets the same cells: re-rolling reveals nothing new.
  const other = new Client(t.app, { ip: '198.51.100.77' });
  await passwordStep(other, person);
  assert.deepEqual(cellsOf((await other.get('/logon/grid')).body), shown);

  const done = await other.post('/logon/grid', gridAnswerFields(other.lastPage, person.digits));
  assert.equal(done.headers.location, '/status');

  // Once answered, the next logon gets a new challenge (the odds of the same four cells in order are 1 in 4.7 million).
  const next = new Client(t.app);
  await passwordStep(next, person);
  assert.notDeepEqual(cellsOf((await next.get('/logon/grid')).body), shown);
});

test('R3.2, R2.3: a wrong grid answer counts towards the stop, and a completed logon resets the count', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  await client.get('/logon/grid');
  for (let i = 1; i <= 2; i++) {
    const wrong = await client.post('/logon/grid', wrongGridAnswerFields(client.lastPage, person.digits));
    assert.equal(errorCode(wrong.body), 'AUTH_GRID_FAILED');
    assert.equal((await userRow(t.deps, person)).failed_attempts, i);
  }
  const done = await client.post('/logon/grid', gridAnswerFields(client.lastPage, person.digits));
  assert.equal(done.headers.location, '/status');
  assert.equal((await userRow(t.deps, person)).failed_attempts, 0);
});

test('R2.3: a right password without the grid answer does not reset the count, so grid guesses cannot be wiped by re-entering the password', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  for (let i = 0; i < 3; i++) assert.equal((await passwordStep(client, person, 'Wrong2026pass')).statusCode, 401);
  assert.equal((await passwordStep(client, person)).headers.location, '/logon/grid');
  assert.equal((await userRow(t.deps, person)).failed_attempts, 3);
  await client.get('/logon/grid');
  await client.post('/logon/grid', wrongGridAnswerFields(client.lastPage, person.digits));
  assert.equal((await passwordStep(client, person)).headers.location, '/logon/grid');
  assert.equal((await userRow(t.deps, person)).failed_attempts, 4);
  assert.equal((await logon(client, person)).headers.location, '/status');
  assert.equal((await userRow(t.deps, person)).failed_attempts, 0);
});

test('logout ends the session: the old cookie opens no page afterwards', async () => {
  const { client } = await activeMaster(t);
  const cookie = client.cookies.get(sessionCookie)!;
  await client.get('/status');
  const out = await client.post('/logout', {});
  assert.equal(out.statusCode, 303);
  assert.equal(out.headers.location, '/logon?ended=logout');
  assert.equal(client.cookies.has(sessionCookie), false, 'the cookie is cleared');

  const replay = new Client(t.app);
  replay.cookies.set(sessionCookie, cookie);
  for (const path of ['/status', '/settings/password', '/settings/email']) {
    const page = await replay.get(path);
    assert.equal(page.statusCode, 303, path);
    assert.match(String(page.headers.location), /^\/logon/, path);
  }
});

test('logout without a CSRF token, with a wrong one or with another session\'s does not log out', async () => {
  const { client } = await activeMaster(t);
  const { client: stranger } = await activeMaster(t);
  await client.get('/status');
  await stranger.get('/status');
  for (const csrf of [null, 'x'.repeat(32), stranger.csrf!]) {
    const out = await client.post('/logout', {}, { csrf });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/status');
    assert.equal((await client.get('/status')).statusCode, 200, 'the session is still live');
  }
});

test('logout also ends a logon left at the grid step', async () => {
  const { person } = await activeMaster(t);
  const client = new Client(t.app);
  await passwordStep(client, person);
  const cookie = client.cookies.get(sessionCookie)!;
  await client.get('/logon/grid');
  assert.equal((await client.post('/logout', {})).headers.location, '/logon?ended=logout');
  const replay = new Client(t.app);
  replay.cookies.set(sessionCookie, cookie);
  assert.match(String((await replay.get('/logon/grid')).headers.location), /^\/logon(\?|$)/);
});
