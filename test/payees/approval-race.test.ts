import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, onPostgres, type TestDatabase } from '../helpers/database.ts';
import type { Client } from '../helpers/client.ts';
import { startApp, type TestApp } from '../helpers/http-app.ts';
import { addUserWith } from '../users/helpers.ts';
import { completeEntry, loggedOn, payeeFields, payeeRow, payeesWorld, registerPayee, type PayeesWorld } from './support.ts';
import { recordApproval } from '../../src/modules/payees/approve.ts';
import { isAppError } from '../../src/errors.ts';
import type { LiveSession } from '../../src/access/sessions.ts';

/**
 * R8.5, house rule 4: an approval passes one conditional statement, so approvals sent at once are
 * recorded as the rules allow and no more. Through HTTP each request first checks its confirmation
 * password, which spreads the writes out; so the write itself is also raced directly, many at once.
 * Each race is repeated, since one round may happen not to overlap.
 */
const rounds = 4;
/** Approvers racing the write directly: many, so that their transactions surely overlap. */
const crowd = 12;

let database: TestDatabase | undefined;
let t: TestApp;
let world: PayeesWorld;
let approvers: { client: Client; password: string; ref: number }[];
let clerk: Client;
let crowdLives: LiveSession[];
before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  t = await startApp(database.db);
  world = await payeesWorld(t, 'single');
  clerk = await loggedOn(t, world.clerk);
  const limits = { perTransactionLimitYen: 1_000_000n, dailyLimitYen: 2_000_000n };
  const people = [world.approverA, world.approverB];
  for (let i = 0; i < 3; i++) people.push(await addUserWith(t.deps, world.master.contractId, [{ business: 'transfer', approve: true, ...limits }]));
  approvers = [];
  for (const [i, person] of people.entries()) {
    approvers.push({ client: await loggedOn(t, person, `198.51.100.${60 + i}`), password: person.confirmationPassword, ref: person.ref });
  }
  crowdLives = [];
  for (let i = 0; i < crowd; i++) {
    const person = await addUserWith(t.deps, world.master.contractId, [{ business: 'transfer', approve: true, ...limits }]);
    crowdLives.push(await liveOf(person.ref));
  }
});

/** A person as their session would present them to the service (the approval's write reads no more). */
async function liveOf(ref: number): Promise<LiveSession> {
  const user = await t.deps.db.selectFrom('users').selectAll().where('id', '=', ref).executeTakeFirstOrThrow();
  const contract = await t.deps.db.selectFrom('contract').selectAll().where('id', '=', user.contract_id).executeTakeFirstOrThrow();
  const session = { id: `race-${ref}`, stage: 'active', user_ref: ref, contract_id: user.contract_id } as LiveSession['session'];
  return { session, user, contract, mayAdminister: false, needsOtpAddress: false, needsTokenActivation: false, heldSteps: [], shownChallenge: undefined };
}

const context = { ip: '198.51.100.99', userAgent: 'race' };

/** Runs the writes at once; every one either succeeds or is refused with an expected error code. */
async function raceWrites(payeeId: number, lives: LiveSession[]): Promise<{ accepted: number; refusals: string[] }> {
  const results = await Promise.allSettled(lives.map((live) => recordApproval(t.deps, live, payeeId, context)));
  const refusals: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') continue;
    assert.ok(isAppError(result.reason), `an expected refusal, not ${String(result.reason)}`);
    refusals.push(result.reason.code);
  }
  return { accepted: results.length - refusals.length, refusals };
}
after(async () => {
  await t?.app.close();
  await database?.drop();
});

let accountCounter = 1_000_000;
async function pendingPayee(mode: 'single' | 'double'): Promise<number> {
  await t.deps.db.updateTable('contract').set({ approval_mode: mode }).where('id', '=', world.master.contractId).execute();
  const { id } = await registerPayee(clerk, world.clerk, { accountNumber: String(++accountCounter) });
  return id;
}

async function approveAtOnce(payeeId: number, who: { client: Client; password: string }[]) {
  for (const approver of who) await approver.client.get(`/payees/${payeeId}/approve`);
  return Promise.all(who.map((a) => a.client.post(`/payees/${payeeId}/approve`, { confirmationPassword: a.password })));
}

async function approvalsOf(payeeId: number): Promise<number[]> {
  const rows = await t.deps.db.selectFrom('payee_approval').select('approved_by').where('payee_id', '=', payeeId).execute();
  return rows.map((r) => r.approved_by);
}

test('[PG] two approvals at once of a payee needing one record one', { skip: needsPostgres }, async () => {
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('single');
    const answers = await approveAtOnce(id, approvers.slice(0, 2));
    const accepted = answers.filter((a) => a.statusCode === 303);
    assert.equal(accepted.length, 1, `round ${round}: one approval is accepted`);
    const refused = answers.find((a) => a.statusCode !== 303)!;
    assert.equal(refused.statusCode, 409, `round ${round}: the other is refused as no longer waiting`);
    assert.equal((await approvalsOf(id)).length, 1, `round ${round}: one approval recorded`);
    const row = await payeeRow(t.deps, id);
    assert.deepEqual([row.status, row.approvals_given], ['active', 1]);
  }
});

