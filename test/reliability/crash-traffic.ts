import type { Deps } from '../../src/deps.ts';
import { errorCode } from '../helpers/client.ts';
import { gridAnswerFields, lastOneTimePassword, otpAddressOf, type TestPerson } from '../helpers/people.ts';
import { HttpsClient, type HttpsAnswer } from '../helpers/https-client.ts';
import { CutOff, triesMax, type Cluster } from './crash-cluster.ts';
import { newKey, type Approval, type Confirmation, type Round } from './crash-world.ts';

/**
 * What the people of the crash scenario do, over real HTTPS through the balancer, as a browser
 * does it: a form cut off by a dead process is sent again as it was (the same idempotency key,
 * R8.6); a logon cut off anywhere starts again from the logon page, in a new browser.
 */
export interface Browsers {
  all: HttpsClient[];
}

export function browser(browsers: Browsers): HttpsClient {
  const client = new HttpsClient();
  browsers.all.push(client);
  return client;
}

/** An answer the scenario did not expect: the request was not carried out as asked. */
export class Refused extends Error {
  constructor(what: string, answer: HttpsAnswer) {
    super(`${what}: ${answer.status} ${answer.location ?? errorCode(answer.body) ?? answer.body.slice(0, 200)}`);
  }
}

/** R3.1: password, then grid card; the client is left logged on, holding a page of its session (its CSRF token). */
async function logOnOnce(cluster: Cluster, client: HttpsClient, person: TestPerson, only?: number): Promise<void> {
  await cluster.once('logon', (base) => client.get(base, '/logon'), only);
  const password = await cluster.once('logon', (base) => client.post(base, '/logon', { contractId: person.contractId, userId: person.userId, password: person.loginPassword }), only);
  if (password.location !== '/logon/grid') throw new Refused(`${person.userId}: password step`, password);
  const grid = await cluster.once('logon', (base) => client.get(base, '/logon/grid'), only);
  if (grid.status !== 200) throw new Refused(`${person.userId}: grid page`, grid);
  const done = await cluster.once('logon', (base) => client.post(base, '/logon/grid', gridAnswerFields(grid.body, person.digits)), only);
  if (done.location !== '/status') throw new Refused(`${person.userId}: grid step`, done);
  const page = await cluster.once('page', (base) => client.get(base, '/status'), only);
  if (page.status !== 200) throw new Refused(`${person.userId}: status page`, page);
}

/**
 * A logon through the balancer (or through one process, `only`); cut off, it starts again in a new
 * browser. Returns the browser that holds the session.
 */
export async function logOn(cluster: Cluster, browsers: Browsers, person: TestPerson, only?: number): Promise<HttpsClient> {
  for (let tries = 1; ; tries++) {
    const client = browser(browsers);
    try {
      await logOnOnce(cluster, client, person, only);
      return client;
    } catch (error) {
      if (!(error instanceof CutOff) || tries >= triesMax) throw error;
    }
  }
}

/**
 * R5.2: each transfer form filled in and its one-time password sent, in the browser's session
 * (which seals the draft), through the process `only`; the code is read from the person's mail.
 */
export async function drafts(cluster: Cluster, deps: Deps, client: HttpsClient, forms: Round['transferForms'], only: number): Promise<Confirmation[]> {
  const made: Confirmation[] = [];
  for (const { person, amountYen, fields } of forms) {
    const form = await cluster.once('page', (base) => client.post(base, '/transfers/new', fields), only);
    const draft = /^\/transfers\/confirm\?draft=([A-Za-z0-9._-]+)$/.exec(form.location ?? '')?.[1];
    if (!draft) throw new Refused(`a draft for ${person.userId}`, form);
    const key = newKey();
    const sent = await cluster.once('page', (base) => client.post(base, '/transfers/confirm/otp', { draft, idempotencyKey: key }), only);
    if (sent.status !== 303) throw new Refused(`the one-time password for ${person.userId}`, sent);
    made.push({ person, draft, key, otp: await lastOneTimePassword(deps, otpAddressOf(person)), amountYen });
  }
  return made;
}

const createdLocation = /^\/transfers\/(\d+)\?done=created$/;

/** R8.6: the confirmation, sent until a process answers it; returns where it leads (the transfer). */
export async function confirm(cluster: Cluster, client: HttpsClient, request: Confirmation): Promise<string> {
  const answer = await cluster.call('confirmation', (base) =>
    client.post(base, '/transfers/confirm', { draft: request.draft, idempotencyKey: request.key, confirmationPassword: request.person.confirmationPassword, otp: request.otp }),
  );
  if (!createdLocation.test(answer.location ?? '')) throw new Refused(`confirmation ${request.key}`, answer);
  return answer.location!;
}

/** R8.5: the approval (which sends: the approver holds the send step), sent until a process answers it; first to `sticky`. */
export async function approve(cluster: Cluster, client: HttpsClient, approver: TestPerson, request: Approval, sticky?: number): Promise<string> {
  const id = request.transferId.toString();
  const answer = await cluster.call(
    'approval',
    (base) => client.post(base, `/transfers/${id}/approve`, { idempotencyKey: request.key, confirmationPassword: approver.confirmationPassword, otp: request.otp }),
    sticky,
  );
  if (answer.location !== `/transfers/${id}?done=approved`) throw new Refused(`approval of ${id}`, answer);
  return answer.location;
}

/** Whether the browser's session is live on the process `only`. */
export async function sessionLives(cluster: Cluster, client: HttpsClient, only: number): Promise<boolean> {
  const status = await cluster.once('page', (base) => client.get(base, '/status'), only);
  return status.status === 200;
}

/** Runs `work` over the items with at most `parallel` at once, as a person with several tabs open. */
export async function inParallel<T>(items: readonly T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  const pending = [...items];
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) await work(next);
    }),
  );
}
