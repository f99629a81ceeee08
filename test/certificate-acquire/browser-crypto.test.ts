import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { embeddedTlsCertificate } from '../../src/platform/embedded-secrets.ts';
import { loadBrowserPki, type AcquireResult, type BrowserPki } from './browser-modules.ts';
import { jsonResponse, testAuthority, type TestAuthority } from './test-authority.ts';

/**
 * R4.3: the browser makes the key pair, sends only a certificate request, and wraps key and
 * certificate into a PKCS#12 file. These tests run the very modules the page loads, on Node's
 * WebCrypto, and check their output with independent readers: @peculiar/x509, OpenSSL 3 and Node's TLS.
 */

x509.cryptoProvider.set(globalThis.crypto);

let pki: BrowserPki;
let authority: TestAuthority;
let workDir: string;
before(async () => {
  pki = await loadBrowserPki();
  authority = await testAuthority();
  workDir = mkdtempSync(join(tmpdir(), 'ib-acquire-'));
});
after(() => rmSync(workDir, { recursive: true, force: true }));

const messages = { failed: 'failed', mismatch: 'mismatch' };

/** The page's steps against a bank that signs every request it receives; the bodies sent are kept. */
async function acquireFromTestBank(options: { contractId?: string; userId?: string } = {}): Promise<AcquireResult & { bodies: string[] }> {
  const bodies: string[] = [];
  const result = await pki.acquire.acquireCertificate({
    contractId: options.contractId ?? '12345678903',
    userId: options.userId ?? 'master01',
    friendlyName: 'テスト銀行 12345678903-master01',
    csrfToken: 'csrf-token-of-the-page',
    replace: false,
    messages,
    async send(body) {
      bodies.push(body.toString());
      const certificatePem = await authority.sign(body.get('csr')!);
      return jsonResponse(200, { certificatePem, authorityCertificatePem: authority.certificatePem, notAfter: '2027-04-01T00:00:00.000Z' });
    },
  });
  return { ...result, bodies };
}

