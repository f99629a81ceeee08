import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpsAnswer {
  status: number;
  location: string | undefined;
  body: string;
  headers: IncomingHttpHeaders;
}

/** The client certificate and key a browser would present, both PEM. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/**
 * The one browser-like client over real HTTPS of the tests, for service processes and listeners a
 * test starts: it may hold a client certificate (the certificate listener, R4.1) and add headers to
 * every request (a proxy's). Like a browser it keeps one cookie jar per host whatever the port, so
 * a cookie set by one process or listener is sent to the other. The self-signed certificate of a
 * test data folder is accepted.
 */
export class HttpsClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  lastPage = '';
  readonly headers: Record<string, string>;
  readonly #agent: https.Agent;

  /** `keepAlive`: connections are kept open between requests, as a browser or a load balancer keeps them. */
  constructor(options: { identity?: TlsIdentity; headers?: Record<string, string>; keepAlive?: boolean } = {}) {
    this.#agent = new https.Agent({ rejectUnauthorized: false, keepAlive: options.keepAlive ?? false, ...(options.identity ?? {}) });
    this.headers = options.headers ?? {};
  }

  get(base: string, path: string): Promise<HttpsAnswer> {
    return this.#send(base, 'GET', path);
  }

  /** Posts a form with the last page's CSRF token unless `csrf` says otherwise. */
  post(base: string, path: string, fields: Record<string, string>, options: { csrf?: string } = {}): Promise<HttpsAnswer> {
    const body = new URLSearchParams(fields);
    const csrf = options.csrf ?? this.csrf;
    if (csrf) body.append('_csrf', csrf);
    return this.#send(base, 'POST', path, body.toString());
  }

  /** The session cookie, to replay it from another client. */
  get sessionCookie(): string | undefined {
    return this.cookies.get('__Host-sid');
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(base: string, method: string, path: string, form?: string): Promise<HttpsAnswer> {
    const headers: Record<string, string> = { ...this.headers };
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.cookie = cookie;
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(form));
    }
    return new Promise((resolve, reject) => {
      // Whether the request went out: a connection refused, or cut before its TLS session was
      // established, never carried it (a balancer sends it elsewhere); one that carried it, and then
      // failed, leaves the request unanswered.
      let connected = false;
      const fail = (error: Error) => reject(Object.assign(error, { requestSent: connected }));
      const request = https.request(new URL(path, base), { method, headers, agent: this.#agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          this.#remember(response.headers['set-cookie'] ?? []);
          const body = Buffer.concat(chunks).toString('utf8');
          if (String(response.headers['content-type'] ?? '').startsWith('text/html')) {
            this.lastPage = body;
            const token = /name="_csrf" value="([^"]+)"/.exec(body);
            if (token) this.csrf = token[1];
          }
          const location = response.headers.location;
          resolve({ status: response.statusCode ?? 0, location: typeof location === 'string' ? location : undefined, body, headers: response.headers });
        });
      });
      request.on('socket', (socket) => {
        if (request.reusedSocket) connected = true;
        else socket.once('secureConnect', () => (connected = true));
      });
      request.on('error', fail);
      request.end(form);
    });
  }

  #remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expires = attributes.map((a) => /^\s*expires=(.*)$/i.exec(a)?.[1]).find(Boolean);
      const maxAge = attributes.map((a) => /^\s*max-age=(-?\d+)$/i.exec(a)?.[1]).find(Boolean);
      const gone = value === '' || (expires !== undefined && Date.parse(expires) < Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0);
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** Whether a failed request had gone out on an established connection (see HttpsClient's send). */
export function requestSent(error: unknown): boolean {
  return (error as { requestSent?: unknown })?.requestSent === true;
}
