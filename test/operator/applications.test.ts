import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, logon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { addUser, contractRow, ja, passwordStep as portalPasswordStep, userRow } from '../helpers/http-app.ts';
import { printedDigits } from './run-cli.ts';
import { buildApp } from '../../src/app.ts';
import { auditRowsFromCsv, compareWithStoredChain, verifyExportedRows } from '../../src/audit/export.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { applicationIdOf, decide, errorCode, newStaff, record, staffLogon, startConsole, type TestConsole } from './console-support.ts';

/**
 * The four-eyes rule of the console: a change application is recorded by one member and takes
 * effect only when another member, an approver, approves it, in the approval's transaction.
 */
let database: TestDatabase;
let t: TestConsole;
let portal: FastifyInstance;
let recorder: StaffCredentials;
let approver: StaffCredentials;
let secondApprover: StaffCredentials;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
  portal = await buildApp(t.deps, { logger: false });
  recorder = await newStaff(t.deps, 'recorder');
  approver = await newStaff(t.deps, 'approver');
  secondApprover = await newStaff(t.deps, 'approver');
});
after(async () => {
  await t.app.close();
  await portal.close();
  await database.drop();
});

/** A master who has completed the first logon on the portal. */
async function readyMaster(options: { lockMode?: 'unlinked' | 'linked' } = {}): Promise<TestPerson> {
  const master = await onboardMaster(t.deps, options);
  await completeFirstLogon(new Client(portal), t.deps, master);
  return master;
}

/** R2.3: seven wrong passwords through the portal stop the person (and, for the master, the contract). */
async function stopThroughPortal(person: TestPerson): Promise<void> {
  for (let i = 0; i < 7; i++) assert.equal((await portalPasswordStep(new Client(portal), person, 'Wrong2026pass')).statusCode, 401);
  assert.notEqual((await userRow(t.deps, person)).stopped_at, null);
}

/** Everything an application could change, to compare before and after. */
async function contractState(contractId: string) {
  const db = t.deps.db;
  return {
    contract: await contractRow(t.deps, contractId),
    users: await db.selectFrom('users').selectAll().where('contract_id', '=', contractId).orderBy('id').execute(),
    cards: await db
      .selectFrom('grid_card')
      .innerJoin('users', 'users.id', 'grid_card.user_ref')
      .select(['grid_card.serial', 'grid_card.invalidated_at'])
      .where('users.contract_id', '=', contractId)
      .orderBy('grid_card.id')
      .execute(),
    requests: await db.selectFrom('grid_card_request').innerJoin('users', 'users.id', 'grid_card_request.user_ref').select(['grid_card_request.id', 'fulfilled_at']).where('users.contract_id', '=', contractId).execute(),
    sessions: await db.selectFrom('session').select(['id', 'ended_at']).where('contract_id', '=', contractId).orderBy('id').execute(),
    outbox: (await db.selectFrom('outbox').select('id').where('contract_id', '=', contractId).execute()).length,
  };
}

