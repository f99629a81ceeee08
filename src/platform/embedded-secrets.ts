import 'reflect-metadata'; // @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs it
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { addDaysTo } from '../domain/tokyo-time.ts';
import type { Random } from './random.ts';

/**
 * For the embedded default only (never in production, which refuses to start without configured
 * secrets): the encryption key and a self-signed TLS certificate are made on first run and kept in
 * the data folder, readable by its owner alone.
 */
export function embeddedKeyringSpec(dataDir: string, random: Random): string {
  const file = join(dataDir, 'secrets', 'encryption-keys');
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(file, `1:${random.bytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

const selfSignedValidityDays = 365;

export async function embeddedTlsCertificate(dataDir: string, hostNames: string[], now: Date): Promise<{ key: string; cert: string }> {
  const dir = join(dataDir, 'tls');
  const keyFile = join(dir, 'server.key');
  const certFile = join(dir, 'server.crt');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pem = await selfSignedCertificate(hostNames, now);
    writeFileSync(keyFile, pem.key, { mode: 0o600 });
    writeFileSync(certFile, pem.cert, { mode: 0o644 });
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

async function selfSignedCertificate(hostNames: string[], now: Date): Promise<{ key: string; cert: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ips = hostNames.filter((h) => /^[\d.]+$/.test(h) || h.includes(':'));
  const dns = hostNames.filter((h) => !ips.includes(h));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto.getRandomValues(new Uint8Array(8)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '01'),
    name: `CN=${dns[0] ?? 'localhost'}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: addDaysTo(now, selfSignedValidityDays),
    signingAlgorithm: algorithm,
    keys: keys as CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...dns.map((value) => ({ type: 'dns' as const, value })), ...ips.map((value) => ({ type: 'ip' as const, value }))]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
  return { key, cert: cert.toString('pem') };
}
