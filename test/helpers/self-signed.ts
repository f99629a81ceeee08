import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * A key and a self-signed certificate for 127.0.0.1, valid for a day, in PEM, for tests that start
 * listeners of their own: ECDSA P-256 unless another algorithm is asked for (RSA, to show a cipher
 * suite is refused by the policy and not for want of a matching certificate).
 */
export async function selfSigned(
  algorithm: RsaHashedKeyGenParams | EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' },
  signing: Algorithm = { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
): Promise<{ key: string; cert: string }> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=localhost',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: signing,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`, cert: cert.toString('pem') };
}