async function applicationRow(id: number) {
  return t.deps.db.selectFrom('change_application').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function mailTo(recipient: string, since: bigint) {
  return t.deps.db.selectFrom('outbox').select(['subject', 'body']).where('recipient', '=', recipient).where('id', '>', since).execute();
}

async function lastOutboxId(): Promise<bigint> {
  const row = await t.deps.db.selectFrom('outbox').select(sql<bigint>`coalesce(max(id), 0)`.as('id')).executeTakeFirstOrThrow();
  return BigInt(row.id);
}

function secretsOf(page: LightMyRequestResponse): { registrationPassword?: string; digits?: string } {
  return {
    registrationPassword: /<p class="secret-value"><code>([A-Z2-9]{12})<\/code><\/p>/.exec(page.body)?.[1],
    digits: printedDigits(page.body),
  };
}

async function handOver(client: Client, id: number): Promise<LightMyRequestResponse> {
  await client.get(`/operator/applications/${id}`);
  return client.post(`/operator/applications/${id}/handover`, {});
}

test("R2.3: the operator lifts a master's stop through record and approval, the master logs on again, and both steps are audited with the staff's names", async () => {
  const master = await readyMaster();
  await stopThroughPortal(master);
  assert.notEqual((await contractRow(t.deps, master.contractId)).stopped_at, null, "a master's stop stops the contract");
  const mailFrom = await lastOutboxId();

  const recorderClient = await staffLogon(t, recorder);
  const page = await recorderClient.get(`/operator/contracts/${master.contractId}`);
  assert.match(page.body, /id="contract-state" class="warning"/, 'the contract page shows the stop');
  const recorded = await record(recorderClient, master.contractId, { kind: 'lift_stop', userId: master.userId, reference: 'LIFT-2026-001' });
  const id = applicationIdOf(recorded);
  assert.notEqual((await userRow(t.deps, master)).stopped_at, null, 'recorded is not done');

  const approverClient = await staffLogon(t, approver);
  const approved = await decide(approverClient, id, 'approve');
  assert.equal(approved.headers.location, `/operator/applications/${id}?done=approved`);
  const row = await applicationRow(id);
  assert.equal(row.status, 'approved');
  assert.deepEqual(row.result, { userId: master.userId, contractLifted: true });
  assert.equal((await userRow(t.deps, master)).stopped_at, null);
  assert.equal((await contractRow(t.deps, master.contractId)).stopped_at, null);
  assert.equal((await logon(new Client(portal), master)).headers.location, '/status', 'the master logs on again');

  const trail = await t.deps.db
    .selectFrom('audit_log')
    .select(['actor', 'action', 'outcome'])
    .where('contract_id', '=', master.contractId)
    .where('action', 'in', ['application.record', 'application.approve', 'person.lift_stop'])
    .orderBy('id')
    .execute();
  assert.deepEqual(trail, [
    { actor: `staff:${recorder.login}`, action: 'application.record', outcome: 'success' },
    { actor: `staff:${approver.login}`, action: 'person.lift_stop', outcome: 'success' },
    { actor: `staff:${approver.login}`, action: 'application.approve', outcome: 'success' },
  ]);
  // R7.3, R2.3: the master is told the contract's stop is lifted (as is every person of it).
  const mails = await mailTo(master.email, mailFrom);
  assert.equal(mails.length, 1);
  assert.ok(mails[0]!.subject.startsWith(ja('stopNotice.resumed.subject')), mails[0]!.subject);
});

test('an operator action without approval never takes effect: recording every kind changes nothing', async () => {
  const master = await readyMaster({ lockMode: 'linked' });
  const user = await addUser(t.deps, master.contractId);
  await stopThroughPortal(user);
  const before = await contractState(master.contractId);
  const client = await staffLogon(t, approver);
  const ids: number[] = [];
  const kinds: Record<string, string>[] = [
    { kind: 'lift_stop', userId: user.userId },
    { kind: 'issue_card', userId: master.userId },
    { kind: 'invalidate_card', userId: master.userId },
    { kind: 'new_registration_password', userId: master.userId },
    { kind: 'set_lock_mode', lockMode: 'unlinked' },
  ];
  for (const fields of kinds) {
    ids.push(applicationIdOf(await record(client, master.contractId, { ...fields, reference: `REC-${fields.kind}` })));
  }
  await client.get('/operator/applications/new-contract');
  const contractsBefore = (await t.deps.db.selectFrom('contract').select('id').execute()).length;
  ids.push(applicationIdOf(await client.post('/operator/applications/new-contract', { companyName: '未承認商事', masterUserId: 'boss', masterName: '未承認 太郎', lockMode: 'unlinked', reference: 'REC-onboard' })));
  assert.deepEqual(await contractState(master.contractId), before, 'nothing of the contract changed');
  assert.equal((await t.deps.db.selectFrom('contract').select('id').execute()).length, contractsBefore, 'no contract was created');
  for (const id of ids) assert.equal((await applicationRow(id)).status, 'pending');
  // All wait in the queue, which lists them for everyone.
  const queue = await client.get('/operator/applications');
  for (const id of ids) assert.match(queue.body, new RegExp(`data-application="${id}"`));
});

test('R3.3: an approved new card replaces the old one at once, fulfils the open card request, is mailed about, and is shown once to the approver', async () => {
  const master = await readyMaster();
  const user = await addUser(t.deps, master.contractId);
  const userRef = (await userRow(t.deps, user)).id;
  const masterRef = (await userRow(t.deps, master)).id;
  await t.deps.db.insertInto('grid_card_request').values({ user_ref: userRef, requested_by: masterRef, reason: 'lost', requested_at: t.deps.clock.now() }).execute();
  const mailFrom = await lastOutboxId();
  const page = await (await staffLogon(t, recorder)).get(`/operator/contracts/${master.contractId}`);
  assert.match(page.body, /紛失/, 'the open card request shows on the contract page');

  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'issue_card', userId: user.userId, reference: 'CARD-7' }));
  const approverClient = await staffLogon(t, approver);
  assert.equal((await decide(approverClient, id, 'approve')).statusCode, 303);
  const shown = await handOver(approverClient, id);
  assert.equal(shown.statusCode, 200);
  const { digits } = secretsOf(shown);
  assert.ok(digits, 'the printable card is on the page');
  assert.equal(secretsOf(shown).registrationPassword, undefined);

  assert.equal(errorCode((await logon(new Client(portal), user)).body), 'AUTH_GRID_FAILED', 'the old card no longer works');
  assert.equal((await logon(new Client(portal), { ...user, digits })).headers.location, '/status', 'the new card works');
  const request = await t.deps.db.selectFrom('grid_card_request').select(['fulfilled_at', 'card_id']).where('user_ref', '=', userRef).executeTakeFirstOrThrow();
  assert.ok(request.fulfilled_at instanceof Date && request.card_id !== null, 'the request is fulfilled by this card');
  // R7.3: the person and the master are told.
  assert.equal((await mailTo(user.email, mailFrom)).length, 1);
  assert.equal((await mailTo(master.email, mailFrom)).length, 1);
  assert.match((await mailTo(user.email, mailFrom))[0]!.body, new RegExp(String((await applicationRow(id)).result!.cardSerial)));
});

