import type { HardwareToken } from '../../db/schema-tokens.ts';
import type { TotpParameters } from '../../auth/token-totp.ts';

/**
 * A token's secret is sealed with the keyring (AES-256-GCM) the moment it is read from the vendor's
 * file, with its serial as associated data: a sealed secret copied onto another token's row does not
 * open (house rule 7).
 */
export function tokenSecretAssociatedData(serial: string): string {
  return `hardware-token:${serial}`;
}

export function totpParametersOf(token: Pick<HardwareToken, 'hash' | 'digits' | 'step_seconds'>): TotpParameters {
  return { hash: token.hash, digits: token.digits, stepSeconds: token.step_seconds };
}
