import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as x509 from '@peculiar/x509';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { buildApp } from '../../src/app.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { revokeCertificate } from '../../src/modules/certificates/revoke.ts';
import { crlNextUpdateSeconds } from '../../src/modules/certificates/crl.ts';
import { createSession } from '../../src/access/sessions.ts';
import { acquire, certificateContract, personOf } from './support.ts';
import type { TestPerson } from '../helpers/people.ts';

/** R4.5: a revoked certificate stops working at once, and the CA publishes what it revoked. */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };
let app: FastifyInstance;
before(async () => {
  database = await createTestDatabase();
  deps = testDeps(database.db);
  await ensureAuthority(deps);
  app = await buildApp(deps, { logger: false });
});
after(async () => {
  await app.close();
  await database.drop();
});

/** A live session of the person; bound to a certificate as a certificate logon leaves it, when one is given. */
async function sessionOf(person: TestPerson, certificateId: number | null): Promise<string> {
  const { user } = await personOf(deps, person);
  const { session } = await createSession(deps, deps.db, { user, stage: 'active', method: 'password', ip: '203.0.113.10' });
  await deps.db.updateTable('session').set({ client_certificate_id: certificateId }).where('id', '=', session.id).execute();
  return session.id;
}

async function certificateId(serialHex: string): Promise<number> {
  return (await deps.db.selectFrom('client_certificate').select('id').where('serial_hex', '=', serialHex).executeTakeFirstOrThrow()).id;
}

async function sessionState(id: string) {
  return deps.db.selectFrom('session').select(['ended_at', 'end_reason']).where('id', '=', id).executeTakeFirstOrThrow();
}

test('revoking a certificate ends the sessions bound to it in the same transaction, and no other', async () => {
  const { master, user } = await certificateContract(deps);
  const userCertificate = await acquire(deps, user);
  const masterCertificate = await acquire(deps, master);
  const userId = await certificateId(userCertificate.serialHex);
  const bound = [await sessionOf(user, userId), await sessionOf(user, userId)];
  const unbound = await sessionOf(user, null);
  const masters = await sessionOf(master, await certificateId(masterCertificate.serialHex));

  const revoked = await inTransaction(deps.db, (tx) => revokeCertificate(deps, tx, userId, 'key_compromise', { actor: 'operator:test' }));
  assert.equal(revoked?.serial_hex, userCertificate.serialHex);
  for (const id of bound) assert.deepEqual(await sessionState(id), { ended_at: deps.clock.now(), end_reason: 'certificate' });
  assert.equal((await sessionState(unbound)).ended_at, null);
  assert.equal((await sessionState(masters)).ended_at, null);
  const row = await deps.db.selectFrom('client_certificate').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  assert.equal(row.revocation_reason, 'key_compromise');
  const audit = await deps.db.selectFrom('audit_log').select(['reason', 'details']).where('action', '=', 'certificate.revoke').where('user_ref', '=', row.user_ref).execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.details.sessionsEnded, 2);
});

test('a revocation rolled back leaves the certificate and its sessions as they were', async () => {
  const { user } = await certificateContract(deps);
  const issued = await acquire(deps, user);
  const id = await certificateId(issued.serialHex);
  const session = await sessionOf(user, id);
  await assert.rejects(
    inTransaction(deps.db, async (tx) => {
      await revokeCertificate(deps, tx, id, 'reissue', { actor: 'operator:test' });
      throw new Error('the change that carried the revocation failed');
    }),
  );
  assert.equal((await sessionState(session)).ended_at, null);
  const row = await deps.db.selectFrom('client_certificate').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.revoked_at, null);
});

test('a certificate is revoked once: a second revocation changes nothing', async () => {
  const { user } = await certificateContract(deps);
  const id = await certificateId((await acquire(deps, user)).serialHex);
  const first = await inTransaction(deps.db, (tx) => revokeCertificate(deps, tx, id, 'reissue', { actor: 'operator:test' }));
  deps.clock.advanceSeconds(60);
  const second = await inTransaction(deps.db, (tx) => revokeCertificate(deps, tx, id, 'key_compromise', { actor: 'operator:test' }));
  assert.ok(first);
  assert.equal(second, undefined);
  const row = await deps.db.selectFrom('client_certificate').select(['revoked_at', 'revocation_reason']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.revocation_reason, 'reissue');
  assert.equal(row.revoked_at?.getTime(), first.revoked_at?.getTime());
});

test('the CRL at /pki/crl needs no session, parses, is signed by the CA of /pki/ca.crt and lists exactly the revoked serials', async () => {
  const { master, user } = await certificateContract(deps);
  const kept = await acquire(deps, master);
  const revoked = await acquire(deps, user);
  const superseding = await acquire(deps, user, { replaceExisting: true });
  const id = await certificateId(superseding.serialHex);
  await inTransaction(deps.db, (tx) => revokeCertificate(deps, tx, id, 'reissue', { actor: 'operator:test' }));

  const answer = await app.inject({ method: 'GET', url: '/pki/crl' });
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.headers['content-type'], 'application/pkix-crl');
  assert.match(String(answer.headers['cache-control']), /^public, max-age=\d+$/);
  const crl = new x509.X509Crl(new Uint8Array(answer.rawPayload));

  const caAnswer = await app.inject({ method: 'GET', url: '/pki/ca.crt' });
  assert.equal(caAnswer.statusCode, 200);
  assert.equal(caAnswer.headers['content-type'], 'application/pkix-cert');
  const authority = new x509.X509Certificate(new Uint8Array(caAnswer.rawPayload));
  assert.ok(await crl.verify({ publicKey: authority }), 'signed by the CA');
  assert.equal(crl.issuer, authority.subject);
  assert.equal(crl.thisUpdate.getTime(), deps.clock.now().getTime());
  assert.equal(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime(), crlNextUpdateSeconds * 1000);

  const listed = new Set(crl.entries.map((entry) => entry.serialNumber.toLowerCase()));
  assert.ok(listed.has(revoked.serialHex), 'the superseded certificate');
  assert.ok(listed.has(superseding.serialHex), 'the reissued certificate');
  assert.ok(!listed.has(kept.serialHex), 'not a valid certificate');
  const all = await deps.db.selectFrom('client_certificate').select('serial_hex').where('revoked_at', 'is not', null).execute();
  assert.deepEqual([...listed].sort(), all.map((r) => r.serial_hex).sort(), 'every revoked serial, nothing else');
});