test('R3.3: a lost card is invalidated on approval, at once: a logon with it fails and its live session ends', async () => {
  const master = await readyMaster();
  const live = new Client(portal);
  assert.equal((await logon(live, master)).headers.location, '/status');
  const mailFrom = await lastOutboxId();
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'invalidate_card', userId: master.userId, reference: 'LOST-1' }));
  assert.equal((await live.get('/status')).statusCode, 200, 'nothing happens before approval');
  assert.equal((await decide(await staffLogon(t, approver), id, 'approve')).statusCode, 303);
  assert.equal((await live.get('/status')).headers.location, '/logon?ended=credentials', 'the live session ends, and the page says why');
  const attempt = new Client(portal);
  assert.equal((await portalPasswordStep(attempt, master)).headers.location, '/logon/grid');
  assert.match((await attempt.get('/logon/grid')).body, /data-notice="grid-card-not-issued"/, 'no valid card: no logon, and the page says why');
  const cards = await t.deps.db.selectFrom('grid_card').innerJoin('users', 'users.id', 'grid_card.user_ref').select('invalidated_at').where('users.contract_id', '=', master.contractId).execute();
  assert.ok(cards.every((c) => c.invalidated_at instanceof Date));
  assert.equal((await mailTo(master.email, mailFrom)).length, 1);
});

test('R2.5: a new registration password for the master is shown once; the old passwords stop; the master sets new ones with it', async () => {
  const master = await readyMaster();
  const mailFrom = await lastOutboxId();
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'new_registration_password', userId: master.userId, reference: 'PW-1' }));
  const approverClient = await staffLogon(t, approver);
  assert.equal((await decide(approverClient, id, 'approve')).statusCode, 303);
  const sealed = (await applicationRow(id)).result!;
  assert.equal(typeof sealed.registrationPasswordSealed, 'string', 'kept sealed until shown');
  const { registrationPassword } = secretsOf(await handOver(approverClient, id));
  assert.ok(registrationPassword);
  assert.equal((await applicationRow(id)).result!.registrationPasswordSealed, undefined, 'gone once shown');
  assert.doesNotMatch(JSON.stringify(await t.deps.db.selectFrom('audit_log').select('details').execute()), new RegExp(registrationPassword), 'never in the audit trail');

  assert.equal(errorCode((await logon(new Client(portal), master)).body), 'AUTH_LOGON_FAILED', 'the old login password no longer works');
  await completeFirstLogon(new Client(portal), t.deps, { ...master, registrationPassword, loginPassword: 'Fresh2026login', confirmationPassword: 'Fresh2026confirm' });
  assert.equal((await userRow(t.deps, master)).email, master.email, 'the address the master confirmed before stays, with no new email step');
  const notices = (await mailTo(master.email, mailFrom)).filter((m) => m.body.includes('新しい登録用暗証番号を発行しました'));
  assert.equal(notices.length, 1, 'R7.3: the master is told');
});

test('R2.3: the lock mode changes on approval and the master is told', async () => {
  const master = await readyMaster();
  const mailFrom = await lastOutboxId();
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'set_lock_mode', lockMode: 'linked', reference: 'MODE-1' }));
  assert.equal((await contractRow(t.deps, master.contractId)).lock_mode, 'unlinked');
  assert.equal((await decide(await staffLogon(t, approver), id, 'approve')).statusCode, 303);
  assert.equal((await contractRow(t.deps, master.contractId)).lock_mode, 'linked');
  const mails = await mailTo(master.email, mailFrom);
  assert.equal(mails.length, 1);
  assert.match(mails[0]!.body, /「連動する」に変更しました/);
  assert.match(mails[0]!.body, /changed to "Linked"/);
});

