import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * R4.7: what every TLS listener of the service accepts — the portal, the certificate listener and
 * the operator console, all built through `serverTlsOptions`. Node's default list still offers
 * suites a bank should not:
 *
 * - CBC suites (`ECDHE-RSA-AES128-SHA256`, `…-SHA`): MAC-then-encrypt, the root of the padding
 *   oracles (Lucky Thirteen and its kin). Only AEAD ciphers are left: AES-GCM and
 *   ChaCha20-Poly1305.
 * - RSA key exchange (`AES128-GCM-SHA256`): no forward secrecy — whoever gets the server's key later
 *   reads every recorded session. Only ECDHE is left, with a fresh key per connection.
 * - Anything before TLS 1.2.
 *
 * TLS 1.3 has only AEAD suites with forward secrecy. Node takes the TLS 1.3 suites from the same
 * `ciphers` string and turns TLS 1.3 off when the string names none, so they are listed too. Both
 * ECDSA and RSA server certificates are served: the embedded default is ECDSA, a bank's own may be
 * RSA. The order is the usual one (AES-128 first, being as strong in practice and faster); the
 * client's preference among them is followed, as all of them are good.
 */
export const tlsMinVersion = 'TLSv1.2';

export const tls13CipherSuites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

export const tls12CipherSuites = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const tlsPolicy = {
  minVersion: tlsMinVersion,
  ciphers: [...tls13CipherSuites, ...tls12CipherSuites].join(':'),
} as const satisfies TlsOptions;

/** A listener's certificate chain(s) and key(s), PEM; several of different key types may be given. */
export type ServerTlsIdentity = Required<Pick<SecureContextOptions, 'key' | 'cert'>>;

/**
 * The TLS options of a listener: its certificate, any options of its own (asking for a client
 * certificate), and the policy, which comes last so that nothing a listener adds can weaken it.
 */
export function serverTlsOptions(identity: ServerTlsIdentity, own: TlsOptions = {}): TlsOptions {
  return { ...identity, ...own, ...tlsPolicy };
}
