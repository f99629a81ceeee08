import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, logon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { addUser, contractRow, outboxTo, userRow } from '../helpers/http-app.ts';
import { buildApp } from '../../src/app.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { acquire } from '../certificates/support.ts';
import { applicationIdOf, decide, errorCode, newStaff, record, staffLogon, startConsole, type TestConsole } from './console-support.ts';

/**
 * R4.2, R4.5 through the console's four eyes: switching a contract to certificates and reissuing
 * the master's certificate are recorded by one member and take effect when another approves.
 */
let database: TestDatabase;
let t: TestConsole;
let portal: FastifyInstance;
let recorder: StaffCredentials;
let approver: StaffCredentials;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
  await ensureAuthority(t.deps);
  portal = await buildApp(t.deps, { logger: false });
  recorder = await newStaff(t.deps, 'recorder');
  approver = await newStaff(t.deps, 'approver');
});
after(async () => {
  await t.app.close();
  await portal.close();
  await database.drop();
});

async function readyMaster(): Promise<TestPerson> {
  const master = await onboardMaster(t.deps);
  await completeFirstLogon(new Client(portal), t.deps, master);
  return master;
}

async function sessionsOf(contractId: string) {
  return t.deps.db.selectFrom('session').select(['id', 'ended_at', 'end_reason']).where('contract_id', '=', contractId).where('stage', '=', 'active').orderBy('id').execute();
}

async function validSerial(person: TestPerson): Promise<string | undefined> {
  const { id } = await userRow(t.deps, person);
  return (await t.deps.db.selectFrom('client_certificate').select('serial_hex').where('user_ref', '=', id).where('revoked_at', 'is', null).executeTakeFirst())?.serial_hex;
}

test('switching a contract to certificates takes effect on approval: live sessions without one end, the master is told, both steps audited', async () => {
  const master = await readyMaster();
  const live = new Client(portal);
  assert.equal((await logon(live, master)).headers.location, '/status');
  const recorderClient = await staffLogon(t, recorder);
  const page = await recorderClient.get(`/operator/contracts/${master.contractId}`);
  assert.match(page.body, /id="contract-certificates" data-required="off"/);
  assert.match(page.body, /id="record-set_certificate_required"/);
  const id = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'set_certificate_required', certificateRequired: 'on', reference: 'CERT-ON-1' }));
  assert.equal((await contractRow(t.deps, master.contractId)).certificate_required, false, 'recorded is not done');
  assert.equal((await live.get('/status')).statusCode, 200);
  const liveBefore = (await sessionsOf(master.contractId)).filter((session) => session.ended_at === null).map((session) => session.id);
  assert.ok(liveBefore.length > 0);

  // Whoever recorded it cannot approve it, even asking directly.
  const own = await decide(recorderClient, id, 'approve');
  assert.equal(own.statusCode, 403);
  assert.equal((await contractRow(t.deps, master.contractId)).certificate_required, false);

  const approved = await decide(await staffLogon(t, approver), id, 'approve');
  assert.equal(approved.headers.location, `/operator/applications/${id}?done=approved`);
  assert.equal((await contractRow(t.deps, master.contractId)).certificate_required, true);
  const sessions = await sessionsOf(master.contractId);
  assert.deepEqual(sessions.filter((session) => session.ended_at === null), [], 'no session without a certificate is left');
  for (const id of liveBefore) {
    assert.equal(sessions.find((session) => session.id === id)?.end_reason, 'certificate_required', 'the live session ended because of the switch');
  }
  assert.equal((await live.get('/status')).statusCode, 303, 'the person must log on again, with a certificate');
  const mail = await outboxTo(t.deps, master.email, 'contractNotice.certificates.subject');
  assert.match(mail.at(-1)!.body, /電子証明書方式のご利用を開始しました/);
  assert.match(mail.at(-1)!.body, /Client certificates are now in use/);
  const trail = await t.deps.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'outcome'])
    .where('contract_id', '=', master.contractId)
    .where('action', 'in', ['application.record', 'application.approve', 'contract.certificate_required'])
    .orderBy('id')
    .execute();
  assert.deepEqual(trail, [
    { actor: `staff:${recorder.login}`, action: 'application.record', outcome: 'success' },
    { actor: `staff:${recorder.login}`, action: 'application.approve', outcome: 'failure' },
    { actor: `staff:${approver.login}`, action: 'contract.certificate_required', outcome: 'success' },
    { actor: `staff:${approver.login}`, action: 'application.approve', outcome: 'success' },
  ]);
  const result = await (await staffLogon(t, approver)).get(`/operator/applications/${id}`);
  assert.match(result.body, /id="application-result"/);

  // Asking for what the contract already has is refused at recording.
  const again = await record(recorderClient, master.contractId, { kind: 'set_certificate_required', certificateRequired: 'on', reference: 'CERT-ON-2' });
  assert.equal(again.statusCode, 409);
  assert.equal(errorCode(again.body), 'OPERATOR_CERTIFICATE_UNCHANGED');
  const nonsense = await record(recorderClient, master.contractId, { kind: 'set_certificate_required', certificateRequired: 'maybe', reference: 'CERT-X' });
  assert.equal(errorCode(nonsense.body), 'OPERATOR_CERTIFICATE_SETTING_INVALID');

  // And switched off again, the same way.
  const off = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'set_certificate_required', certificateRequired: 'off', reference: 'CERT-OFF-1' }));
  assert.equal((await decide(await staffLogon(t, approver), off, 'approve')).statusCode, 303);
  assert.equal((await contractRow(t.deps, master.contractId)).certificate_required, false);
});