test('R1.3: an approved new contract gives a registration password and card, shown once, with which the master completes the first logon', async () => {
  const recorderClient = await staffLogon(t, recorder);
  await recorderClient.get('/operator/applications/new-contract');
  const id = applicationIdOf(
    await recorderClient.post('/operator/applications/new-contract', { companyName: '株式会社コンソール', masterUserId: 'chief01', masterName: '主任 次郎', masterEmail: 'chief01@console.example', lockMode: 'linked', reference: 'NEW-2026-04' }),
  );
  const approverClient = await staffLogon(t, approver);
  assert.equal((await decide(approverClient, id, 'approve')).statusCode, 303);
  const row = await applicationRow(id);
  const contractId = row.contract_id!;
  assert.equal(row.result!.contractId, contractId);
  const contract = await contractRow(t.deps, contractId);
  assert.equal(contract.company_name, '株式会社コンソール');
  assert.equal(contract.lock_mode, 'linked');
  const shown = await handOver(approverClient, id);
  const { registrationPassword, digits } = secretsOf(shown);
  assert.ok(registrationPassword && digits);
  assert.match(shown.body, new RegExp(contractId));
  const onboardAudit = await t.deps.db.selectFrom('audit_log').select('actor').where('contract_id', '=', contractId).where('action', '=', 'contract.onboard').executeTakeFirstOrThrow();
  assert.equal(onboardAudit.actor, `staff:${approver.login}`);
  await completeFirstLogon(new Client(portal), t.deps, {
    contractId,
    userId: 'chief01',
    registrationPassword,
    digits,
    loginPassword: 'Chief2026login',
    confirmationPassword: 'Chief2026confirm',
    email: 'chief01@console.example',
  });
});

test('the recorder cannot approve or reject an application they recorded, and the database refuses it too', async () => {
  const master = await readyMaster();
  const ownClient = await staffLogon(t, approver);
  const id = applicationIdOf(await record(ownClient, master.contractId, { kind: 'issue_card', userId: master.userId, reference: 'OWN-1' }));
  const page = await ownClient.get(`/operator/applications/${id}`);
  assert.match(page.body, /id="own-application"/);
  assert.doesNotMatch(page.body, /id="approve"/, 'no approve button for one\'s own application');
  const before = await contractState(master.contractId);
  for (const decision of ['approve', 'reject'] as const) {
    const response = await ownClient.post(`/operator/applications/${id}/${decision}`, {});
    assert.equal(response.statusCode, 403);
    assert.equal(errorCode(response.body), 'OPERATOR_OWN_APPLICATION');
  }
  assert.equal((await applicationRow(id)).status, 'pending');
  assert.deepEqual(await contractState(master.contractId), before);
  const refusals = await t.deps.db.selectFrom('audit_log').select(['action', 'reason']).where('actor', '=', `staff:${approver.login}`).where('outcome', '=', 'failure').where(sql<boolean>`details->>'application' = ${String(id)}`).execute();
  assert.deepEqual(refusals.map((r) => r.reason), ['OPERATOR_OWN_APPLICATION', 'OPERATOR_OWN_APPLICATION']);
  await assert.rejects(
    t.deps.db.updateTable('change_application').set({ status: 'approved', decided_by: sql`recorded_by`, decided_at: t.deps.clock.now() }).where('id', '=', id).execute(),
    /check constraint/i,
  );
  // Another approver may.
  assert.equal((await decide(await staffLogon(t, secondApprover), id, 'approve')).statusCode, 303);
});

test('a recorder cannot approve or reject at all; the attempt is refused and audited, and nothing changes', async () => {
  const master = await readyMaster();
  const id = applicationIdOf(await record(await staffLogon(t, approver), master.contractId, { kind: 'issue_card', userId: master.userId, reference: 'ROLE-1' }));
  const recorderClient = await staffLogon(t, recorder);
  const page = await recorderClient.get(`/operator/applications/${id}`);
  assert.match(page.body, /id="approver-only"/);
  assert.doesNotMatch(page.body, /id="approve"|id="reject"/);
  const before = await contractState(master.contractId);
  for (const decision of ['approve', 'reject', 'withdraw'] as const) {
    const response = await recorderClient.post(`/operator/applications/${id}/${decision}`, {});
    assert.equal(response.statusCode, 403, decision);
    assert.equal(errorCode(response.body), 'OPERATOR_ROLE_REFUSED');
  }
  assert.equal((await applicationRow(id)).status, 'pending');
  assert.deepEqual(await contractState(master.contractId), before);
  const refusals = await t.deps.db.selectFrom('audit_log').select(['action', 'reason']).where('actor', '=', `staff:${recorder.login}`).where('outcome', '=', 'failure').execute();
  assert.deepEqual(
    refusals.filter((r) => r.action !== 'staff.logon').map((r) => [r.action, r.reason]),
    [
      ['application.approve', 'OPERATOR_ROLE_REFUSED'],
      ['application.reject', 'OPERATOR_ROLE_REFUSED'],
    ],
  );
});

