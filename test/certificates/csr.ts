import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type TestKeyKind = 'P-256' | 'P-384' | 'P-521' | 'RSA-1024' | 'RSA-2048';

/** A key pair as a browser makes it with WebCrypto (extractable, for PKCS#12 in the e2e tests). */
export async function generateClientKeys(kind: TestKeyKind = 'P-256'): Promise<CryptoKeyPair> {
  if (kind.startsWith('RSA-')) {
    const modulusLength = Number(kind.slice(4));
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  }
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: kind }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function signingAlgorithmOf(keys: CryptoKeyPair): Algorithm | EcdsaParams {
  const name = keys.privateKey.algorithm.name;
  return name === 'ECDSA' ? { name, hash: 'SHA-256' } as EcdsaParams : { name, hash: 'SHA-256' } as Algorithm;
}

/**
 * A PKCS#10 request in PEM for `commonName`. `signWith` makes a request that names `keys`' public
 * key but is signed by another private key (a forged proof of possession).
 */
export async function makeCertificateRequest(options: { commonName?: string; subject?: string; keys?: CryptoKeyPair; signWith?: CryptoKeyPair } = {}): Promise<{ pem: string; keys: CryptoKeyPair }> {
  const keys = options.keys ?? (await generateClientKeys());
  const signer = options.signWith ?? keys;
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: options.subject ?? [{ CN: [options.commonName ?? 'test'] }],
    keys: { publicKey: keys.publicKey, privateKey: signer.privateKey },
    signingAlgorithm: signingAlgorithmOf(signer),
  });
  return { pem: request.toString('pem'), keys };
}
