// Certificate acquisition without the page around it (R4.3), so the same steps run in the browser
// and in Node tests: make the key pair, send only the certificate request, receive the certificate,
// and wrap key and certificate into a password-protected PKCS#12 file.
import { fromPem } from './pki-der.js';
import { buildCertificateRequest, certificatePublicKeyInfo, generateKeyPair, sameBytes } from './pki-request.js';
import { buildPkcs12, randomPassword } from './pki-pkcs12.js';

/** A refusal from the bank ({ code, message } in the person's language) or a failure on this PC. */
export class AcquireError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * @typedef {(body: URLSearchParams) => Promise<{ ok: boolean; status: number; headers: { get(name: string): string | null }; json(): Promise<any> }>} Send
 */

/**
 * @param {{
 *   contractId: string;
 *   userId: string;
 *   friendlyName: string;
 *   csrfToken: string;
 *   replace: boolean;
 *   send: Send;
 *   messages: { failed: string; mismatch: string };
 * }} input
 */
export async function acquireCertificate(input) {
  const keyPair = await generateKeyPair();
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
  const csr = await buildCertificateRequest(keyPair, `${input.contractId}-${input.userId}`);
  // Only these three fields leave the PC: the private key stays in this page's memory.
  const body = new URLSearchParams({ _csrf: input.csrfToken, csr, replace: input.replace ? 'yes' : 'no' });
  const response = await input.send(body);
  const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
  const answer = isJson ? await response.json() : undefined;
  if (!response.ok || !answer || typeof answer.certificatePem !== 'string') {
    const refused = answer && typeof answer.code === 'string' && typeof answer.message === 'string';
    throw refused ? new AcquireError(answer.code, answer.message) : new AcquireError(`HTTP_${response.status}`, input.messages.failed);
  }

  const certificateDer = fromPem('CERTIFICATE', answer.certificatePem);
  // A certificate for another key would install but never log on: refuse it here, with a reason.
  if (!sameBytes(certificatePublicKeyInfo(certificateDer), spki)) throw new AcquireError('KEY_MISMATCH', input.messages.mismatch);
  const authorityCertificateDer =
    typeof answer.authorityCertificatePem === 'string' ? fromPem('CERTIFICATE', answer.authorityCertificatePem) : undefined;

  const password = randomPassword();
  const privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keyPair.privateKey));
  const pkcs12 = await buildPkcs12({ privateKeyPkcs8, certificateDer, authorityCertificateDer, friendlyName: input.friendlyName, password });
  privateKeyPkcs8.fill(0);
  return {
    pkcs12,
    password,
    fileName: `${input.contractId}-${input.userId}.p12`,
    notAfter: String(answer.notAfter ?? ''),
    notAfterShown: String(answer.notAfterShown ?? ''),
    keyPair,
  };
}
