import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { completeFirstLogon, logon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { buildApp } from '../../src/app.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { outboxTo } from '../helpers/http-app.ts';
import { addUserWith, adminGrants } from '../users/helpers.ts';
import { acquire, certificateContract, personOf, useCertificates } from './support.ts';
import { certificateLogon, ProxiedClient, proxyEnv } from './proxy-client.ts';

/**
 * R4.5: the master reissues approvers' and general users' certificates on /certificates, confirmed
 * with the confirmation password; the master's own is the bank's. The people log on with their
 * certificates through the bank's TLS-terminating proxy (the certificate listener in proxy mode).
 */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };
let ordinary: FastifyInstance;
let certificateSite: FastifyInstance;
let master: TestPerson;
let admin: TestPerson;
let approver: TestPerson;
let general: TestPerson;
let deleted: TestPerson;
const certificates = new Map<string, string>();

before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db, { env: proxyEnv });
  const authority = await ensureAuthority(deps);
  ordinary = await buildApp(deps, { logger: false });
  certificateSite = await buildApp(deps, { logger: false, clientCertificates: { ca: authority.certificatePem } });
  master = await onboardMaster(deps);
  await completeFirstLogon(new Client(ordinary), deps, master);
  admin = await addUserWith(deps, master.contractId, adminGrants());
  approver = await addUserWith(deps, master.contractId, [{ business: 'transfer', approve: true, perTransactionLimitYen: 1_000n, dailyLimitYen: 1_000n }]);
  general = await addUserWith(deps, master.contractId, [{ business: 'inquiry' }]);
  deleted = await addUserWith(deps, master.contractId, [{ business: 'inquiry' }]);
  await useCertificates(deps, master.contractId);
  for (const person of [master, admin, approver, general, deleted]) certificates.set(person.userId, (await acquire(deps, person)).certificatePem);
  await deps.db.updateTable('users').set({ status: 'deleted' }).where('contract_id', '=', deleted.contractId).where('user_id', '=', deleted.userId).execute();
});
after(async () => {
  await certificateSite.close();
  await ordinary.close();
  await database.drop();
});

async function loggedOn(person: TestPerson): Promise<ProxiedClient> {
  const client = new ProxiedClient(certificateSite, certificates.get(person.userId));
  const done = await certificateLogon(client, person);
  assert.equal(done.statusCode, 303, `certificate logon of ${person.userId}: ${errorCode(done.body) ?? done.body.slice(0, 200)}`);
  assert.equal(done.headers.location, '/status');
  return client;
}

async function validSerial(person: TestPerson): Promise<string | undefined> {
  const { user } = await personOf(deps, person);
  const row = await deps.db.selectFrom('client_certificate').select('serial_hex').where('user_ref', '=', user.id).where('revoked_at', 'is', null).executeTakeFirst();
  return row?.serial_hex;
}

function reissue(client: ProxiedClient, person: TestPerson, confirmationPassword: string) {
  return client.submit(`/certificates/${person.userId}/reissue`, { confirmationPassword });
}

test('the page lists every person of the contract with their certificate, and offers reissue for users only', async () => {
  const client = await loggedOn(master);
  const page = await client.get('/certificates');
  assert.equal(page.statusCode, 200);
  for (const person of [master, admin, approver, general]) {
    const row = new RegExp(`<tr data-user-id="${person.userId}" data-state="valid">[\\s\\S]*?${await validSerial(person)}[\\s\\S]*?</tr>`);
    assert.match(page.body, row, person.userId);
  }
  assert.doesNotMatch(page.body, new RegExp(`data-user-id="${deleted.userId}"`), 'a deleted person is not listed');
  assert.match(page.body, new RegExp(`href="/certificates/${general.userId}/reissue"`));
  assert.match(page.body, new RegExp(`href="/certificates/${approver.userId}/reissue"`));
  assert.doesNotMatch(page.body, new RegExp(`href="/certificates/${master.userId}/reissue"`), "the master's own is the bank's");
  assert.match(page.body, /id="certificate-mode"/);
});

