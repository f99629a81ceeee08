import type { Deps } from '../../deps.ts';
import { certificateDer, createCrl } from '../../pki/x509.ts';
import { activeAuthority } from './authority.ts';

/**
 * R4.5: the CA publishes the serials it revoked, signed, at `${publicUrl}/pki/crl` (named in every
 * certificate it issues). The portal itself does not rely on it: a logon looks the certificate up
 * in the database, where a revocation counts at once. The list is for anyone else who checks.
 */
export const crlNextUpdateSeconds = 3600;
/** How long a browser or proxy may keep the list: short, as a revocation should be seen soon. */
export const crlCacheSeconds = 300;

export async function currentCrl(deps: Deps): Promise<Uint8Array<ArrayBuffer>> {
  const authority = await activeAuthority(deps);
  const revoked = await deps.db
    .selectFrom('client_certificate')
    .select(['serial_hex', 'revoked_at'])
    .where('authority_id', '=', authority.id)
    .where('revoked_at', 'is not', null)
    .orderBy('revoked_at')
    .orderBy('id')
    .execute();
  const now = deps.clock.now();
  return createCrl({
    authorityCertificatePem: authority.certificatePem,
    authorityKey: await authority.signingKey(),
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + crlNextUpdateSeconds * 1000),
    revoked: revoked.map((row) => ({ serialHex: row.serial_hex, revokedAt: row.revoked_at! })),
  });
}

/** The CA certificate in DER, for installing or for checking a chain. */
export async function authorityCertificateDer(deps: Deps): Promise<Uint8Array<ArrayBuffer>> {
  return certificateDer((await activeAuthority(deps)).certificatePem);
}
