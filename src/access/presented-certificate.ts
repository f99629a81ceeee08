import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import { certificateFingerprintSha256 } from '../pki/x509.ts';
import { allowListOf } from './allow-list.ts';

/**
 * Where the client certificate of a request comes from (R4.1). Only the certificate listener has
 * one: the ordinary listener never asks for it and never believes a header claiming one.
 * - `tls`: the certificate the browser presented in this connection's TLS handshake;
 * - `proxy`: the one a TLS-terminating proxy forwards in a header (nginx `$ssl_client_escaped_cert`,
 *   URL-encoded PEM), believed only when the connection comes from a configured proxy address.
 * Nothing here says the certificate is good: presented.ts checks it against the bank's CA and table.
 */
export function presentedCertificateDer(deps: Deps, request: FastifyRequest): Uint8Array | undefined {
  if (!request.certificateListener) return undefined;
  return deps.config.clientCertSource === 'proxy' ? fromProxyHeader(deps.config, request) : fromTlsHandshake(request);
}

/** SHA-256 of the presented certificate (lower-case hex), as session binding compares it; undefined: none. */
export function presentedFingerprint(deps: Deps, request: FastifyRequest): string | undefined {
  const der = presentedCertificateDer(deps, request);
  return der ? certificateFingerprintSha256(der) : undefined;
}

function fromTlsHandshake(request: FastifyRequest): Uint8Array | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  // Asked for every request, not remembered per connection: a renegotiation may change it.
  const peer = socket.getPeerCertificate();
  return peer?.raw && peer.raw.length > 0 ? new Uint8Array(peer.raw) : undefined;
}

const proxyMatchers = new WeakMap<Config, (ip: string) => boolean>();

function isTrustedProxy(config: Config, ip: string): boolean {
  let matcher = proxyMatchers.get(config);
  if (!matcher) {
    matcher = allowListOf(config.trustedProxies) ?? (() => false);
    proxyMatchers.set(config, matcher);
  }
  return matcher(ip);
}

function fromProxyHeader(config: Config, request: FastifyRequest): Uint8Array | undefined {
  const header = request.headers[config.clientCertHeader];
  if (header === undefined) return undefined;
  // The socket's own address, never X-Forwarded-For: the header is believed from the proxy alone.
  const peer = request.raw.socket.remoteAddress ?? '';
  if (!isTrustedProxy(config, peer)) {
    request.log.warn({ peer, header: config.clientCertHeader }, 'client certificate header from an address that is not a trusted proxy: ignored');
    return undefined;
  }
  // nginx sends an empty value when the browser presented no certificate.
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  let pem: string;
  try {
    pem = decodeURIComponent(header);
  } catch {
    pem = header;
  }
  const body = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem)?.[1];
  // A header that is not a PEM certificate is still a presented certificate, one that is not ours.
  if (!body) return new Uint8Array(Buffer.from(pem, 'utf8'));
  return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}