test("the master reissues a general user's certificate: revoked at once, the user's session ends, both are told", async () => {
  const user = await loggedOn(general);
  assert.equal((await user.get('/status')).statusCode, 200);
  const before = await validSerial(general);
  const client = await loggedOn(master);

  const wrong = await reissue(client, general, 'Wrong2026pass');
  assert.equal(wrong.statusCode, 400);
  assert.equal(errorCode(wrong.body), 'CONFIRMATION_PASSWORD_WRONG');
  assert.equal(await validSerial(general), before, 'nothing changed');
  assert.equal((await user.get('/status')).statusCode, 200);

  const confirm = await client.get(`/certificates/${general.userId}/reissue`);
  assert.match(confirm.body, new RegExp(before!));
  const done = await client.post(`/certificates/${general.userId}/reissue`, { confirmationPassword: master.confirmationPassword });
  assert.equal(done.statusCode, 303, errorCode(done.body));
  assert.equal(done.headers.location, `/certificates?done=reissued&user=${general.userId}`);
  assert.equal(await validSerial(general), undefined);
  const row = await deps.db.selectFrom('client_certificate').select(['revocation_reason']).where('serial_hex', '=', before!).executeTakeFirstOrThrow();
  assert.equal(row.revocation_reason, 'reissue');

  const after = await user.get('/status');
  assert.equal(after.statusCode, 303, 'the session opened with the revoked certificate is over');
  assert.match(String(after.headers.location), /^\/logon/);
  assert.notEqual((await certificateLogon(new ProxiedClient(certificateSite, certificates.get(general.userId)), general)).headers.location, '/status', 'the revoked certificate logs nobody on');

  const told = await outboxTo(deps, general.email, 'mail.securityChange.subject');
  assert.match(told.at(-1)!.body, new RegExp(before!));
  const masterTold = await outboxTo(deps, master.email, 'mail.securityChange.subject');
  assert.match(masterTold.at(-1)!.body, new RegExp(before!));
  const audit = await deps.db.selectFrom('audit_log').select(['actor', 'reason']).where('action', '=', 'certificate.revoke').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal(audit.actor, `user:${master.contractId}/${master.userId}`);
  assert.equal(audit.reason, 'reissue');
  // The person acquires a new one and is listed with it.
  const fresh = await acquire(deps, general);
  certificates.set(general.userId, fresh.certificatePem);
  assert.match((await client.get('/certificates')).body, new RegExp(fresh.serialHex));
});

test("the master's own certificate cannot be reissued on the page: the bank does it", async () => {
  const client = await loggedOn(master);
  const before = await validSerial(master);
  const page = await client.get(`/certificates/${master.userId}/reissue`);
  assert.equal(page.statusCode, 403);
  assert.equal(errorCode(page.body), 'CERT_MASTER_BY_BANK');
  await client.get('/certificates');
  const posted = await client.post(`/certificates/${master.userId}/reissue`, { confirmationPassword: master.confirmationPassword });
  assert.equal(posted.statusCode, 403);
  assert.equal(errorCode(posted.body), 'CERT_MASTER_BY_BANK');
  assert.equal(await validSerial(master), before);
  assert.equal((await client.get('/status')).statusCode, 200);
});

test('a general user may neither see the page nor reissue anyone, and the attempt is recorded', async () => {
  const client = await loggedOn(general);
  const page = await client.get('/certificates');
  assert.equal(page.statusCode, 403);
  assert.equal(errorCode(page.body), 'FORBIDDEN');
  const before = await validSerial(approver);
  await client.get('/status');
  const posted = await client.post(`/certificates/${approver.userId}/reissue`, { confirmationPassword: general.confirmationPassword });
  assert.equal(posted.statusCode, 403);
  assert.equal(errorCode(posted.body), 'FORBIDDEN');
  assert.equal(await validSerial(approver), before);
  const { user } = await personOf(deps, general);
  const refused = await deps.db.selectFrom('audit_log').select('reason').where('user_ref', '=', user.id).where('action', '=', 'certificate.reissue').where('outcome', '=', 'failure').execute();
  assert.ok(refused.length >= 1);
});

test("an admin user reissues an approver's certificate, but not their own", async () => {
  const client = await loggedOn(admin);
  const before = await validSerial(approver);
  const own = await client.get(`/certificates/${admin.userId}/reissue`);
  assert.equal(errorCode(own.body), 'USERS_SELF');
  const done = await reissue(client, approver, admin.confirmationPassword);
  assert.equal(done.statusCode, 303, errorCode(done.body));
  assert.equal(await validSerial(approver), undefined);
  assert.notEqual(before, undefined);
});

test('a person without a valid certificate, a deleted person and a person of another contract cannot be reissued', async () => {
  const client = await loggedOn(master);
  const nobody = await client.get(`/certificates/${approver.userId}/reissue`);
  assert.equal(errorCode(nobody.body), 'CERT_NONE_VALID');
  const gone = await client.get(`/certificates/${deleted.userId}/reissue`);
  assert.equal(errorCode(gone.body), 'USERS_DELETED');
  const other = await certificateContract(deps);
  await acquire(deps, other.user);
  const foreign = await client.get(`/certificates/${other.user.userId}/reissue`);
  assert.equal(foreign.statusCode, 404);
  await client.get('/certificates');
  const posted = await client.post(`/certificates/${other.user.userId}/reissue`, { confirmationPassword: master.confirmationPassword });
  assert.equal(posted.statusCode, 404);
  assert.notEqual(await validSerial(other.user), undefined);
});

test('a contract that does not use certificates says so on the page', async () => {
  const person = await onboardMaster(deps);
  await completeFirstLogon(new Client(ordinary), deps, person);
  await useCertificates(deps, person.contractId, false);
  const client = new Client(ordinary);
  await logon(client, person);
  const page = await client.get('/certificates');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<p class="notice" id="certificate-mode">/);
  assert.match(page.body, /data-state="none"/);
});
