import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Client } from '../helpers/client.ts';
import { gridAnswerFields, type TestPerson } from '../helpers/people.ts';

/** The address of the TLS-terminating proxy the certificate listener trusts in these tests. */
export const proxyAddress = '127.0.0.1';
export const proxyEnv = { CLIENT_CERT_SOURCE: 'proxy', TRUSTED_PROXIES: proxyAddress };

/**
 * A browser behind the bank's TLS-terminating proxy (docs/operations.md): the proxy verifies the
 * client certificate and forwards it URL-encoded in `x-ssl-client-cert`, as nginx's
 * `$ssl_client_escaped_cert` does. Cookies and CSRF tokens are kept as the ordinary test client does.
 */
export class ProxiedClient extends Client {
  readonly certificatePem: string | undefined;

  constructor(app: FastifyInstance, certificatePem: string | undefined) {
    super(app, { ip: proxyAddress });
    this.certificatePem = certificatePem;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '), ...extra };
    if (this.certificatePem) headers['x-ssl-client-cert'] = encodeURIComponent(this.certificatePem);
    return headers;
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date }[]) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if (String(response.headers['content-type'] ?? '').startsWith('text/html')) {
      this.lastPage = response.body;
      const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
      if (token) this.csrf = token[1];
    }
    return response;
  }

  override async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: this.headers(), remoteAddress: this.ip }));
  }

  override async post(url: string, fields: Record<string, string | string[]>, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf !== null && csrf !== undefined) body.append('_csrf', csrf);
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        payload: body.toString(),
        remoteAddress: this.ip,
      }),
    );
  }
}

/** A certificate logon: password, then the grid card, presenting the certificate throughout. */
export async function certificateLogon(client: ProxiedClient, person: TestPerson): Promise<LightMyRequestResponse> {
  await client.get('/logon');
  const first = await client.post('/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword });
  if (first.statusCode !== 303) return first;
  const grid = await client.get('/logon/grid');
  return client.post('/logon/grid', gridAnswerFields(grid.body, person.digits));
}
