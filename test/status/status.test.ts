import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { logon, wrongGridAnswerFields } from '../helpers/people.ts';
import { activeMaster, appForFile, ja, passwordStep } from '../helpers/http-app.ts';

const t = appForFile();

interface UseRow {
  outcome: string;
  when: string;
  ip: string;
  method: string;
  result: string;
}

function usesOf(statusPage: string): UseRow[] {
  const table = /<table class="uses">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(statusPage);
  assert.ok(table, 'the status page has the table of recent uses');
  return [...table[1]!.matchAll(/<tr class="(\w+)"><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/g)].map((m) => ({
    outcome: m[1]!,
    when: m[2]!,
    ip: m[3]!,
    method: m[4]!,
    result: m[5]!,
  }));
}

function failuresNote(statusPage: string): { className: string; text: string } {
  const note = /<p class="(\w+)" id="failures-since">([^<]*)<\/p>/.exec(statusPage);
  assert.ok(note, 'the status page says how many attempts failed');
  return { className: note[1]!, text: note[2]! };
}

test('R7.2: the status page shows the last three uses, newest first, with date and time, IP address, method and result', async () => {
  // The clock starts at 2026-04-01 09:00 JST; each event gets a minute of its own.
  const { person } = await activeMaster(t, { ip: '192.0.2.1' });
  t.deps.clock.set('2026-04-01T01:00:00Z');
  assert.equal((await logon(new Client(t.app, { ip: '198.51.100.1' }), person)).headers.location, '/status');

  t.deps.clock.advanceSeconds(60);
  assert.equal((await passwordStep(new Client(t.app, { ip: '198.51.100.2' }), person, 'Wrong2026pass')).statusCode, 401);

  t.deps.clock.advanceSeconds(60);
  const gridFailure = new Client(t.app, { ip: '198.51.100.3' });
  await passwordStep(gridFailure, person);
  await gridFailure.get('/logon/grid');
  assert.equal((await gridFailure.post('/logon/grid', wrongGridAnswerFields(gridFailure.lastPage, person.digits))).statusCode, 401);

  t.deps.clock.advanceSeconds(60);
  const client = new Client(t.app, { ip: '198.51.100.4' });
  assert.equal((await logon(client, person)).headers.location, '/status');
  const status = await client.get('/status');

  const uses = usesOf(status.body);
  assert.equal(uses.length, 3, 'R7.2: exactly the last three uses');
  assert.deepEqual(
    uses.map((use) => [use.outcome, use.ip, use.method, use.result]),
    [
      ['success', '198.51.100.4', ja('method.password'), ja('status.result.success')],
      ['failure', '198.51.100.3', ja('method.password'), ja('status.result.failure')],
      ['failure', '198.51.100.2', ja('method.password'), ja('status.result.failure')],
    ],
  );
  assert.match(uses[0]!.when, /^2026年4月1日（水） 10:03$/);
  assert.match(uses[1]!.when, /^2026年4月1日（水） 10:02$/);
  assert.match(uses[2]!.when, /^2026年4月1日（水） 10:01$/);
  assert.doesNotMatch(status.body, /198\.51\.100\.1\b/, 'the fourth use back is not shown');

  const note = failuresNote(status.body);
  assert.equal(note.className, 'warning');
  assert.equal(note.text, ja('status.failuresSince', { count: 2 }));
});

test('R7.2: the count of failures since the last logon includes more than the three uses shown, and a clean logon shows none', async () => {
  const { person } = await activeMaster(t);
  for (let i = 0; i < 4; i++) {
    assert.equal((await passwordStep(new Client(t.app, { ip: `198.51.100.${20 + i}` }), person, 'Wrong2026pass')).statusCode, 401);
  }
  const client = new Client(t.app);
  await logon(client, person);
  const status = await client.get('/status');
  assert.deepEqual(
    usesOf(status.body).map((use) => use.outcome),
    ['success', 'failure', 'failure'],
  );
  assert.equal(failuresNote(status.body).text, ja('status.failuresSince', { count: 4 }));

  const clean = new Client(t.app);
  await logon(clean, person);
  const next = await clean.get('/status');
  assert.deepEqual(failuresNote(next.body), { className: 'hint', text: ja('status.noFailures') });
});

test('R7.2: the first logon is shown with the registration password as its method', async () => {
  const { client } = await activeMaster(t, { ip: '192.0.2.9' });
  const status = await client.get('/status');
  const uses = usesOf(status.body);
  assert.equal(uses.length, 1);
  assert.deepEqual([uses[0]!.ip, uses[0]!.method, uses[0]!.outcome], ['192.0.2.9', ja('method.registration'), 'success']);
});

test('R7.2: uses of another person are never shown', async () => {
  const { person: other } = await activeMaster(t);
  await passwordStep(new Client(t.app, { ip: '203.0.113.99' }), other, 'Wrong2026pass');
  const { client } = await activeMaster(t, { ip: '192.0.2.33' });
  const status = await client.get('/status');
  assert.doesNotMatch(status.body, /203\.0\.113\.99/);
  assert.equal(failuresNote(status.body).className, 'hint');
});
