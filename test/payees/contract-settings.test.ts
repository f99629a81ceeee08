import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../helpers/client.ts';
import { appForFile, assertNoStackTrace, contractRow, userRow } from '../helpers/http-app.ts';
import { auditActions, loggedOn, payeeRow, payeesState, payeesWorld, registerPayee } from './support.ts';

/** R8.5 approval function and R7.3 result email recipients: the master's settings, nobody else's. */
const t = appForFile();

test('the master changes the approval function and result recipients, confirmed, audited and mailed', async () => {
  const world = await payeesWorld(t, 'none');
  const client = world.masterClient;
  const page = await client.get('/contract-settings');
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('name="approvalMode" value="none" checked'));
  assert.ok(page.body.includes('name="resultEmailTo" value="operator_and_master" checked'));
  const done = await client.post('/contract-settings', { approvalMode: 'double', resultEmailTo: 'master', confirmationPassword: world.master.confirmationPassword });
  assert.equal(done.headers.location, '/contract-settings?done=changed', errorCode(done.body));
  const contract = await contractRow(t.deps, world.master.contractId);
  assert.deepEqual([contract.approval_mode, contract.result_email_to], ['double', 'master']);
  const [audit] = await auditActions(t.deps, world.master.contractId, 'contract.settings');
  assert.deepEqual(audit?.details, { approvalMode: { from: 'none', to: 'double' }, resultEmailTo: { from: 'operator_and_master', to: 'master' } });
  const mails = await t.deps.db.selectFrom('outbox').select('body').where('recipient', '=', world.master.email).where('body', 'like', '%ダブル承認%').execute();
  assert.equal(mails.length, 1, 'the master is told, in the same transaction');

  const clerk = await loggedOn(t, world.clerk);
  const { id } = await registerPayee(clerk, world.clerk);
  assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_required], ['pending', 2], 'payees now follow the new setting');

  const same = await client.post('/contract-settings', { approvalMode: 'double', resultEmailTo: 'master', confirmationPassword: 'not asked' });
  assert.equal(same.headers.location, '/contract-settings?done=unchanged');
  assert.equal((await auditActions(t.deps, world.master.contractId, 'contract.settings')).length, 1);
});

test('anyone but the master is refused (FORBIDDEN) before any input is read, and the attempt is recorded', async () => {
  const world = await payeesWorld(t, 'single');
  const admin = await loggedOn(t, world.approverA);
  const before = await payeesState(t.deps, world.master.contractId);
  for (const person of [world.approverA, world.clerk, world.viewer]) {
    const client = person === world.approverA ? admin : await loggedOn(t, person);
    const page = await client.get('/contract-settings');
    assert.deepEqual([page.statusCode, errorCode(page.body)], [403, 'FORBIDDEN'], person.userId);
    assert.ok(!page.body.includes('name="approvalMode"'), 'no form is shown');
    await client.get('/status');
    const attempts: Record<string, string>[] = [{ approvalMode: 'none', resultEmailTo: 'operator', confirmationPassword: person.confirmationPassword }, { approvalMode: 'bogus' }];
    for (const fields of attempts) {
      const response = await client.post('/contract-settings', fields);
      assert.deepEqual([response.statusCode, errorCode(response.body)], [403, 'FORBIDDEN'], person.userId);
      assertNoStackTrace(response);
    }
    assert.equal((await userRow(t.deps, person)).failed_attempts, 0, 'no password was evaluated');
  }
  assert.deepEqual(await payeesState(t.deps, world.master.contractId), before, 'nothing changed');
  const refusals = await auditActions(t.deps, world.master.contractId, 'contract.settings');
  assert.equal(refusals.length, 6);
  assert.ok(refusals.every((r) => r.outcome === 'failure' && r.reason === 'forbidden'));
});

test('the settings form refuses bad input: the same page, an error code, nothing changed', async () => {
  const world = await payeesWorld(t, 'none');
  const client = world.masterClient;
  await client.get('/contract-settings');
  const valid = { approvalMode: 'single', resultEmailTo: 'operator', confirmationPassword: world.master.confirmationPassword };
  const cases: { label: string; fields: Record<string, string | string[]>; csrf?: null; code: string; counts?: boolean }[] = [
    { label: 'an unknown approval mode', fields: { ...valid, approvalMode: 'triple' }, code: 'CONTRACT_SETTINGS_INVALID' },
    { label: 'no approval mode', fields: { resultEmailTo: 'operator', confirmationPassword: valid.confirmationPassword }, code: 'CONTRACT_SETTINGS_INVALID' },
    { label: 'an approval mode sent twice', fields: { ...valid, approvalMode: ['single', 'double'] }, code: 'CONTRACT_SETTINGS_INVALID' },
    { label: 'an unknown recipient', fields: { ...valid, resultEmailTo: 'everyone' }, code: 'CONTRACT_SETTINGS_INVALID' },
    { label: 'a wrong confirmation password', fields: { ...valid, confirmationPassword: 'Wrong2026pass' }, code: 'CONFIRMATION_PASSWORD_WRONG', counts: true },
    { label: 'no confirmation password', fields: { approvalMode: 'single', resultEmailTo: 'operator' }, code: 'CONFIRMATION_PASSWORD_WRONG' },
    { label: 'no CSRF token', fields: valid, csrf: null, code: 'CSRF_INVALID' },
  ];
  for (const c of cases) {
    const before = await payeesState(t.deps, world.master.contractId);
    const attempts = (await userRow(t.deps, world.master)).failed_attempts;
    const response = await client.post('/contract-settings', c.fields, { csrf: c.csrf });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, c.label);
    assert.ok(response.body.includes('<form method="post" action="/contract-settings"'), `${c.label}: the form again`);
    assert.equal(errorCode(response.body), c.code, c.label);
    assert.deepEqual(await payeesState(t.deps, world.master.contractId), before, `${c.label}: nothing changed`);
    assert.equal((await userRow(t.deps, world.master)).failed_attempts, attempts + (c.counts ? 1 : 0), c.label);
  }
});

test('the settings page is in English too', async () => {
  const world = await payeesWorld(t, 'none');
  const page = await world.masterClient.get('/contract-settings?lang=en');
  assert.ok(page.body.includes('Double approval') && page.body.includes('Who receives transfer result emails'));
});
