import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { Client } from '../helpers/client.ts';
import { gridAnswerFields, type TestPerson } from '../helpers/people.ts';
import type { BrowserPki } from './browser-modules.ts';

/** Pieces of the acquisition tests over app.inject: the contract switch, the acquisition logon, the request. */

export const acquirePath = '/certificate/acquire';
export const acquisitionLogonPath = '/logon/certificate';

/** R4.2: the bank switches the contract to certificates (the operator's use case, reduced to its effect). */
export async function requireCertificates(deps: Deps, contractId: string, required = true): Promise<void> {
  await deps.db.updateTable('contract').set({ certificate_required: required }).where('id', '=', contractId).execute();
}

/** 電子証明書の取得・更新 on the logon page: IDs and password, then the grid card (R4.3). */
export async function acquisitionLogon(client: Client, person: TestPerson): Promise<LightMyRequestResponse> {
  await client.get(acquisitionLogonPath);
  const first = await client.post(acquisitionLogonPath, { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  assert.equal(first.statusCode, 303, `acquisition logon, password step: ${first.body.slice(0, 300)}`);
  assert.equal(first.headers.location, '/logon/grid');
  const grid = await client.get('/logon/grid');
  const done = await client.post('/logon/grid', gridAnswerFields(grid.body, person.digits));
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, acquirePath);
  return client.get(acquirePath);
}

export interface AcquireAnswer {
  status: number;
  json: { certificatePem?: string; authorityCertificatePem?: string; notAfter?: string; notAfterShown?: string; code?: string; message?: string };
  response: LightMyRequestResponse;
}

/** POSTs as the page's script does: form-encoded `_csrf`, `csr` and `replace`. */
export async function postRequest(client: Client, csr: string, options: { replace?: boolean; csrf?: string | null } = {}): Promise<AcquireAnswer> {
  const response = await client.post(acquirePath, { csr, replace: options.replace ? 'yes' : 'no' }, { csrf: options.csrf });
  assert.match(String(response.headers['content-type']), /^application\/json/, `a JSON answer: ${response.body.slice(0, 200)}`);
  return { status: response.statusCode, json: response.json(), response };
}

/** A request as the browser's script makes it, for `commonName`. */
export async function browserRequest(pki: BrowserPki, commonName: string): Promise<{ pem: string; keys: CryptoKeyPair }> {
  const keys = await pki.request.generateKeyPair();
  return { pem: await pki.request.buildCertificateRequest(keys, commonName), keys };
}

export async function certificatesOf(deps: Deps, person: TestPerson) {
  return deps.db
    .selectFrom('client_certificate')
    .innerJoin('users', 'users.id', 'client_certificate.user_ref')
    .select(['client_certificate.id', 'client_certificate.serial_hex', 'client_certificate.revoked_at', 'client_certificate.revocation_reason', 'client_certificate.not_after'])
    .where('users.contract_id', '=', person.contractId)
    .where('users.user_id', '=', person.userId)
    .orderBy('client_certificate.id')
    .execute();
}
