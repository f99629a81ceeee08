import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import type { CertificateAuthority } from '../../db/schema-certificates.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import {
  authorityKeyMatches,
  certificateDer,
  certificateFingerprintSha256,
  createAuthority,
  describeCertificate,
  importAuthorityKey,
  isAuthorityCertificate,
} from '../../pki/x509.ts';

/**
 * R4.1: the bank's certificate authority. On the embedded default it is made at the first start;
 * in production it is the bank's own, from CA_CERT_FILE and CA_KEY_FILE, imported at the first
 * start. Either way its key is kept sealed under the keyring (never in clear in the database), and
 * one row is the active CA (a partial unique index), so processes starting at once agree on one.
 */
export const authorityValidityDays = 3650;

export interface ActiveAuthority {
  id: number;
  certificatePem: string;
  signingKey(): Promise<CryptoKey>;
}

export class AuthorityError extends Error {}

/** The sealed key is bound to its certificate: a key copied next to another CA does not open. */
function keyAssociatedData(certificatePem: string): string {
  return `certificate_authority:${certificateFingerprintSha256(certificateDer(certificatePem))}:key`;
}

function authorityName(deps: Deps): string {
  return `${deps.config.bankName} Corporate IB Client CA`;
}

function active(deps: Deps, row: CertificateAuthority): ActiveAuthority {
  let key: Promise<CryptoKey> | undefined;
  return {
    id: row.id,
    certificatePem: row.certificate_pem,
    async signingKey() {
      key ??= importAuthorityKey(row.certificate_pem, Buffer.from(deps.keyring.open(row.key_sealed, keyAssociatedData(row.certificate_pem)), 'base64'));
      return key;
    },
  };
}

async function storedAuthority(executor: Executor): Promise<CertificateAuthority | undefined> {
  return executor.selectFrom('certificate_authority').selectAll().where('retired_at', 'is', null).executeTakeFirst();
}

/**
 * The active CA. When none exists yet and the caller is not inside a transaction, it is made (or
 * imported) as at start, so a process that skipped ensureAuthority still works.
 */
export async function activeAuthority(deps: Deps, executor: Executor = deps.db): Promise<ActiveAuthority> {
  const row = await storedAuthority(executor);
  if (row) return active(deps, row);
  if (executor.isTransaction) throw new AuthorityError('no certificate authority yet: ensureAuthority runs at start');
  return ensureAuthority(deps);
}

interface Candidate {
  certificatePem: string;
  privateKeyPkcs8: Uint8Array;
  imported: boolean;
}

/** The CA of CA_CERT_FILE / CA_KEY_FILE, checked: a CA certificate with an ECDSA key, and the key that belongs to it. */
function configuredAuthority(deps: Deps): { read(): Promise<Candidate> } | undefined {
  const { caCertFile, caKeyFile } = deps.config;
  if (!caCertFile || !caKeyFile) return undefined;
  return {
    async read() {
      let certificatePem: string;
      let privateKeyPkcs8: Uint8Array;
      try {
        certificatePem = readFileSync(caCertFile, 'utf8').trim() + '\n';
        privateKeyPkcs8 = new Uint8Array(createPrivateKey(readFileSync(caKeyFile, 'utf8')).export({ type: 'pkcs8', format: 'der' }));
      } catch (error) {
        throw new AuthorityError(`CA_CERT_FILE / CA_KEY_FILE cannot be read as PEM: ${(error as Error).message}`);
      }
      if (!isAuthorityCertificate(certificatePem)) throw new AuthorityError('CA_CERT_FILE is not a CA certificate with an ECDSA P-256 or P-384 key');
      let matches = false;
      try {
        matches = await authorityKeyMatches(certificatePem, await importAuthorityKey(certificatePem, privateKeyPkcs8));
      } catch {
        matches = false;
      }
      if (!matches) throw new AuthorityError('CA_KEY_FILE is not the private key of CA_CERT_FILE');
      return { certificatePem, privateKeyPkcs8, imported: true };
    },
  };
}

function sameCertificate(a: string, b: string): boolean {
  return certificateFingerprintSha256(certificateDer(a)) === certificateFingerprintSha256(certificateDer(b));
}

/**
 * Run at start: returns the active CA, making it first when there is none. A configured CA that is
 * not the stored one is an error (the certificates already issued would no longer chain to it).
 */
export async function ensureAuthority(deps: Deps): Promise<ActiveAuthority> {
  const configured = configuredAuthority(deps);
  const stored = await storedAuthority(deps.db);
  if (stored) {
    if (configured) {
      const files = await configured.read();
      if (!sameCertificate(files.certificatePem, stored.certificate_pem)) {
        throw new AuthorityError('CA_CERT_FILE is not the certificate authority stored in the database; the certificates issued so far chain to the stored one');
      }
    }
    return active(deps, stored);
  }
  if (!configured && deps.config.production) throw new AuthorityError('production needs the bank\'s certificate authority: set CA_CERT_FILE and CA_KEY_FILE');
  const now = deps.clock.now();
  const candidate: Candidate = configured
    ? await configured.read()
    : { ...(await createAuthority({ subject: authorityName(deps), now, validityDays: authorityValidityDays })), imported: false };
  const subject = describeCertificate(candidate.certificatePem).subject;
  const inserted = await deps.db.transaction().execute(async (tx) => {
    // Of processes starting at once, one inserts; the others find its row and use it.
    const row = await sql<CertificateAuthority>`
      INSERT INTO certificate_authority (subject, certificate_pem, key_sealed, created_at)
      VALUES (${subject}, ${candidate.certificatePem},
              ${deps.keyring.seal(Buffer.from(candidate.privateKeyPkcs8).toString('base64'), keyAssociatedData(candidate.certificatePem))}, ${now})
      ON CONFLICT DO NOTHING
      RETURNING *`.execute(tx);
    const created = row.rows[0];
    if (created) {
      await recordAudit(tx, {
        at: now,
        contractId: null,
        userRef: null,
        actor: 'system',
        action: candidate.imported ? 'certificate_authority.import' : 'certificate_authority.create',
        outcome: 'success',
        details: { id: created.id, subject, fingerprint: certificateFingerprintSha256(certificateDer(candidate.certificatePem)) },
      });
    }
    return created;
  });
  const winner = inserted ?? (await storedAuthority(deps.db));
  if (!winner) throw new AuthorityError('the certificate authority could not be stored');
  if (configured && !sameCertificate(candidate.certificatePem, winner.certificate_pem)) {
    throw new AuthorityError('CA_CERT_FILE is not the certificate authority stored in the database');
  }
  return active(deps, winner);
}
