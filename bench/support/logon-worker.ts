import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import { expectedAnswer } from '../../src/auth/grid-card.ts';
import { Client } from '../../test/helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../../test/helpers/people.ts';

/** The four requests of one complete logon, in the order a browser sends them. */
export const logonSteps = ['GET /logon', 'POST /logon', 'GET /logon/grid', 'POST /logon/grid'] as const;
export type LogonStep = (typeof logonSteps)[number];

/** Wraps each request of a logon, to time it or to tag the work done inside it. */
export type StepObserver = <T>(step: LogonStep, request: () => Promise<T>) => Promise<T>;
const unobserved: StepObserver = (_step, request) => request();

/**
 * One person logging on again and again through app.inject(), as a browser would: the logon page,
 * the password, the grid page, the answer read from the card. Kept lean (no page parsing beyond the
 * CSRF token and the cell names) because the client shares the process with the service.
 */
export class LogonWorker {
  readonly #app: FastifyInstance;
  readonly #person: TestPerson;
  readonly #ip: string;
  readonly #cookies = new Map<string, string>();

  constructor(app: FastifyInstance, person: TestPerson, ip: string) {
    this.#app = app;
    this.#person = person;
    this.#ip = ip;
  }

  /** A complete logon. Throws unless it lands on /status. */
  async logon(observe: StepObserver = unobserved): Promise<void> {
    const send = async (step: LogonStep, run: () => Promise<LightMyRequestResponse>, status: number) => {
      const response = await observe(step, run);
      if (response.statusCode !== status) throw new Error(`${step}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      this.#remember(response);
      return response;
    };
    const page = await send('GET /logon', () => this.#get('/logon'), 200);
    const person = this.#person;
    const credentials = { contractId: person.contractId, userId: person.userId, password: person.loginPassword, _csrf: csrfOf(page) };
    await send('POST /logon', () => this.#post('/logon', credentials), 303);
    const grid = await send('GET /logon/grid', () => this.#get('/logon/grid'), 200);
    const cells = [...grid.body.matchAll(/<span class="cell-name">([A-H][1-6])<\/span>/g)].map((m) => m[1]!);
    const answer = expectedAnswer(person.digits, cells);
    const fields: Record<string, string> = { _csrf: csrfOf(grid) };
    [...answer].forEach((digit, i) => (fields[`cell${i}`] = digit));
    const done = await send('POST /logon/grid', () => this.#post('/logon/grid', fields), 303);
    if (done.headers.location !== '/status') throw new Error(`logon ended at ${String(done.headers.location)}`);
  }

  /** The Cookie header a browser of this person sends now: after logon() it carries the live session. */
  cookieHeader(): string {
    return this.#cookieHeader();
  }

  #remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string }[]) {
      if (cookie.value === '') this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #get(url: string) {
    return this.#app.inject({ method: 'GET', url, headers: { cookie: this.#cookieHeader() }, remoteAddress: this.#ip });
  }

  #post(url: string, fields: Record<string, string>) {
    return this.#app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
      remoteAddress: this.#ip,
    });
  }
}

function csrfOf(page: LightMyRequestResponse): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error('page without a CSRF token');
  return token;
}

/**
 * One master per worker, onboarded by the operator's use case and through the first logon (R1.3),
 * so that every later logon is a normal one. Each worker gets its own address, as separate
 * customers would: the per-address logon rate limit is a row each, not one row they all queue on.
 */
export async function readyWorkers(app: FastifyInstance, deps: Deps, count: number): Promise<LogonWorker[]> {
  const workers: LogonWorker[] = [];
  for (let i = 0; i < count; i++) {
    const ip = `198.51.100.${i + 1}`;
    const person = await onboardMaster(deps, { userId: `bench${i + 1}` });
    await completeFirstLogon(new Client(app, { ip }), deps, person);
    workers.push(new LogonWorker(app, person, ip));
  }
  return workers;
}
