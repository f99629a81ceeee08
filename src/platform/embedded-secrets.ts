import 'reflect-metadata'; // @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs it
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { addDaysTo } from '../domain/tokyo-time.ts';
import type { Random } from './random.ts';
import { dataDirFailure, writeFileWhole } from './data-dir.ts';

/**
 * For the embedded default only (never in production, which refuses to start without configured
 * secrets): the encryption key and a self-signed TLS certificate are made on first run and kept in
 * the data folder, readable by its owner alone. What the key's making adds to the folder is named
 * in `made`, so a start that fails afterwards can leave the folder as it found it.
 */
export function embeddedKeyringSpec(dataDir: string, random: Random, made: string[] = []): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, 'encryption-keys');
  if (!existsSync(file)) {
    try {
      const madeDir = mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (madeDir) made.push(madeDir);
      // Whole or not at all: a truncated key file would be read as a key at the next start.
      writeFileWhole(file, `1:${random.bytes(32).toString('base64')}\n`, { mode: 0o600, exclusive: true });
      if (!madeDir) made.push(file);
    } catch (error) {
      throw dataDirFailure('write the encryption key', dir, error);
    }
  }
  return readFileSync(file, 'utf8').trim();
}

const selfSignedValidityDays = 365;

export async function embeddedTlsCertificate(dataDir: string, hostNames: string[], now: Date): Promise<{ key: string; cert: string }> {
  const dir = join(dataDir, 'tls');
  const keyFile = join(dir, 'server.key');
  const certFile = join(dir, 'server.crt');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    const pem = await selfSignedCertificate(hostNames, now);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Each whole or not at all; a pair left half made is made again at the next start.
      writeFileWhole(keyFile, pem.key, { mode: 0o600 });
      writeFileWhole(certFile, pem.cert, { mode: 0o644 });
    } catch (error) {
      throw dataDirFailure('write the TLS certificate', dir, error);
    }
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