test('a rejected application changes nothing and can never be approved; the recorder may withdraw a pending one', async () => {
  const master = await readyMaster();
  await stopThroughPortal(master);
  const before = await contractState(master.contractId);
  const recorderClient = await staffLogon(t, recorder);
  const id = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'lift_stop', userId: master.userId, reference: 'REJ-1' }));
  const approverClient = await staffLogon(t, approver);
  const rejected = await decide(approverClient, id, 'reject', { note: '本人確認書類が不足' });
  assert.equal(rejected.headers.location, `/operator/applications/${id}?done=rejected`);
  const row = await applicationRow(id);
  assert.equal(row.status, 'rejected');
  assert.equal(row.decision_note, '本人確認書類が不足');
  for (const client of [approverClient, await staffLogon(t, secondApprover)]) {
    const again = await decide(client, id, 'approve');
    assert.equal(again.statusCode, 409);
    assert.equal(errorCode(again.body), 'OPERATOR_APPLICATION_DECIDED');
  }
  assert.deepEqual(await contractState(master.contractId), before, 'still stopped, nothing mailed');

  const second = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'lift_stop', userId: master.userId, reference: 'WD-1' }));
  const notTheirs = await decide(approverClient, second, 'withdraw');
  assert.equal(errorCode(notTheirs.body), 'OPERATOR_ROLE_REFUSED', 'only the member who recorded it withdraws it');
  assert.equal((await decide(recorderClient, second, 'withdraw')).headers.location, `/operator/applications/${second}?done=withdrawn`);
  assert.equal((await applicationRow(second)).status, 'withdrawn');
  assert.equal(errorCode((await decide(approverClient, second, 'approve')).body), 'OPERATOR_APPLICATION_DECIDED');
  assert.deepEqual(await contractState(master.contractId), before);
});

test('secrets made by an approval are shown once, only to the approver who approved, and the showing is audited', async () => {
  const master = await readyMaster();
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'issue_card', userId: master.userId, reference: 'ONCE-1' }));
  const approverClient = await staffLogon(t, approver);
  await decide(approverClient, id, 'approve');
  for (const other of [await staffLogon(t, secondApprover), await staffLogon(t, recorder)]) {
    const page = await other.get(`/operator/applications/${id}`);
    assert.doesNotMatch(page.body, /id="handover"/);
    const attempt = await other.post(`/operator/applications/${id}/handover`, {});
    assert.equal(attempt.statusCode, 403);
    assert.equal(errorCode(attempt.body), 'OPERATOR_ROLE_REFUSED');
  }
  const first = await handOver(approverClient, id);
  assert.ok(secretsOf(first).digits);
  assert.equal(String(first.headers['cache-control']), 'no-store');
  const page = await approverClient.get(`/operator/applications/${id}`);
  assert.match(page.body, /id="handed-over"/);
  assert.equal(printedDigits(page.body), undefined);
  const again = await approverClient.post(`/operator/applications/${id}/handover`, {});
  assert.equal(again.statusCode, 410);
  assert.equal(errorCode(again.body), 'OPERATOR_SECRETS_SHOWN');
  assert.equal(printedDigits(again.body), undefined);
  const shown = await t.deps.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'application.handover').where(sql<boolean>`details->>'application' = ${String(id)}`).execute();
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.actor, `staff:${approver.login}`);
  assert.deepEqual((shown[0]!.details as { shown: string[] }).shown, ['grid_card']);
});

test('an approval that can no longer take effect changes nothing and leaves the application pending', async () => {
  const master = await readyMaster();
  await stopThroughPortal(master);
  const recorderClient = await staffLogon(t, recorder);
  const first = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'lift_stop', userId: master.userId, reference: 'TWICE-1' }));
  const second = applicationIdOf(await record(recorderClient, master.contractId, { kind: 'lift_stop', userId: master.userId, reference: 'TWICE-2' }));
  const approverClient = await staffLogon(t, approver);
  assert.equal((await decide(approverClient, first, 'approve')).statusCode, 303);
  const before = await contractState(master.contractId);
  const late = await decide(approverClient, second, 'approve');
  assert.equal(late.statusCode, 409);
  assert.equal(errorCode(late.body), 'OPERATOR_NOT_STOPPED');
  assert.equal((await applicationRow(second)).status, 'pending');
  assert.deepEqual(await contractState(master.contractId), before);
  assert.equal((await decide(approverClient, second, 'reject')).statusCode, 303, 'it can be rejected');
});