test('[PG] five approvers at once on a payee needing two: exactly two different people are recorded', { skip: needsPostgres }, async () => {
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('double');
    const answers = await approveAtOnce(id, approvers);
    assert.equal(answers.filter((a) => a.statusCode === 303).length, 2, `round ${round}`);
    const recorded = await approvalsOf(id);
    assert.equal(new Set(recorded).size, 2, `round ${round}: two different approvers`);
    assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_given], ['active', 2]);
  }
});

test('[PG] one person approving the same payee several times at once counts once', { skip: needsPostgres }, async () => {
  const approver = approvers[0]!;
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('double');
    await approver.client.get(`/payees/${id}/approve`);
    const answers = await Promise.all(Array.from({ length: 4 }, () => approver.client.post(`/payees/${id}/approve`, { confirmationPassword: approver.password })));
    assert.equal(answers.filter((a) => a.statusCode === 303).length, 1, `round ${round}: one is accepted`);
    assert.deepEqual(await approvalsOf(id), [approver.ref], `round ${round}`);
    const row = await payeeRow(t.deps, id);
    assert.deepEqual([row.status, row.approvals_given], ['pending', 1], `round ${round}: still waiting for a second person`);
  }
});

test('[PG] a withdrawal and an approval at once: exactly one of them happens', { skip: needsPostgres }, async () => {
  const approver = approvers[1]!;
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('single');
    await approver.client.get(`/payees/${id}/approve`);
    await clerk.get(`/payees/${id}/withdraw`);
    const [approved, withdrawn] = await Promise.all([
      approver.client.post(`/payees/${id}/approve`, { confirmationPassword: approver.password }),
      clerk.post(`/payees/${id}/withdraw`, {}),
    ]);
    assert.equal([approved, withdrawn].filter((a) => a.statusCode === 303).length, 1, `round ${round}`);
    const row = await payeeRow(t.deps, id);
    if (approved.statusCode === 303) assert.deepEqual([row.status, (await approvalsOf(id)).length], ['active', 1]);
    else assert.deepEqual([row.status, (await approvalsOf(id)).length], ['withdrawn', 0]);
  }
});

test('[PG] a change approved while its payee is deleted: never both (the deletion or the replacement wins)', { skip: needsPostgres }, async () => {
  const approver = approvers[2]!;
  for (let round = 0; round < rounds; round++) {
    await t.deps.db.updateTable('contract').set({ approval_mode: 'none' }).where('id', '=', world.master.contractId).execute();
    const { id } = await registerPayee(clerk, world.clerk, { accountNumber: String(++accountCounter) });
    await t.deps.db.updateTable('contract').set({ approval_mode: 'single' }).where('id', '=', world.master.contractId).execute();
    const changed = await completeEntry(clerk, `/payees/${id}/change`, payeeFields({ accountNumber: String(accountCounter), name: 'ﾍﾝｺｳ' }), world.clerk.confirmationPassword);
    const changeId = Number(/\/payees\/(\d+)\?/.exec(String(changed.headers.location))?.[1]);
    await approver.client.get(`/payees/${changeId}/approve`);
    await clerk.get(`/payees/${id}/delete`);
    const [approved, deleted] = await Promise.all([
      approver.client.post(`/payees/${changeId}/approve`, { confirmationPassword: approver.password }),
      clerk.post(`/payees/${id}/delete`, { confirmationPassword: world.clerk.confirmationPassword }),
    ]);
    assert.ok(approved.statusCode < 500 && deleted.statusCode < 500, `round ${round}: no failure (${approved.statusCode}, ${deleted.statusCode})`);
    const [old, change] = [await payeeRow(t.deps, id), await payeeRow(t.deps, changeId)];
    const outcome = `${old.status}/${change.status}`;
    assert.ok(['deleted/withdrawn', 'replaced/active'].includes(outcome), `round ${round}: ${outcome}`);
  }
});

test('[PG] many approval writes at once of a payee needing one record exactly one', { skip: needsPostgres }, async () => {
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('single');
    const { accepted, refusals } = await raceWrites(id, crowdLives);
    assert.equal(accepted, 1, `round ${round}`);
    assert.ok(refusals.every((code) => code === 'PAYEES_NOT_PENDING'), `round ${round}: ${refusals.join(', ')}`);
    assert.equal((await approvalsOf(id)).length, 1);
    assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_given], ['active', 1]);
  }
});

test('[PG] many approval writes at once of a payee needing two record exactly two people', { skip: needsPostgres }, async () => {
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('double');
    const { accepted } = await raceWrites(id, crowdLives);
    assert.equal(accepted, 2, `round ${round}`);
    assert.equal(new Set(await approvalsOf(id)).size, 2);
    assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_given], ['active', 2]);
  }
});

test('[PG] one person’s approval written many times at once counts once', { skip: needsPostgres }, async () => {
  const live = crowdLives[0]!;
  for (let round = 0; round < rounds; round++) {
    const id = await pendingPayee('double');
    const { accepted, refusals } = await raceWrites(id, Array.from({ length: crowd }, () => live));
    assert.equal(accepted, 1, `round ${round}`);
    assert.ok(refusals.every((code) => code === 'PAYEES_ALREADY_APPROVED'), `round ${round}: ${refusals.join(', ')}`);
    assert.deepEqual(await approvalsOf(id), [live.user.id]);
    assert.deepEqual([(await payeeRow(t.deps, id)).status, (await payeeRow(t.deps, id)).approvals_given], ['pending', 1]);
  }
});
