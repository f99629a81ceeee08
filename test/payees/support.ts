import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { ApprovalMode } from '../../src/db/schema.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, type TestApp } from '../helpers/http-app.ts';
import { addUserWith } from '../users/helpers.ts';

/** Pieces shared by the payees tests: a contract with people holding each step, forms, snapshots. */

export type Fields = Record<string, string | string[]>;

export interface PayeesWorld {
  master: TestPerson;
  masterClient: Client;
  /** Fund transfer, register step only. */
  clerk: TestPerson & { ref: number };
  /** Fund transfer, approve step only. */
  approverA: TestPerson & { ref: number };
  approverB: TestPerson & { ref: number };
  /** Inquiry only: no transfer business at all. */
  viewer: TestPerson & { ref: number };
}

const limits = { perTransactionLimitYen: 1_000_000n, dailyLimitYen: 2_000_000n };

export async function setApprovalMode(deps: Deps, contractId: string, mode: ApprovalMode): Promise<void> {
  await deps.db.updateTable('contract').set({ approval_mode: mode }).where('id', '=', contractId).execute();
}

/** A contract under the given approval setting, with its master and one person of each kind. */
export async function payeesWorld(t: TestApp, mode: ApprovalMode): Promise<PayeesWorld> {
  const { person: master, client: masterClient } = await activeMaster(t);
  await setApprovalMode(t.deps, master.contractId, mode);
  const clerk = await addUserWith(t.deps, master.contractId, [{ business: 'transfer', register: true, ...limits }]);
  const approverA = await addUserWith(t.deps, master.contractId, [{ business: 'transfer', approve: true, ...limits }]);
  const approverB = await addUserWith(t.deps, master.contractId, [{ business: 'transfer', approve: true, ...limits }]);
  const viewer = await addUserWith(t.deps, master.contractId, [{ business: 'inquiry' }]);
  return { master, masterClient, clerk, approverA, approverB, viewer };
}

export async function loggedOn(t: TestApp, person: TestPerson, ip = '198.51.100.40'): Promise<Client> {
  const client = new Client(t.app, { ip });
  const done = await logon(client, person);
  assert.equal(done.headers.location, '/status', `${person.userId} logs on`);
  await client.get('/status');
  return client;
}

/** A payee of 三菱ＵＦＪ 本店, typed in hiragana as a person would. */
export function payeeFields(overrides: Fields = {}): Fields {
  return {
    bankCode: '0005',
    branchCode: '001',
    accountType: 'ordinary',
    accountNumber: '1234567',
    name: 'やまだしょうじ',
    nickname: '山田商事',
    ...overrides,
  };
}

/** The form step: GET the form for its token, POST it; a good entry goes on to the review. */
export async function submitEntry(client: Client, path: string, fields: Fields): Promise<LightMyRequestResponse> {
  const form = await client.get(path);
  assert.equal(form.statusCode, 200, `GET ${path}: ${errorCode(form.body) ?? ''}`);
  return client.post(path, fields);
}

/** The review step after a good entry: the review page, and its sealed draft. */
export async function openReview(client: Client, entry: LightMyRequestResponse): Promise<{ page: LightMyRequestResponse; location: string; action: string; draft: string }> {
  assert.equal(entry.statusCode, 303, `the entry is accepted: ${errorCode(entry.body) ?? entry.body.slice(0, 200)}`);
  const location = String(entry.headers.location);
  assert.match(location, /^\/payees\/(new|\d+\/change)\/confirm\?draft=/);
  const page = await client.get(location);
  assert.equal(page.statusCode, 200);
  const draft = /name="draft" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(draft, 'the review carries the draft');
  return { page, location, action: location.split('?')[0]!, draft };
}

/** Form, review, confirmation password: the whole registration or change; returns the last answer. */
export async function completeEntry(client: Client, path: string, fields: Fields, confirmationPassword: string): Promise<LightMyRequestResponse> {
  const review = await openReview(client, await submitEntry(client, path, fields));
  return client.post(review.action, { draft: review.draft, confirmationPassword });
}

/** Registers a payee and returns its id and the page it leads to. */
export async function registerPayee(client: Client, person: TestPerson, overrides: Fields = {}): Promise<{ id: number; location: string }> {
  const done = await completeEntry(client, '/payees/new', payeeFields(overrides), person.confirmationPassword);
  assert.equal(done.statusCode, 303, `registered: ${errorCode(done.body) ?? ''}`);
  const location = String(done.headers.location);
  const id = /^\/payees\/(\d+)\?done=/.exec(location)?.[1];
  assert.ok(id, location);
  return { id: Number(id), location };
}

/** GET an action page for its token, then POST it. */
export async function act(client: Client, payeeId: number, action: 'approve' | 'reject' | 'withdraw' | 'delete', fields: Fields): Promise<LightMyRequestResponse> {
  await client.get(`/payees/${payeeId}`);
  return client.post(`/payees/${payeeId}/${action}`, fields);
}

export async function payeeRow(deps: Deps, id: number) {
  return deps.db.selectFrom('payee').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Everything a payee change could touch in a contract: its payees, their approvals, the contract's
 * settings and the whole outbox. The audit trail is left out (a refusal is recorded there), and so is
 * the person's attempt counter (a wrong confirmation password counts, R2.3).
 */
export async function payeesState(deps: Deps, contractId: string): Promise<unknown> {
  const payees = await deps.db.selectFrom('payee').selectAll().where('contract_id', '=', contractId).orderBy('id').execute();
  const approvals = await deps.db
    .selectFrom('payee_approval')
    .selectAll()
    .where('payee_id', 'in', [0, ...payees.map((p) => p.id)])
    .orderBy('payee_id')
    .orderBy('approved_by')
    .execute();
  const contract = await deps.db.selectFrom('contract').select(['approval_mode', 'result_email_to']).where('id', '=', contractId).executeTakeFirstOrThrow();
  const outbox = await deps.db.selectFrom('outbox').select('id').orderBy('id').execute();
  return { payees, approvals, contract, outbox: outbox.map((row) => String(row.id)) };
}

/** The payee notices an address received (subject of every security notice, the payee line in the body). */
export async function payeeMails(deps: Deps, recipient: string): Promise<string[]> {
  // Approval requests [承認依頼] name the kind 振込先 too; they are not notices of a change.
  const rows = await deps.db
    .selectFrom('outbox')
    .select('body')
    .where('recipient', '=', recipient)
    .where('body', 'like', '%振込先%')
    .where('subject', 'not like', '承認依頼%')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.body);
}

export async function auditActions(deps: Deps, contractId: string, prefix: string): Promise<{ action: string; outcome: string; reason: string | null; details: Record<string, unknown> }[]> {
  return deps.db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'reason', 'details'])
    .where('contract_id', '=', contractId)
    .where('action', 'like', `${prefix}%`)
    .orderBy('id')
    .execute();
}