function writeFile(name: string, bytes: Uint8Array): string {
  const path = join(workDir, name);
  writeFileSync(path, bytes);
  return path;
}

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('the certificate request made in the browser verifies with @peculiar/x509 and names CN=<contract>-<user> with its own public key', async () => {
  const keyPair = await pki.request.generateKeyPair();
  const pem = await pki.request.buildCertificateRequest(keyPair, '12345678903-master01');
  const request = new x509.Pkcs10CertificateRequest(pem);
  assert.equal(await request.verify(), true);
  assert.equal(request.subject, 'CN=12345678903-master01');
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
  assert.deepEqual(new Uint8Array(request.publicKey.rawData), spki);
  // OpenSSL reads it too.
  const checked = execFileSync('openssl', ['req', '-verify', '-noout', '-in', writeFile('request.csr', new TextEncoder().encode(pem))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(checked.trim(), '');
});

test('a certificate request altered after signing no longer verifies', async () => {
  const keyPair = await pki.request.generateKeyPair();
  const pem = await pki.request.buildCertificateRequest(keyPair, '12345678903-master01');
  const der = pki.der.fromPem('CERTIFICATE REQUEST', pem);
  const at = Buffer.from(der).indexOf(Buffer.from('master01'));
  assert.ok(at > 0);
  der[at] = 'n'.charCodeAt(0);
  const altered = new x509.Pkcs10CertificateRequest(der);
  assert.equal(altered.subject, 'CN=12345678903-naster01');
  assert.equal(await altered.verify(), false);
});

test('ECDSA signatures become DER integers that stay positive and minimal, whatever their leading bytes', () => {
  const r = new Uint8Array(32).fill(0x11);
  r[0] = 0x80; // high bit set: a zero byte is put in front
  const s = new Uint8Array(32).fill(0x22);
  s[0] = 0;
  s[1] = 0; // leading zero bytes are dropped
  const der = pki.request.ecdsaSignatureToDer(new Uint8Array([...r, ...s]));
  assert.equal(Buffer.from(der.subarray(0, 6)).toString('hex'), '3043022100' + '80');
  assert.equal(Buffer.from(der.subarray(37, 39)).toString('hex'), '021e');
  assert.equal(Buffer.from(pki.der.integer(0)).toString('hex'), '020100');
  assert.equal(Buffer.from(pki.der.integer(100_000)).toString('hex'), '02030186a0');
  // Long lengths (a certificate in its bag) use the long form.
  assert.equal(Buffer.from(pki.der.tlv(0x04, new Uint8Array(300)).subarray(0, 4)).toString('hex'), '0482012c');
  // DER sorts a SET OF by its members' encodings.
  assert.equal(Buffer.from(pki.der.set(Uint8Array.of(0x04, 1, 9), Uint8Array.of(0x02, 1, 5))).toString('hex'), '3106020105040109');
});

test('the PKCS#12 file opens in OpenSSL 3 with the password shown, with PBES2 AES-256-CBC, at least 100,000 PBKDF2 iterations and an HMAC-SHA256 MAC', async () => {
  const acquired = await acquireFromTestBank();
  const file = writeFile('info.p12', acquired.pkcs12);
  const info = openssl(['pkcs12', '-info', '-noout', '-in', file, '-passin', `pass:${acquired.password}`]);
  assert.equal(info.status, 0, info.stderr);
  const report = info.stdout + info.stderr;
  assert.match(report, /MAC: sha256, Iteration 2048/);
  assert.match(report, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration (\d+), PRF hmacWithSHA256/);
  const iterations = Number(/AES-256-CBC, Iteration (\d+)/.exec(report)![1]);
  assert.ok(iterations >= 100_000, `PBKDF2 iterations ${iterations}`);
  assert.equal(report.match(/Certificate bag/g)?.length, 2, 'the person\'s certificate and the bank\'s CA certificate');
});

test('the key in the PKCS#12 file is the one the certificate certifies, under the friendly name given', async () => {
  const acquired = await acquireFromTestBank();
  const file = writeFile('pair.p12', acquired.pkcs12);
  const dump = openssl(['pkcs12', '-in', file, '-passin', `pass:${acquired.password}`, '-nodes', '-clcerts']);
  assert.equal(dump.status, 0, dump.stderr);
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(dump.stdout)![0];
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(dump.stdout)![0];
  const certificate = new X509Certificate(certificatePem);
  assert.equal(certificate.checkPrivateKey(createPrivateKey(keyPem)), true);
  assert.match(certificate.subject, /CN=12345678903-master01/);
  // The key is the one made in the browser: its public half equals the key pair's.
  const spki = Buffer.from(await crypto.subtle.exportKey('spki', acquired.keyPair.publicKey));
  assert.deepEqual(certificate.publicKey.export({ format: 'der', type: 'spki' }), spki);
  // The friendly name is a BMPString (UTF-16BE), as Windows and NSS read it; OpenSSL 3.0 prints only its ASCII part.
  assert.match(dump.stdout, /friendlyName: .*12345678903-master01/);
  const bmp = Buffer.from('テスト銀行 12345678903-master01', 'utf16le').swap16();
  assert.equal(Buffer.from(acquired.pkcs12).includes(Buffer.concat([Buffer.of(0x1e, bmp.length), bmp])), true);
  assert.equal(acquired.fileName, '12345678903-master01.p12');
});

test('Node loads the PKCS#12 file with its password and authenticates with it to a TLS server that trusts the bank\'s CA', async () => {
  const acquired = await acquireFromTestBank({ userId: 'tls01' });
  const pfx = Buffer.from(acquired.pkcs12);
  tls.createSecureContext({ pfx, passphrase: acquired.password });

  const serverTls = await embeddedTlsCertificate(join(workDir, 'server-tls'), ['localhost'], new Date());
  const server = tls.createServer({ ...serverTls, requestCert: true, rejectUnauthorized: true, ca: authority.certificatePem }, (socket) => {
    socket.end(`hello ${(socket.getPeerCertificate().subject as { CN?: string }).CN}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, pfx, passphrase: acquired.password, rejectUnauthorized: false }, () => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
      });
      socket.on('error', reject);
    });
    assert.equal(greeting, 'hello 12345678903-tls01');
  } finally {
    server.close();
  }
});

test('a wrong password opens nothing: OpenSSL reports the MAC failure and Node refuses the file', async () => {
  const acquired = await acquireFromTestBank();
  const file = writeFile('wrong.p12', acquired.pkcs12);
  const wrong = acquired.password.slice(0, -1) + (acquired.password.endsWith('A') ? 'B' : 'A');
  const info = openssl(['pkcs12', '-info', '-noout', '-in', file, '-passin', `pass:${wrong}`]);
  assert.notEqual(info.status, 0);
  assert.match(info.stderr, /mac verify (failure|error)/i);
  assert.throws(() => tls.createSecureContext({ pfx: Buffer.from(acquired.pkcs12), passphrase: wrong }));
});

test('the request body sent to the bank holds the CSRF token, the certificate request and the replace flag, and no private key material', async () => {
  const acquired = await acquireFromTestBank();
  assert.equal(acquired.bodies.length, 1);
  const body = acquired.bodies[0]!;
  const fields = new URLSearchParams(body);
  assert.deepEqual([...fields.keys()].sort(), ['_csrf', 'csr', 'replace']);
  assert.equal(fields.get('replace'), 'no');

  const jwk = await crypto.subtle.exportKey('jwk', acquired.keyPair.privateKey);
  const scalar = Buffer.from(jwk.d!, 'base64url');
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', acquired.keyPair.privateKey));
  const encodings = [scalar.toString('base64url'), scalar.toString('base64'), scalar.toString('hex'), pkcs8.toString('base64'), pkcs8.toString('hex')];
  for (const text of [body, decodeURIComponent(body.replace(/\+/g, ' '))]) {
    for (const encoding of encodings) assert.equal(text.toLowerCase().includes(encoding.toLowerCase()), false, 'the private key is not in the body');
  }
  // Nor inside the request's DER, in any byte position: only the public key travels.
  const requestDer = Buffer.from(pki.der.fromPem('CERTIFICATE REQUEST', fields.get('csr')!));
  assert.equal(requestDer.includes(scalar), false);
  assert.equal(requestDer.includes(Buffer.from(await crypto.subtle.exportKey('spki', acquired.keyPair.publicKey))), true);
});

test('a certificate for another key than the one made here is refused before any file is built', async () => {
  const other = await pki.request.generateKeyPair();
  const otherSpki = new Uint8Array(await crypto.subtle.exportKey('spki', other.publicKey));
  await assert.rejects(
    pki.acquire.acquireCertificate({
      contractId: '12345678903',
      userId: 'master01',
      friendlyName: 'x',
      csrfToken: 't',
      replace: true,
      messages,
      send: async (body) =>
        jsonResponse(200, { certificatePem: await authority.sign(body.get('csr')!, { publicKeySpki: otherSpki }), authorityCertificatePem: authority.certificatePem }),
    }),
    (error: Error & { code?: string }) => error.code === 'KEY_MISMATCH' && error.message === 'mismatch',
  );
});

test('the bank\'s refusal reaches the page with its code and message; an answer that is not JSON gives the generic message', async () => {
  const base = { contractId: '12345678903', userId: 'master01', friendlyName: 'x', csrfToken: 't', replace: false, messages };
  await assert.rejects(
    pki.acquire.acquireCertificate({ ...base, send: async () => jsonResponse(409, { code: 'CERT_REPLACE_CONFIRM', message: '確認してください' }) }),
    (error: Error & { code?: string }) => error.code === 'CERT_REPLACE_CONFIRM' && error.message === '確認してください',
  );
  await assert.rejects(
    pki.acquire.acquireCertificate({
      ...base,
      send: async () => ({ ok: false, status: 502, headers: { get: () => 'text/html' }, json: async () => ({}) }),
    }),
    (error: Error & { code?: string }) => error.code === 'HTTP_502' && error.message === 'failed',
  );
});

test('the file password is 16 characters of the unambiguous alphabet, and every character of it occurs', () => {
  const { randomPassword, passwordAlphabet, passwordLength } = pki.pkcs12;
  assert.equal(passwordLength, 16);
  assert.doesNotMatch(passwordAlphabet, /[0O1lIo]/);
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const password = randomPassword();
    assert.equal(password.length, 16);
    for (const character of password) {
      assert.ok(passwordAlphabet.includes(character), `unexpected ${character}`);
      seen.add(character);
    }
  }
  assert.equal(seen.size, passwordAlphabet.length);
});
