import { createAuthority, importAuthorityKey, randomSerialHex, signClientCertificate, verifyCertificateRequest } from '../../src/pki/x509.ts';
import { randomBytes } from 'node:crypto';
import type { SendResponse } from './browser-modules.ts';

/**
 * The bank's side of an acquisition without the HTTP layer, for the browser-crypto tests: the real
 * CSR check and signing of src/pki, with a CA of the test's own.
 */
export interface TestAuthority {
  certificatePem: string;
  /** Checks a request and signs it as the bank would, for the request's own key. */
  sign(csrPem: string, options?: { publicKeySpki?: Uint8Array }): Promise<string>;
}

export async function testAuthority(): Promise<TestAuthority> {
  const now = new Date();
  const authority = await createAuthority({ subject: 'Test Bank Client CA', now, validityDays: 3650 });
  const key = await importAuthorityKey(authority.certificatePem, authority.privateKeyPkcs8);
  return {
    certificatePem: authority.certificatePem,
    async sign(csrPem, options = {}) {
      const checked = await verifyCertificateRequest(csrPem);
      if (!checked.ok) throw new Error(`the test authority refused the request: ${checked.problem}`);
      return signClientCertificate({
        authorityCertificatePem: authority.certificatePem,
        authorityKey: key,
        publicKeySpki: options.publicKeySpki ?? checked.publicKeySpki,
        commonName: checked.subjectCommonName,
        organization: 'Test Bank',
        serialHex: randomSerialHex(randomBytes(16)),
        notBefore: now,
        notAfter: new Date(now.getTime() + 365 * 86_400_000),
        crlUrl: 'https://bank.example/pki/crl',
      });
    },
  };
}

/** A response as fetch() gives it, with a JSON body. */
export function jsonResponse(status: number, body: unknown): SendResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name) => (name.toLowerCase() === 'content-type' ? 'application/json; charset=utf-8' : null) },
    json: async () => body,
  };
}
