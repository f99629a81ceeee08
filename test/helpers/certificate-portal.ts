import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import * as x509 from '@peculiar/x509';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/open.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { embeddedTlsCertificate } from '../../src/platform/embedded-secrets.ts';
import { ensureAuthority, type ActiveAuthority } from '../../src/modules/certificates/authority.ts';
import { issueCertificate, certificateCommonName } from '../../src/modules/certificates/issue.ts';
import { createAuthority, importAuthorityKey, randomSerialHex, signClientCertificate } from '../../src/pki/x509.ts';
import { testDeps } from './deps.ts';
import { gridAnswerFields, type TestPerson } from './people.ts';
import type { HttpsAnswer, HttpsClient, TlsIdentity } from './https-client.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * The portal as main.ts starts it, over real HTTPS on ports of the system's choosing: the ordinary
 * listener and the certificate listener (R4.1), one fake clock, the bank's CA made at start.
 * `peers` records, per listener, whether each TLS connection carried a client certificate.
 */
export interface CertificatePortal {
  deps: Deps & { clock: FakeClock };
  authority: ActiveAuthority;
  ordinary: FastifyInstance;
  certificate: FastifyInstance;
  ordinaryUrl: string;
  certificateUrl: string;
  peers: { ordinary: boolean[]; certificate: boolean[] };
  close(): Promise<void>;
}

export async function startCertificatePortal(db: Db, options: { env?: Record<string, string> } = {}): Promise<CertificatePortal> {
  const deps = testDeps(db, { env: options.env });
  const authority = await ensureAuthority(deps);
  const tlsDir = mkdtempSync(join(tmpdir(), 'ib-cert-logon-tls-'));
  const https = await embeddedTlsCertificate(tlsDir, ['localhost', '127.0.0.1'], new Date());
  const ordinary = await buildApp(deps, { https, logger: false });
  const certificate = await buildApp(deps, { https, logger: false, clientCertificates: { ca: authority.certificatePem } });
  const peers = { ordinary: [] as boolean[], certificate: [] as boolean[] };
  for (const [name, app] of [['ordinary', ordinary], ['certificate', certificate]] as const) {
    app.server.on('secureConnection', (socket: TLSSocket) => {
      peers[name].push(Object.keys(socket.getPeerCertificate()).length > 0);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
  }
  const urlOf = (app: FastifyInstance) => `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    deps,
    authority,
    ordinary,
    certificate,
    ordinaryUrl: urlOf(ordinary),
    certificateUrl: urlOf(certificate),
    peers,
    async close() {
      await certificate.close();
      await ordinary.close();
      rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** R4.2: the bank switches the contract to certificates (as the operator's approved application does). */
export async function requireCertificates(deps: Deps, contractId: string): Promise<void> {
  await deps.db.updateTable('contract').set({ certificate_required: true }).where('id', '=', contractId).execute();
}

async function personRows(deps: Deps, person: TestPerson) {
  const user = await deps.db
    .selectFrom('users')
    .selectAll()
    .where('contract_id', '=', person.contractId)
    .where('user_id', '=', person.userId)
    .executeTakeFirstOrThrow();
  const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', person.contractId).executeTakeFirstOrThrow();
  return { user, contract };
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
}

export interface IssuedIdentity extends TlsIdentity {
  serialHex: string;
  notAfter: Date;
}

/** R4.3: the person's certificate as the acquisition issues it: their own key, a request, the bank's signature. */
export async function issueIdentity(deps: Deps, person: TestPerson): Promise<IssuedIdentity> {
  const keys = await newKeys();
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [certificateCommonName(person.contractId, person.userId)] }],
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  });
  const issued = await issueCertificate(deps, await personRows(deps, person), request.toString('pem'), { replaceExisting: true, ip: '203.0.113.10' });
  return { cert: issued.certificatePem, key: await privateKeyPem(keys), serialHex: issued.serialHex, notAfter: issued.notAfter };
}

/** A certificate the person made themselves, copying the subject the bank would give them. */
export async function selfSignedIdentity(deps: Deps, person: TestPerson): Promise<TlsIdentity> {
  const keys = await newKeys();
  const now = deps.clock.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(webcrypto.getRandomValues(new Uint8Array(16))),
    name: [{ CN: [certificateCommonName(person.contractId, person.userId)] }, { O: [deps.config.bankName] }],
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    keys,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
  return { cert: certificate.toString('pem'), key: await privateKeyPem(keys) };
}

/** A certificate of the right shape and subject, signed by another CA (one with the bank's very name). */
export async function otherAuthorityIdentity(deps: Deps, person: TestPerson): Promise<TlsIdentity> {
  const now = deps.clock.now();
  const other = await createAuthority({ subject: `${deps.config.bankName} Corporate IB Client CA`, now, validityDays: 3650 });
  const keys = await newKeys();
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const cert = await signClientCertificate({
    authorityCertificatePem: other.certificatePem,
    authorityKey: await importAuthorityKey(other.certificatePem, other.privateKeyPkcs8),
    publicKeySpki: spki,
    commonName: certificateCommonName(person.contractId, person.userId),
    organization: deps.config.bankName,
    serialHex: randomSerialHex(webcrypto.getRandomValues(new Uint8Array(16))),
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    crlUrl: `${deps.config.publicUrl}/pki/crl`,
  });
  return { cert, key: await privateKeyPem(keys) };
}

/** The password step then the grid card over HTTPS at `base`; returns the last answer. */
export async function logonOver(client: HttpsClient, base: string, person: TestPerson, options: { path?: string } = {}): Promise<HttpsAnswer> {
  const path = options.path ?? '/logon';
  await client.get(base, path);
  const first = await client.post(base, path, { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  if (first.status !== 303) return first;
  assert.equal(first.location, '/logon/grid');
  const grid = await client.get(base, '/logon/grid');
  assert.equal(grid.status, 200, `the grid page: ${grid.status} ${grid.location ?? ''}`);
  return client.post(base, '/logon/grid', gridAnswerFields(grid.body, person.digits));
}
