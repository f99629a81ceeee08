/**
 * The browser's certificate modules (src/web/static/pki-*.js), loaded in Node as they are served:
 * plain ES modules on WebCrypto (globalThis.crypto.subtle), with the types the tests rely on.
 */

export interface AcquireResult {
  pkcs12: Uint8Array<ArrayBuffer>;
  password: string;
  fileName: string;
  notAfter: string;
  /** The last day as the page shows it, written by the server. */
  notAfterShown: string;
  keyPair: CryptoKeyPair;
}

export interface SendResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

export interface AcquireInput {
  contractId: string;
  userId: string;
  friendlyName: string;
  csrfToken: string;
  replace: boolean;
  send(body: URLSearchParams): Promise<SendResponse>;
  messages: { failed: string; mismatch: string };
}

export interface BrowserPki {
  der: {
    integer(value: Uint8Array | number): Uint8Array<ArrayBuffer>;
    tlv(tag: number, contents: Uint8Array): Uint8Array<ArrayBuffer>;
    set(...elements: Uint8Array[]): Uint8Array<ArrayBuffer>;
    fromPem(label: string, pem: string): Uint8Array<ArrayBuffer>;
  };
  request: {
    generateKeyPair(): Promise<CryptoKeyPair>;
    buildCertificateRequest(keyPair: CryptoKeyPair, commonName: string): Promise<string>;
    ecdsaSignatureToDer(raw: Uint8Array): Uint8Array<ArrayBuffer>;
  };
  pkcs12: {
    buildPkcs12(input: {
      privateKeyPkcs8: Uint8Array;
      certificateDer: Uint8Array;
      authorityCertificateDer?: Uint8Array;
      friendlyName: string;
      password: string;
    }): Promise<Uint8Array<ArrayBuffer>>;
    randomPassword(length?: number): string;
    passwordAlphabet: string;
    passwordLength: number;
    keyEncryptionIterations: number;
    macIterations: number;
  };
  acquire: {
    acquireCertificate(input: AcquireInput): Promise<AcquireResult>;
    AcquireError: new (code: string, message: string) => Error & { code: string };
  };
}

const staticDir = new URL('../../src/web/static/', import.meta.url);

export async function loadBrowserPki(): Promise<BrowserPki> {
  const load = (name: string): Promise<unknown> => import(new URL(name, staticDir).href);
  const [der, request, pkcs12, acquire] = await Promise.all([
    load('pki-der.js'),
    load('pki-request.js'),
    load('pki-pkcs12.js'),
    load('pki-acquire.js'),
  ]);
  return { der, request, pkcs12, acquire } as BrowserPki;
}
