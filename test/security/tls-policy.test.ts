import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { testDeps } from '../helpers/deps.ts';
import { selfSigned } from '../helpers/self-signed.ts';
import { buildApp } from '../../src/app.ts';
import { buildConsole } from '../../src/operator/console/server.ts';
import type { Db } from '../../src/db/open.ts';
import type { ServerTlsIdentity } from '../../src/platform/tls-policy.ts';


/**
 * R4.7: the TLS policy on every listener the service starts — the portal, the certificate logon
 * (asking for client certificates) and the operator console — built as src/main.ts builds them and
 * shaken hands with over real TLS on 127.0.0.1. Each serves an ECDSA and an RSA certificate, so a
 * suite is never refused for want of a matching key; and a listener without the policy, serving
 * the same, accepts every client refused here, so each refusal is the policy's doing.
 */
let listeners: { name: string; app: FastifyInstance; port: number }[];
let unrestricted: tls.Server;
let unrestrictedPort: number;

/** Only handshakes happen here, no request: a database any request would reach is not needed. */
const noDatabase = new Proxy({}, {
  get() {
    throw new Error('the TLS tests send no request');
  },
}) as Db;

before(async () => {
  const deps = testDeps(noDatabase);
  const ecdsa = await selfSigned({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams);
  const rsa = await selfSigned({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' });
  const identity: ServerTlsIdentity = { key: [ecdsa.key, rsa.key], cert: [ecdsa.cert, rsa.cert] };
  const built = [
    { name: 'portal', app: await buildApp(deps, { https: identity, logger: false }) },
    { name: 'certificate logon', app: await buildApp(deps, { https: identity, logger: false, clientCertificates: { ca: ecdsa.cert } }) },
    { name: 'operator console', app: await buildConsole(deps, { https: identity, logger: false }) },
  ];
  listeners = [];
  for (const { name, app } of built) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    listeners.push({ name, app, port: (app.server.address() as AddressInfo).port });
  }
  unrestricted = tls.createServer({ ...identity, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (socket) => socket.end());
  await new Promise<void>((resolve) => unrestricted.listen(0, '127.0.0.1', resolve));
  unrestrictedPort = (unrestricted.address() as AddressInfo).port;
});
after(async () => {
  unrestricted.close();
  for (const { app } of listeners) await app.close();
});

type Handshake = { protocol: string | null; cipher: string } | { refused: string };

async function handshake(port: number, client: tls.ConnectionOptions): Promise<Handshake> { const t0 = Date.now(); const r = await handshake0(port, client); console.log(port, JSON.stringify(client).slice(0,50), Date.now() - t0, JSON.stringify(r)); return r; }
function handshake0(port: number, client: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...client }, () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ refused: error.code ?? error.message }));
  });
}

const refusedClients: Record<string, tls.ConnectionOptions> = {
  'CBC suites only': { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA' },
  'RSA key exchange only': { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384' },
  'TLS 1.1': { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
};

test('R4.7: a client offering only CBC suites, only RSA key exchange, or TLS 1.1 is refused on every listener', async () => {
  for (const [label, client] of Object.entries(refusedClients)) {
    assert.ok('protocol' in (await handshake(unrestrictedPort, client)), `${label}: served by a listener without the policy`);
    for (const { name, port } of listeners) {
      const answer = await handshake(port, client);
      assert.ok('refused' in answer, `${label} on the ${name}: ${JSON.stringify(answer)}`);
    }
  }
});

test('R4.7: TLS 1.2 clients with an ECDHE AEAD suite (either certificate) and a TLS 1.3 client are served on every listener', async () => {
  for (const { name, port } of listeners) {
    for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
      assert.deepEqual(await handshake(port, { maxVersion: 'TLSv1.2', ciphers: cipher }), { protocol: 'TLSv1.2', cipher }, `${cipher} on the ${name}`);
    }
    const modern = await handshake(port, { minVersion: 'TLSv1.3' });
    assert.equal('protocol' in modern && modern.protocol, 'TLSv1.3', `TLS 1.3 on the ${name}`);
  }
});
