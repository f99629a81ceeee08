import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { openDatabase } from '../../src/db/open.ts';
import { activeAuthority, ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { authorityKeyMatches, createAuthority } from '../../src/pki/x509.ts';

/** R4.1: the bank's CA is made once, kept with its key sealed, or imported from the bank's files. */
let database: TestDatabase;
let dir: string;
before(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ib-ca-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

async function emptyAuthorities(): Promise<void> {
  await database.db.deleteFrom('certificate_authority').execute();
}

function pem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END ${label}-----\n`;
}

async function caFiles(name: string, keyFrom?: Uint8Array): Promise<{ env: Record<string, string>; certificatePem: string }> {
  const ca = await createAuthority({ subject: `${name} CA`, now: new Date('2026-01-01T00:00:00Z'), validityDays: 3650 });
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, ca.certificatePem);
  writeFileSync(keyFile, pem('PRIVATE KEY', keyFrom ?? ca.privateKeyPkcs8));
  return { env: { CA_CERT_FILE: certFile, CA_KEY_FILE: keyFile }, certificatePem: ca.certificatePem };
}

test('five first starts at once make one CA, named after the bank, valid ten years, its key sealed', async () => {
  await emptyAuthorities();
  const deps = testDeps(database.db);
  const started = await Promise.all(Array.from({ length: 5 }, () => ensureAuthority(deps)));
  assert.equal(new Set(started.map((a) => a.id)).size, 1);
  const rows = await database.db.selectFrom('certificate_authority').selectAll().execute();
  assert.equal(rows.length, 1);
  const certificate = new x509.X509Certificate(rows[0]!.certificate_pem);
  assert.equal(certificate.subject, `CN=${deps.config.bankName} Corporate IB Client CA`);
  assert.equal((certificate.notAfter.getTime() - certificate.notBefore.getTime()) / 86_400_000, 3650);
  // Sealed: no PEM, no PKCS#8 in clear, and only the keyring opens it.
  assert.doesNotMatch(rows[0]!.key_sealed, /PRIVATE KEY|BEGIN/);
  assert.match(rows[0]!.key_sealed, /^v1\./);
  assert.doesNotMatch(rows[0]!.key_sealed, /^MI/);
  const key = await started[0]!.signingKey();
  assert.equal(await authorityKeyMatches(rows[0]!.certificate_pem, key), true);
  assert.equal((await ensureAuthority(deps)).id, rows[0]!.id, 'a later start uses the stored CA');
  assert.equal((await activeAuthority(deps)).id, rows[0]!.id);
  const audit = await database.db.selectFrom('audit_log').select('action').where('action', '=', 'certificate_authority.create').execute();
  assert.equal(audit.length, 1);
});

test('the sealed key opens only with the bank\'s key: another keyring cannot sign', async () => {
  await emptyAuthorities();
  const deps = testDeps(database.db);
  await ensureAuthority(deps);
  const { createKeyring, parseKeyringSpec } = await import('../../src/platform/keyring.ts');
  const other = { ...deps, keyring: createKeyring(parseKeyringSpec(`1:${Buffer.alloc(32, 9).toString('base64')}`), deps.random) };
  await assert.rejects((await activeAuthority(other)).signingKey());
});

test('configured CA files are imported at the first start and used afterwards', async () => {
  await emptyAuthorities();
  const files = await caFiles('bank');
  const deps = testDeps(database.db, { env: files.env });
  const authority = await ensureAuthority(deps);
  assert.equal(authority.certificatePem.trim(), files.certificatePem.trim());
  assert.equal(await authorityKeyMatches(authority.certificatePem, await authority.signingKey()), true);
  assert.equal((await ensureAuthority(deps)).id, authority.id);
  const stored = await database.db.selectFrom('certificate_authority').select('key_sealed').executeTakeFirstOrThrow();
  assert.doesNotMatch(stored.key_sealed, /PRIVATE KEY/);
});

test('CA files that are not the stored CA stop the start', async () => {
  await emptyAuthorities();
  await ensureAuthority(testDeps(database.db));
  const files = await caFiles('other');
  await assert.rejects(ensureAuthority(testDeps(database.db, { env: files.env })), /not the certificate authority stored/);
});

test('a key file that does not belong to the certificate file stops the start', async () => {
  await emptyAuthorities();
  const stranger = await createAuthority({ subject: 'stranger', now: new Date(), validityDays: 10 });
  const files = await caFiles('mismatch', stranger.privateKeyPkcs8);
  await assert.rejects(ensureAuthority(testDeps(database.db, { env: files.env })), /not the private key/);
  assert.equal((await database.db.selectFrom('certificate_authority').select('id').execute()).length, 0);
});

test('production without CA files and without a stored CA refuses to start', async () => {
  await emptyAuthorities();
  const deps = testDeps(database.db);
  await assert.rejects(ensureAuthority({ ...deps, config: { ...deps.config, production: true } }), /CA_CERT_FILE/);
});

test('two service processes starting at once on PostgreSQL agree on one CA', { skip: needsPostgres }, async () => {
  await emptyAuthorities();
  const second = await openDatabase({ databaseUrl: database.url!, poolSize: 4 });
  try {
    const [a, b] = await Promise.all([ensureAuthority(testDeps(database.db)), ensureAuthority(testDeps(second))]);
    assert.equal(a.id, b.id);
    assert.equal(a.certificatePem, b.certificatePem);
    assert.equal((await database.db.selectFrom('certificate_authority').select('id').execute()).length, 1);
  } finally {
    await second.destroy();
  }
});

void onPostgres;