test('R2.3, R2.5: the bank does not handle what is the master\'s: a user\'s stop when not linked, a user\'s password', async () => {
  const unlinked = await readyMaster();
  const user = await addUser(t.deps, unlinked.contractId);
  await stopThroughPortal(user);
  const linked = await readyMaster({ lockMode: 'linked' });
  const linkedUser = await addUser(t.deps, linked.contractId);
  await stopThroughPortal(linkedUser);
  const client = await staffLogon(t, recorder);
  const refused = await record(client, unlinked.contractId, { kind: 'lift_stop', userId: user.userId, reference: 'U-1' });
  assert.equal(errorCode(refused.body), 'OPERATOR_MASTER_ONLY');
  assert.equal(errorCode((await record(client, linked.contractId, { kind: 'new_registration_password', userId: linkedUser.userId, reference: 'U-2' })).body), 'OPERATOR_MASTER_ONLY');
  // Linked: any stop stops the contract, and only the bank lifts it.
  const id = applicationIdOf(await record(client, linked.contractId, { kind: 'lift_stop', userId: linkedUser.userId, reference: 'U-3' }));
  assert.equal((await decide(await staffLogon(t, approver), id, 'approve')).statusCode, 303);
  assert.equal((await userRow(t.deps, linkedUser)).stopped_at, null);
  assert.equal((await contractRow(t.deps, linked.contractId)).stopped_at, null);
  assert.equal((await logon(new Client(portal), linked)).headers.location, '/status');
});

