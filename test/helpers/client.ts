import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser-like client over `app.inject()`: it keeps cookies, remembers the CSRF token of the last
 * page it received, follows nothing by itself, and sends forms URL-encoded as a browser does.
 */
export class Client {
  readonly app: FastifyInstance;
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  ip: string;
  lastPage = '';

  constructor(app: FastifyInstance, options: { ip?: string } = {}) {
    this.app = app;
    this.ip = options.ip ?? '203.0.113.10';
  }

  /** Takes the cookies and the CSRF token of an answer received some other way (a fuzz's own request). */
  remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if ((response.headers['content-type'] ?? '').toString().startsWith('text/html')) {
      this.lastPage = response.body;
      const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
      if (token) this.csrf = token[1];
    }
    return response;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() }, remoteAddress: this.ip }),
    );
  }

  /** Posts a form. The page's CSRF token is added unless `csrf` says otherwise (null: none at all). */
  async post(url: string, fields: Record<string, string | string[]>, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf !== null && csrf !== undefined) body.append('_csrf', csrf);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
        remoteAddress: this.ip,
      }),
    );
  }

  /** GET the form page (for its token), then POST to it. */
  async submit(url: string, fields: Record<string, string | string[]>, formPage = url): Promise<LightMyRequestResponse> {
    await this.get(formPage);
    return this.post(url, fields);
  }
}

/** The error code a page shows, or undefined: tests assert codes, not message text. */
export function errorCode(body: string): string | undefined {
  return /data-code="([A-Z_]+)"/.exec(body)?.[1];
}