test("the master's certificate is reissued on approval: revoked at once, its sessions end, the master is told", async () => {
  const master = await readyMaster();
  const user = await addUser(t.deps, master.contractId);
  await t.deps.db.updateTable('contract').set({ certificate_required: true }).where('id', '=', master.contractId).execute();
  const issued = await acquire(t.deps, master);
  await acquire(t.deps, user);
  const certificateId = (await t.deps.db.selectFrom('client_certificate').select('id').where('serial_hex', '=', issued.serialHex).executeTakeFirstOrThrow()).id;
  const { id: masterRef } = await userRow(t.deps, master);
  await t.deps.db
    .insertInto('session')
    .values({
      id: 'boundsessionforthetest',
      secret_hash: 'x',
      user_ref: masterRef,
      contract_id: master.contractId,
      stage: 'active',
      logon_method: 'password',
      csrf_token: 'x',
      ip: '203.0.113.10',
      created_at: t.deps.clock.now(),
      last_seen_at: t.deps.clock.now(),
      client_certificate_id: certificateId,
    })
    .execute();

  const recorderClient = await staffLogon(t, recorder);
  const page = await recorderClient.get(`/operator/contracts/${master.contractId}`);
  assert.match(page.body, new RegExp(issued.serialHex), 'the people table shows the certificate');
  const form = /<form[^>]*id="record-reissue_master_certificate"[\s\S]*?<\/form>/.exec(page.body)![0];
  assert.match(form, new RegExp(`<option value="${master.userId}"`));
  assert.doesNotMatch(form, new RegExp(`<option value="${user.userId}"`), "users' certificates are the master's to reissue");
  const notMaster = await record(recorderClient, master.contractId, { kind: 'reissue_master_certificate', userId: user.userId, reference: 'RE-U' });
  assert.equal(errorCode(notMaster.body), 'OPERATOR_CERTIFICATE_MASTER_ONLY');

  const id = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'reissue_master_certificate', userId: master.userId, reference: 'RE-M-1' }));
  assert.equal(await validSerial(master), issued.serialHex, 'recorded is not done');
  assert.equal((await decide(recorderClient, id, 'approve')).statusCode, 403, 'the recorder cannot approve');
  assert.equal(await validSerial(master), issued.serialHex);

  const approved = await decide(await staffLogon(t, approver), id, 'approve');
  assert.equal(approved.headers.location, `/operator/applications/${id}?done=approved`);
  assert.equal(await validSerial(master), undefined);
  assert.notEqual(await validSerial(user), undefined, "the users' certificates stay");
  const row = await t.deps.db.selectFrom('client_certificate').select(['revocation_reason']).where('id', '=', certificateId).executeTakeFirstOrThrow();
  assert.equal(row.revocation_reason, 'reissue');
  const session = await t.deps.db.selectFrom('session').select(['ended_at', 'end_reason']).where('id', '=', 'boundsessionforthetest').executeTakeFirstOrThrow();
  assert.equal(session.end_reason, 'certificate');
  const application = await t.deps.db.selectFrom('change_application').select('result').where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(application.result, { userId: master.userId, revokedSerial: issued.serialHex });
  assert.match((await outboxTo(t.deps, master.email, 'mail.securityChange.subject')).at(-1)!.body, new RegExp(issued.serialHex));

  // With nothing left to revoke, another application is refused.
  const nothing = await record(recorderClient, master.contractId, { kind: 'reissue_master_certificate', userId: master.userId, reference: 'RE-M-2' });
  assert.equal(errorCode(nothing.body), 'OPERATOR_NO_VALID_CERTIFICATE');
});

test('a reissue recorded while the master held a certificate, approved after a renewal, revokes the current one', async () => {
  const master = await readyMaster();
  await t.deps.db.updateTable('contract').set({ certificate_required: true }).where('id', '=', master.contractId).execute();
  await acquire(t.deps, master);
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'reissue_master_certificate', userId: master.userId, reference: 'RE-M-3' }));
  const renewed = await acquire(t.deps, master, { replaceExisting: true });
  assert.equal((await decide(await staffLogon(t, approver), id, 'approve')).statusCode, 303);
  const application = await t.deps.db.selectFrom('change_application').select('result').where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(application.result?.revokedSerial, renewed.serialHex);
  assert.equal(await validSerial(master), undefined);
});