test('bad input on the application forms gets its error on the same page and records nothing', async () => {
  const master = await readyMaster();
  const user = await addUser(t.deps, master.contractId);
  const client = await staffLogon(t, recorder);
  const count = async () => (await t.deps.db.selectFrom('change_application').select('id').execute()).length;
  const before = await count();
  const cases: [Record<string, string>, string][] = [
    [{ kind: 'issue_card', userId: master.userId }, 'OPERATOR_REFERENCE_INVALID'],
    [{ kind: 'issue_card', userId: master.userId, reference: '   ' }, 'OPERATOR_REFERENCE_INVALID'],
    [{ kind: 'issue_card', userId: master.userId, reference: 'R'.repeat(41) }, 'OPERATOR_REFERENCE_INVALID'],
    [{ kind: 'issue_card', userId: master.userId, reference: '受付１' }, 'OPERATOR_REFERENCE_INVALID'],
    [{ kind: 'issue_card', userId: master.userId, reference: 'A\u0000B' }, 'OPERATOR_REFERENCE_INVALID'],
    [{ kind: 'issue_card', userId: 'nobody', reference: 'B-1' }, 'OPERATOR_PERSON_UNKNOWN'],
    [{ kind: 'issue_card', userId: 'a'.repeat(31), reference: 'B-1' }, 'USER_ID_INVALID'],
    [{ kind: 'issue_card', userId: 'ｍａｓｔｅｒ', reference: 'B-1' }, 'USER_ID_INVALID'],
    [{ kind: 'issue_card', reference: 'B-1' }, 'USER_ID_INVALID'],
    [{ kind: 'onboard', reference: 'B-1' }, 'OPERATOR_KIND_INVALID'],
    [{ kind: 'delete_everything', reference: 'B-1' }, 'OPERATOR_KIND_INVALID'],
    [{ reference: 'B-1' }, 'OPERATOR_KIND_INVALID'],
    [{ kind: 'lift_stop', userId: master.userId, reference: 'B-1' }, 'OPERATOR_NOT_STOPPED'],
    [{ kind: 'new_registration_password', userId: user.userId, reference: 'B-1' }, 'OPERATOR_MASTER_ONLY'],
    [{ kind: 'set_lock_mode', lockMode: 'unlinked', reference: 'B-1' }, 'OPERATOR_LOCK_MODE_UNCHANGED'],
    [{ kind: 'set_lock_mode', lockMode: 'sometimes', reference: 'B-1' }, 'OPERATOR_LOCK_MODE_INVALID'],
    [{ kind: 'set_lock_mode', reference: 'B-1' }, 'OPERATOR_LOCK_MODE_INVALID'],
  ];
  for (const [fields, code] of cases) {
    const response = await record(client, master.contractId, fields);
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${JSON.stringify(fields)}: ${response.statusCode}`);
    assert.equal(errorCode(response.body), code, JSON.stringify(fields));
    assert.match(response.body, /id="people"/, 'the contract page, shown again');
  }
  // A list where one value is expected, or a field of the wrong type.
  const listed = await record(client, master.contractId, { kind: 'issue_card', userId: master.userId, reference: ['A-1', 'A-2'] } as never);
  assert.equal(errorCode(listed.body), 'OPERATOR_REFERENCE_INVALID');
  // A user without a valid card has none to invalidate.
  await t.deps.db.updateTable('grid_card').set({ invalidated_at: t.deps.clock.now() }).where('user_ref', '=', (await userRow(t.deps, user)).id).execute();
  assert.equal(errorCode((await record(client, master.contractId, { kind: 'invalidate_card', userId: user.userId, reference: 'B-2' })).body), 'OPERATOR_NO_VALID_CARD');
  // The echo of what was typed stays in the form it belongs to.
  const echoed = await record(client, master.contractId, { kind: 'issue_card', userId: master.userId, reference: 'bad ref' });
  assert.match(echoed.body, /id="f-reference-issue_card" name="reference" type="text" value="bad ref"/);
  assert.match(echoed.body, /id="f-reference-lift_stop" name="reference" type="text" value=""|id="record-lift_stop"[\s\S]*?form\.nobody|対象となる利用者がいません/);

  await client.get('/operator/applications/new-contract');
  const contractCases: [Record<string, string>, string][] = [
    [{ companyName: '', masterUserId: 'boss', masterName: '太郎', lockMode: 'unlinked', reference: 'N-1' }, 'OPERATOR_COMPANY_NAME_INVALID'],
    [{ companyName: 'X'.repeat(101), masterUserId: 'boss', masterName: '太郎', lockMode: 'unlinked', reference: 'N-1' }, 'OPERATOR_COMPANY_NAME_INVALID'],
    [{ companyName: 'Bad\u0007Name', masterUserId: 'boss', masterName: '太郎', lockMode: 'unlinked', reference: 'N-1' }, 'OPERATOR_COMPANY_NAME_INVALID'],
    [{ companyName: '商事', masterUserId: 'bo ss', masterName: '太郎', lockMode: 'unlinked', reference: 'N-1' }, 'USER_ID_INVALID'],
    [{ companyName: '商事', masterUserId: 'boss', masterName: '', lockMode: 'unlinked', reference: 'N-1' }, 'OPERATOR_NAME_INVALID'],
    [{ companyName: '商事', masterUserId: 'boss', masterName: '太郎', masterEmail: 'not-an-address', lockMode: 'unlinked', reference: 'N-1' }, 'EMAIL_INVALID'],
    [{ companyName: '商事', masterUserId: 'boss', masterName: '太郎', reference: 'N-1' }, 'OPERATOR_LOCK_MODE_INVALID'],
    [{ companyName: '商事', masterUserId: 'boss', masterName: '太郎', lockMode: 'unlinked' }, 'OPERATOR_REFERENCE_INVALID'],
  ];
  for (const [fields, code] of contractCases) {
    const response = await client.post('/operator/applications/new-contract', fields);
    assert.equal(response.statusCode, 400, JSON.stringify(fields));
    assert.equal(errorCode(response.body), code, JSON.stringify(fields));
    if (fields.companyName === '商事') assert.match(response.body, /name="companyName" type="text" value="商事"/, 'what was typed is shown again');
  }
  assert.equal(await count(), before);
});

test('find a contract by its ID or a part of the company name; the page shows its people, cards, stops and events', async () => {
  const master = await readyMaster();
  const user = await addUser(t.deps, master.contractId);
  await stopThroughPortal(user);
  const company = (await contractRow(t.deps, master.contractId)).company_name;
  const client = await staffLogon(t, recorder);
  const byId = await client.get(`/operator/contracts?q=${master.contractId}`);
  assert.match(byId.body, new RegExp(`href="/operator/contracts/${master.contractId}"`));
  assert.equal([...byId.body.matchAll(/<tr(?: class="failure")?><td><a href="\/operator\/contracts\//g)].length, 1);
  const byName = await client.get(`/operator/contracts?q=${encodeURIComponent(company)}`);
  assert.match(byName.body, new RegExp(master.contractId));
  const wildcard = await client.get('/operator/contracts?q=%25');
  assert.match(wildcard.body, /該当する契約先はありません/, '% is a character, not a wildcard');
  const tooLong = await client.get(`/operator/contracts?q=${'x'.repeat(101)}`);
  assert.equal(errorCode(tooLong.body), 'OPERATOR_SEARCH_INVALID');

  // R7.3: an address an administrator set and its owner has not confirmed (decision 0023).
  await t.deps.db.updateTable('users').set({ unconfirmed_email: 'waiting@customer.example' }).where('contract_id', '=', master.contractId).where('user_id', '=', user.userId).execute();
  const page = await client.get(`/operator/contracts/${master.contractId}`);
  assert.equal(page.statusCode, 200);
  const rowOf = (userId: string) => new RegExp(`<tr data-user-id="${userId}"[^>]*>[\\s\\S]*?</tr>`).exec(page.body)?.[0] ?? '';
  assert.ok(rowOf(user.userId).includes(ja('operatorConsole.person.emailWaiting', { email: 'waiting@customer.example' })), 'the waiting address is marked unconfirmed');
  assert.ok(rowOf(user.userId).includes(user.email), 'beside the address in use');
  assert.doesNotMatch(rowOf(master.userId), /未確認/, 'a confirmed address is not marked');
  assert.match(rowOf(master.userId), /マスターユーザ/);
  assert.match(rowOf(master.userId), /No\. \d{12}/, 'the card serial');
  assert.match(rowOf(master.userId), /本日変更/, 'password age');
  assert.match(rowOf(user.userId), /class="failure"/);
  assert.match(rowOf(user.userId), /ロック中/);
  assert.match(page.body, /id="events"[\s\S]*person\.stop/);
  assert.equal((await client.get('/operator/contracts/12345678901')).statusCode, 404, 'a wrong check digit is not found');
  const unknown = (await client.get(`/operator/contracts?q=${master.contractId}`)).body;
  assert.ok(unknown.includes(master.contractId));
});

test('R9.1: the contract\'s audit trail for a period is exported as CSV with only its own records, and the export is audited', async () => {
  const master = await readyMaster();
  const other = await readyMaster();
  const client = await staffLogon(t, recorder);
  const day = t.deps.clock.now().toISOString().slice(0, 10);
  const response = await client.get(`/operator/contracts/${master.contractId}/audit.csv?from=${day}&to=${day}`);
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
  assert.match(String(response.headers['content-disposition']), new RegExp(`attachment; filename="audit-${master.contractId}-${day}-${day}.csv"`));
  assert.ok(response.body.startsWith('\uFEFFid,chain,seq,'));
  const lines = response.body.trim().split('\n').slice(1);
  assert.ok(lines.length >= 3);
  assert.ok(lines.every((line) => line.split(',')[1] === master.contractId), 'only this contract\'s chain');
  assert.doesNotMatch(response.body, new RegExp(other.contractId));
  // The file checks by itself and against the stored chain, as the audit tools check it.
  const rows = auditRowsFromCsv(response.body);
  assert.equal(verifyExportedRows(rows).ok, true);
  assert.deepEqual(await compareWithStoredChain(t.deps.db, rows), []);
  const exported = await t.deps.db.selectFrom('audit_log').select(['actor', 'details']).where('contract_id', '=', master.contractId).where('action', '=', 'audit.export').execute();
  assert.equal(exported.length, 1);
  assert.equal(exported[0]!.actor, `staff:${recorder.login}`);

  for (const query of ['from=2026-04-02&to=2026-04-01', 'from=2026-02-30&to=2026-03-01', 'from=2024-01-01&to=2026-04-01', 'from=&to=', 'to=2026-04-01', 'from=2026/04/01&to=2026-04-01']) {
    const bad = await client.get(`/operator/contracts/${master.contractId}/audit.csv?${query}`);
    assert.equal(bad.statusCode, 400, query);
    assert.equal(errorCode(bad.body), 'OPERATOR_PERIOD_INVALID', query);
    assert.match(String(bad.headers['content-type']), /^text\/html/);
  }
  assert.equal((await t.deps.db.selectFrom('audit_log').select('id').where('contract_id', '=', master.contractId).where('action', '=', 'audit.export').execute()).length, 1, 'a refused export is not one');
});

test('two approvals of one application at once: one takes effect, the other is told it was decided', { skip: needsPostgres }, async () => {
  const master = await readyMaster();
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'issue_card', userId: master.userId, reference: 'RACE-1' }));
  const clients = [await staffLogon(t, approver), await staffLogon(t, secondApprover)];
  for (const client of clients) await client.get(`/operator/applications/${id}`);
  const answers = await Promise.all(clients.map((client) => client.post(`/operator/applications/${id}/approve`, {})));
  assert.deepEqual(answers.map((r) => (r.statusCode === 303 ? 'approved' : errorCode(r.body))).sort(), ['OPERATOR_APPLICATION_DECIDED', 'approved']);
  const cards = await t.deps.db.selectFrom('grid_card').innerJoin('users', 'users.id', 'grid_card.user_ref').select('grid_card.serial').where('users.contract_id', '=', master.contractId).execute();
  assert.equal(cards.length, 2, 'the onboarding card and one new card');
  const approvals = await t.deps.db.selectFrom('audit_log').select('id').where('action', '=', 'application.approve').where('outcome', '=', 'success').where(sql<boolean>`details->>'application' = ${String(id)}`).execute();
  assert.equal(approvals.length, 1);
});

test('the secrets of one approval asked for twice at once are shown once', { skip: needsPostgres }, async () => {
  const master = await readyMaster();
  const id = applicationIdOf(await record(await staffLogon(t, recorder), master.contractId, { kind: 'new_registration_password', userId: master.userId, reference: 'RACE-2' }));
  const approverClient = await staffLogon(t, approver);
  await decide(approverClient, id, 'approve');
  await approverClient.get(`/operator/applications/${id}`);
  const answers = await Promise.all([1, 2].map(() => approverClient.post(`/operator/applications/${id}/handover`, {})));
  assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 410]);
  assert.equal(answers.filter((r) => secretsOf(r).registrationPassword).length, 1);
});
