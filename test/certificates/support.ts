import type { Deps } from '../../src/deps.ts';
import type { Contract, User } from '../../src/db/schema.ts';
import { issueCertificate, certificateCommonName, type IssuedCertificate } from '../../src/modules/certificates/issue.ts';
import { setCertificateRequired } from '../../src/modules/certificates/bank-actions.ts';
import { addUser } from '../helpers/http-app.ts';
import { onboardMaster, type TestPerson } from '../helpers/people.ts';
import { makeCertificateRequest } from './csr.ts';

/** Pieces shared by the certificate tests: people of a contract that uses certificates, and their certificates. */

export async function personOf(deps: Deps, person: TestPerson): Promise<{ user: User; contract: Contract }> {
  const user = await deps.db.selectFrom('users').selectAll().where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
  const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', person.contractId).executeTakeFirstOrThrow();
  return { user, contract };
}

/** R4.2: the bank switches the contract to certificates (the CLI's use case). */
export async function useCertificates(deps: Deps, contractId: string, required = true): Promise<void> {
  await setCertificateRequired(deps, { contractId, required, by: { actor: 'operator:test' } });
}

/** A master (with an email address) and a user of a contract that uses certificates. */
export async function certificateContract(deps: Deps): Promise<{ master: TestPerson; user: TestPerson }> {
  const master = await onboardMaster(deps);
  await deps.db.updateTable('users').set({ email: master.email }).where('contract_id', '=', master.contractId).where('role', '=', 'master').execute();
  const user = await addUser(deps, master.contractId);
  await useCertificates(deps, master.contractId);
  return { master, user };
}

/** R4.3: the person's own request, signed by the bank. */
export async function acquire(
  deps: Deps,
  person: TestPerson,
  options: { replaceExisting?: boolean } = {},
): Promise<IssuedCertificate & { keys: CryptoKeyPair }> {
  const { pem, keys } = await makeCertificateRequest({ commonName: certificateCommonName(person.contractId, person.userId) });
  const issued = await issueCertificate(deps, await personOf(deps, person), pem, { replaceExisting: options.replaceExisting ?? false, ip: '203.0.113.10', userAgent: 'test' });
  return { ...issued, keys };
}
