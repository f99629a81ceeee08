import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, tokyoDate } from '../../src/domain/business-days.ts';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { ja } from '../helpers/http-app.ts';
import type { Deps } from '../../src/deps.ts';
import type { User } from '../../src/db/schema.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { isAppError } from '../../src/errors.ts';
import { hashSecret } from '../../src/auth/password-hash.ts';
import { stepAt } from '../../src/auth/token-totp.ts';
import { confirmWithToken, tokenFailuresMax } from '../../src/access/hardware-token/check.ts';
import { activateToken } from '../../src/access/hardware-token/activate.ts';
import { confirmWithTokenWhereNeeded, tokenRequirement } from '../../src/access/hardware-token/requirement.ts';
import { liftTokenStop, revokePersonToken } from '../../src/modules/user-security/token-actions.ts';
import { resyncToken, testTokenCode } from '../../src/modules/tokens/help-desk.ts';
import { listTokens } from '../../src/modules/tokens/queries.ts';
import { customerLedgerAccountId } from '../../src/modules/ledger/post.ts';
import { verifyLedger } from '../../src/modules/ledger/verify.ts';
import { addAccount, addContract, addPerson } from '../transfers/fixtures.ts';
import {
  addToken,
  assignToken,
  assignedToken,
  codeOf,
  liveOf,
  refusal,
  tokenContext,
  tokenRow,
  userById,
  wrongCodeOf,
  type TestToken,
} from './support.ts';

/**
 * R6.3–R6.8: the token password as the service checks it — shared tokens accept each code once
 * across everyone who shares them, five wrong codes stop the person however many arrive at once,
 * the grace period runs by the clock, revocation ends the token for all who share it — and the
 * fees of R6.2 on the ledger. Each test has a clock of its own.
 */
let database: TestDatabase;

before(async () => {
  database = await createTestDatabase({ poolSize: 60 });
});
after(async () => {
  await database.drop();
});

function freshDeps(): Deps & { clock: FakeClock } {
  return testDeps(database.db, { clock: new FakeClock('2026-04-01T00:00:00Z') });
}

/** A contract whose master and a second person (who finalises transfers) may both need a token. */
async function contractWithTwo(deps: Deps) {
  const { contractId, master } = await addContract(deps);
  const sender = await addPerson(deps, contractId, { register: true, send: true });
  return { contractId, master: master.user, sender: sender.user };
}

const entry = (user: User, action = 'transfer.send') => ({ user, context: tokenContext, action });

/** Activates the token for the person with the code it shows now plus `offsetSteps`; returns the person's row afterwards. */
async function activate(deps: Deps, user: User, token: TestToken, offsetSteps = 0): Promise<User> {
  const serial = await activateToken(deps, await liveOf(deps, user.id), token.serial, codeOf(token, deps.clock.now(), offsetSteps), tokenContext);
  assert.equal(serial, token.serial);
  return userById(deps, user.id);
}

async function auditCount(deps: Deps, userRef: number, action: string): Promise<number> {
  const rows = await deps.db.selectFrom('audit_log').select('id').where('user_ref', '=', userRef).where('action', '=', action).execute();
  return rows.length;
}

describe('R6.8: a code is accepted once, across everyone who shares the token', () => {
  test('fifty parallel submissions of one valid code by two people sharing a token are accepted exactly once', { skip: needsPostgres }, async () => {
    const deps = freshDeps();
    const { contractId, master, sender } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const first = await activate(deps, master, token, -1);
    const second = await activate(deps, sender, token, 0);
    deps.clock.advanceSeconds(60);
    const code = codeOf(token, deps.clock.now());

    const people = [first, second];
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => refusal(confirmWithToken(deps, entry(people[i % 2]!), code))));
    assert.equal(results.filter((r) => r === 'accepted').length, 1, results.join(' '));
    assert.deepEqual(results.filter((r) => r !== 'accepted' && r !== 'TOKEN_CODE_USED' && r !== 'TOKEN_BUSY'), [], 'the others are refused as used or busy');
    assert.equal((await tokenRow(deps, token.serial)).last_step, BigInt(stepAt(deps.clock.now(), 60)));
    assert.equal((await auditCount(deps, first.id, 'token.verify')) + (await auditCount(deps, second.id, 'token.verify')), 1);
    // Nobody is stopped or left with attempts counted by a right code.
    for (const person of people) {
      const row = await userById(deps, person.id);
      assert.equal(row.token_stopped_at, null);
      assert.equal(row.token_failed_attempts, 0, `${row.user_id}: the attempts are given back or cleared`);
    }
  });

  test('a code one person used is refused to the other sharer, and never again to the first', async () => {
    const deps = freshDeps();
    const { contractId, master, sender } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const first = await activate(deps, master, token, -1);
    const second = await activate(deps, sender, token, 0);
    deps.clock.advanceSeconds(60);
    const code = codeOf(token, deps.clock.now());
    const accepted = await confirmWithToken(deps, entry(first), code);
    assert.deepEqual(accepted, { serial: token.serial, step: stepAt(deps.clock.now(), 60) });
    assert.equal(await refusal(confirmWithToken(deps, entry(second), code)), 'TOKEN_CODE_USED');
    assert.equal(await refusal(confirmWithToken(deps, entry(first), code)), 'TOKEN_CODE_USED');
    // An older code inside the drift window is refused too: only a later step is ever accepted.
    assert.equal(await refusal(confirmWithToken(deps, entry(second), codeOf(token, deps.clock.now(), -1))), 'TOKEN_CODE_USED');
    assert.equal((await userById(deps, second.id)).token_failed_attempts, 0, 'a used code costs no attempt');
  });
});

describe('R6.6: five wrong token passwords stop the person', () => {
  test('fifty parallel wrong codes are evaluated exactly five times and stop the person; a right code afterwards is refused as stopped', { skip: needsPostgres }, async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const person = await activate(deps, master, token, -1);
    const wrong = wrongCodeOf(token, deps.clock.now());

    const results = await Promise.all(Array.from({ length: 50 }, () => refusal(confirmWithToken(deps, entry(person), wrong))));
    assert.equal(results.filter((r) => r === 'accepted').length, 0);
    assert.deepEqual(results.filter((r) => r !== 'TOKEN_CODE_WRONG' && r !== 'TOKEN_STOPPED' && r !== 'TOKEN_BUSY'), [], 'each refused as wrong, stopped or busy');
    const row = await userById(deps, person.id);
    assert.notEqual(row.token_stopped_at, null);
    assert.equal(row.token_failed_attempts, tokenFailuresMax);
    assert.equal(await auditCount(deps, person.id, 'token.wrong'), 5, 'exactly five codes were evaluated');
    assert.equal(results.filter((r) => r === 'TOKEN_CODE_WRONG').length, tokenFailuresMax - 1, 'four told how many are left, the fifth told of the stop');
    assert.equal(await auditCount(deps, person.id, 'token.stop'), 1);
    const stopMails = await deps.db.selectFrom('outbox').select('body').where('recipient', '=', row.email!).where('body', 'like', `%${ja('hardwareToken.notice.stopped')}%`).execute();
    assert.equal(stopMails.length, 1, 'the person is told once');

    const right = codeOf(token, deps.clock.now());
    assert.equal(await refusal(confirmWithToken(deps, entry(row), right)), 'TOKEN_STOPPED');
    assert.equal(await refusal(confirmWithToken(deps, entry(person), right)), 'TOKEN_STOPPED', 'also for a session that read the person before the stop');
    assert.equal((await tokenRow(deps, token.serial)).last_step, BigInt(stepAt(deps.clock.now(), 60) - 1), 'the right code was not spent');
  });

  test('wrong codes one after another count down; a right one clears the count; the fifth in a row stops', async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    let person = await activate(deps, master, token, -1);
    const wrong = wrongCodeOf(token, deps.clock.now());
    const left = async () => {
      try {
        await confirmWithToken(deps, entry(person), wrong);
      } catch (error) {
        assert.ok(isAppError(error));
        return `${error.code}:${error.params.left ?? ''}`;
      }
      return 'accepted';
    };
    assert.deepEqual([await left(), await left(), await left()], ['TOKEN_CODE_WRONG:4', 'TOKEN_CODE_WRONG:3', 'TOKEN_CODE_WRONG:2']);
    await confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now()));
    assert.equal((await userById(deps, person.id)).token_failed_attempts, 0);
    deps.clock.advanceSeconds(60);
    assert.deepEqual([await left(), await left(), await left(), await left()], ['TOKEN_CODE_WRONG:4', 'TOKEN_CODE_WRONG:3', 'TOKEN_CODE_WRONG:2', 'TOKEN_CODE_WRONG:1']);
    assert.equal(await left(), 'TOKEN_STOPPED:');
    person = await userById(deps, person.id);
    assert.notEqual(person.token_stopped_at, null);
    assert.equal(await refusal(confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now()))), 'TOKEN_STOPPED');
    // Not a format the check evaluates: refused uncounted (the person is stopped anyway, the stop is said first).
    assert.equal(await refusal(confirmWithToken(deps, entry(person), '12ab56')), 'TOKEN_STOPPED');
  });

  test('decision 0022: a right code refused because all five attempts are in flight is answered busy, audited as busy, and neither counts nor stops', async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const person = await activate(deps, master, token, -1);
    // Five codes of the person are being evaluated at this moment.
    await deps.db.updateTable('users').set({ token_failed_attempts: tokenFailuresMax }).where('id', '=', person.id).execute();
    let busy: unknown;
    await confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now())).catch((error: unknown) => (busy = error));
    assert.ok(isAppError(busy));
    assert.equal(busy.code, 'TOKEN_BUSY');
    assert.equal(busy.retryAfterSeconds, 1, 'says when to try again');
    const audit = await deps.db.selectFrom('audit_log').select(['action', 'reason']).where('user_ref', '=', person.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(audit, { action: 'token.busy', reason: 'attempts_busy' });
    const row = await userById(deps, person.id);
    assert.equal(row.token_failed_attempts, tokenFailuresMax, 'nothing counted');
    assert.equal(row.token_stopped_at, null, 'nobody stopped');
  });

  test('a code that is not six digits is refused before any attempt is spent', async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const person = await activate(deps, master, token, -1);
    for (const code of ['', '12345', '1234567', '12ab56', '１２３４５６', 123456, undefined]) {
      assert.equal(await refusal(confirmWithToken(deps, entry(person), code)), 'TOKEN_CODE_FORMAT', String(code));
    }
    assert.equal((await userById(deps, person.id)).token_failed_attempts, 0);
  });
});

describe('R6.4: the grace period, by the clock', () => {
  test('not needed before the first assignment, grace right after it, required thirty days later with the operation refused until a token is activated', async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const contractNow = () => deps.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
    assert.equal(await tokenRequirement(deps, master, await contractNow()), 'not_needed');
    assert.equal(await confirmWithTokenWhereNeeded(deps, entry(master), await contractNow(), ''), undefined);

    deps.clock.advanceSeconds(3600);
    const token = await assignedToken(deps, contractId);
    const appliedAt = (await contractNow()).tokens_applied_at;
    assert.deepEqual(appliedAt, deps.clock.now(), 'the grace period runs from the first assignment');
    assert.equal(await tokenRequirement(deps, master, await contractNow()), 'grace');
    assert.equal(await confirmWithTokenWhereNeeded(deps, entry(master), await contractNow(), ''), undefined, 'the operation goes ahead without a token');
    assert.equal(await refusal(confirmWithToken(deps, entry(master), codeOf(token, deps.clock.now()))), 'TOKEN_NOT_ACTIVE');

    // A second assignment does not restart the period.
    deps.clock.advanceSeconds(10 * 86_400);
    await assignedToken(deps, contractId);
    assert.deepEqual((await contractNow()).tokens_applied_at, appliedAt);

    deps.clock.set(new Date(appliedAt!.getTime() + 30 * 86_400_000 - 1000));
    assert.equal(await tokenRequirement(deps, master, await contractNow()), 'grace', 'a second before the thirty days are over');
    deps.clock.advanceSeconds(1);
    assert.equal(await tokenRequirement(deps, master, await contractNow()), 'required');
    assert.equal(await refusal(confirmWithTokenWhereNeeded(deps, entry(master), await contractNow(), codeOf(token, deps.clock.now()))), 'TOKEN_NOT_ACTIVE');
    assert.equal(await refusal(confirmWithToken(deps, entry(master), codeOf(token, deps.clock.now()))), 'TOKEN_NOT_ACTIVE');

    // Activated, the person is asked for the code, and a right one is accepted.
    const activated = await activate(deps, master, token);
    deps.clock.advanceSeconds(60);
    assert.equal(await refusal(confirmWithTokenWhereNeeded(deps, entry(activated), await contractNow(), '')), 'TOKEN_CODE_FORMAT');
    const accepted = await confirmWithTokenWhereNeeded(deps, entry(activated), await contractNow(), codeOf(token, deps.clock.now()));
    assert.equal(accepted?.serial, token.serial);
  });

  test('a person with an activated token is asked for it even within the grace period', async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const person = await activate(deps, master, token);
    const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
    assert.equal(await tokenRequirement(deps, person, contract), 'required');
    assert.equal(await refusal(confirmWithTokenWhereNeeded(deps, entry(person), contract, '')), 'TOKEN_CODE_FORMAT');
  });
});

describe('R6.3: activation', () => {
  test('two people activate one token (shared); a wrong serial, a wrong code and another contract’s serial each cost one attempt and are refused alike', async () => {
    const deps = freshDeps();
    const { contractId, master, sender } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const other = await addContract(deps);
    const foreign = await assignedToken(deps, other.contractId);

    const first = await activate(deps, master, token, -1);
    assert.equal(first.token_serial, token.serial);
    assert.notEqual(first.token_activated_at, null);

    const attempt = async (serial: string, code: string) => {
      try {
        await activateToken(deps, await liveOf(deps, sender.id), serial, code, tokenContext);
      } catch (error) {
        assert.ok(isAppError(error));
        return `${error.code}:${error.params.left ?? ''}`;
      }
      return 'accepted';
    };
    const now = deps.clock.now();
    assert.equal(await attempt(`${token.serial}9`, codeOf(token, now)), 'TOKEN_ACTIVATION_FAILED:4', 'a serial the bank does not know');
    assert.equal(await attempt(token.serial, wrongCodeOf(token, now)), 'TOKEN_ACTIVATION_FAILED:3', 'a wrong code');
    assert.equal(await attempt(foreign.serial, codeOf(foreign, now)), 'TOKEN_ACTIVATION_FAILED:2', 'a token of another contract, with its right code');
    assert.equal((await tokenRow(deps, foreign.serial)).last_step, 0n, 'the other contract’s code was not spent');
    assert.equal((await userById(deps, sender.id)).token_failed_attempts, 3);
    assert.equal(await auditCount(deps, sender.id, 'token.wrong'), 3);
    // The code the first person activated with is spent for the token, whoever enters it.
    assert.equal(await attempt(token.serial, codeOf(token, now, -1)), 'TOKEN_CODE_USED:');
    assert.equal((await userById(deps, sender.id)).token_failed_attempts, 3, 'a used code costs no attempt');

    const second = await activate(deps, sender, token, 0);
    assert.equal(second.token_serial, token.serial);
    assert.equal(second.token_failed_attempts, 0, 'a right code clears the count');
    assert.equal(await refusal(activateToken(deps, await liveOf(deps, sender.id), token.serial, codeOf(token, now, 1), tokenContext)), 'TOKEN_ALREADY_ACTIVE');

    const [listed] = await listTokens(deps.db, deps.clock.now(), { serial: token.serial });
    assert.equal(listed?.state, 'active');
    assert.deepEqual(listed?.users, [master.user_id, sender.user_id].sort());
    const [foreignListed] = await listTokens(deps.db, deps.clock.now(), { serial: foreign.serial });
    assert.equal(foreignListed?.state, 'assigned');
    assert.deepEqual(foreignListed?.users, []);
  });
});

describe('R6.7: revocation', () => {
  test('revoking a shared token ends it for both people who share it, for good', async () => {
    const deps = freshDeps();
    const { contractId, master, sender } = await contractWithTwo(deps);
    const confirmation = 'Confirm2026pass';
    await deps.db.updateTable('users').set({ confirmation_password_hash: await hashSecret(confirmation) }).where('id', '=', master.id).execute();
    const token = await assignedToken(deps, contractId);
    await activate(deps, master, token, -1);
    await activate(deps, sender, token, 0);
    deps.clock.advanceSeconds(60);

    const revoked = await revokePersonToken(
      deps,
      await liveOf(deps, master.id),
      sender.user_id,
      { reason: 'lost', confirmationPassword: confirmation, tokenCode: codeOf(token, deps.clock.now()) },
      tokenContext,
    );
    assert.equal(revoked, token.serial);
    const row = await tokenRow(deps, token.serial);
    assert.notEqual(row.revoked_at, null);
    assert.equal(row.revoke_reason, 'lost');

    deps.clock.advanceSeconds(60);
    for (const ref of [master.id, sender.id]) {
      const person = await userById(deps, ref);
      assert.equal(person.token_serial, null);
      assert.equal(await refusal(confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now()))), 'TOKEN_NOT_ACTIVE', person.user_id);
    }
    // A session that read the person before the revocation fares no better.
    assert.equal(await refusal(confirmWithToken(deps, entry({ ...sender, token_serial: token.serial, token_activated_at: deps.clock.now() }), codeOf(token, deps.clock.now()))), 'TOKEN_REVOKED');
    assert.equal(await refusal(activateToken(deps, await liveOf(deps, sender.id), token.serial, codeOf(token, deps.clock.now()), tokenContext)), 'TOKEN_ACTIVATION_FAILED');
    assert.deepEqual(await testTokenCode(deps, token.serial, codeOf(token, deps.clock.now(), 1), { actor: 'operator:test' }), { ok: false });
    const [listed] = await listTokens(deps.db, deps.clock.now(), { serial: token.serial });
    assert.equal(listed?.state, 'revoked');
    assert.deepEqual(listed?.users, []);

    const notices = await deps.db
      .selectFrom('outbox')
      .select('recipient')
      .where('body', 'like', `%${ja('hardwareToken.notice.revoked', { serial: token.serial })}%`)
      .execute();
    assert.deepEqual(new Set(notices.map((n) => n.recipient)), new Set([master.email, sender.email]), 'both people who used it are told');
  });
});

describe('R6.4, R6.7: a revoked token leaves the requirement in place', () => {
  test('after the grace period, revoking the contract’s only token does not let operations that need a token go ahead without one', async () => {
    const deps = freshDeps();
    const { contractId, master, sender } = await contractWithTwo(deps);
    const confirmation = 'Confirm2026pass';
    await deps.db.updateTable('users').set({ confirmation_password_hash: await hashSecret(confirmation) }).where('id', '=', master.id).execute();
    const token = await assignedToken(deps, contractId);
    deps.clock.advanceSeconds(31 * 86_400);
    await activate(deps, master, token, -1);
    await activate(deps, sender, token, 0);
    deps.clock.advanceSeconds(60);
    await revokePersonToken(deps, await liveOf(deps, master.id), sender.user_id, { reason: 'stolen', confirmationPassword: confirmation, tokenCode: codeOf(token, deps.clock.now()) }, tokenContext);

    const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', contractId).executeTakeFirstOrThrow();
    for (const ref of [master.id, sender.id]) {
      const person = await userById(deps, ref);
      assert.equal(await tokenRequirement(deps, person, contract), 'required', person.user_id);
      assert.equal(await refusal(confirmWithTokenWhereNeeded(deps, entry(person), contract, '')), 'TOKEN_NOT_ACTIVE', person.user_id);
    }
  });
});

describe('R6.6: lifting a stop of the token use', () => {
  test('an administrator cannot lift the stop of their own token use (five guesses, a lift, five more…); another administrator can', async () => {
    const deps = freshDeps();
    const { contractId, master } = await addContract(deps);
    const admin = (await addPerson(deps, contractId, { register: true })).user;
    await deps.db.insertInto('user_permission').values({ user_ref: admin.id, business: 'user_admin', can_register: false, can_approve: false, can_send: false, per_transaction_limit_yen: null, daily_limit_yen: null }).execute();
    const confirmation = 'Confirm2026pass';
    await deps.db.updateTable('users').set({ confirmation_password_hash: await hashSecret(confirmation) }).where('id', 'in', [master.user.id, admin.id]).execute();
    const token = await assignedToken(deps, contractId);
    await activate(deps, master.user, token);
    await activate(deps, admin, token, 1);
    for (let i = 0; i < tokenFailuresMax; i++) await refusal(confirmWithToken(deps, entry(await userById(deps, master.user.id)), wrongCodeOf(token, deps.clock.now())));
    assert.notEqual((await userById(deps, master.user.id)).token_stopped_at, null);

    const own = await refusal(liftTokenStop(deps, await liveOf(deps, master.user.id), master.user.user_id, { confirmationPassword: confirmation, tokenCode: '' }, tokenContext));
    assert.equal(own, 'FORBIDDEN');
    assert.notEqual((await userById(deps, master.user.id)).token_stopped_at, null, 'still stopped');

    deps.clock.advanceSeconds(120);
    await liftTokenStop(deps, await liveOf(deps, admin.id), master.user.user_id, { confirmationPassword: confirmation, tokenCode: codeOf(token, deps.clock.now()) }, tokenContext);
    const lifted = await userById(deps, master.user.id);
    assert.equal(lifted.token_stopped_at, null);
    assert.equal(lifted.token_failed_attempts, 0);
  });
});

describe('R6.7: expiry and replacement', () => {
  test('a token stops working at the start of its expiry day in Tokyo; the free replacement is activated the same way', async () => {
    const deps = freshDeps();
    deps.clock.set('2026-04-01T14:58:00Z'); // 23:58 on 1 April in Tokyo
    const { contractId, master } = await contractWithTwo(deps);
    const old = await addToken(deps, { expires: '2026-04-02' });
    await assignToken(deps, old.serial, contractId);
    const person = await activate(deps, master, old, -1);
    deps.clock.advanceSeconds(60);
    assert.equal((await confirmWithToken(deps, entry(person), codeOf(old, deps.clock.now()))).serial, old.serial, 'the day before its expiry date');

    deps.clock.advanceSeconds(60); // midnight in Tokyo: 2 April
    assert.equal(await refusal(confirmWithToken(deps, entry(person), codeOf(old, deps.clock.now()))), 'TOKEN_EXPIRED');
    const [listed] = await listTokens(deps.db, deps.clock.now(), { serial: old.serial });
    assert.equal(listed?.state, 'expired');
    assert.equal(await refusal(assignToken(deps, (await addToken(deps, { expires: '2026-04-02' })).serial, contractId)), 'TOKEN_NOT_ASSIGNABLE', 'an expired token is never assigned');

    const replacement = await addToken(deps);
    assert.equal((await assignToken(deps, replacement.serial, contractId, 'expired')).feeYen, 0n);
    const renewed = await activate(deps, person, replacement);
    assert.equal(renewed.token_serial, replacement.serial);
    deps.clock.advanceSeconds(60);
    assert.equal((await confirmWithToken(deps, entry(renewed), codeOf(replacement, deps.clock.now()))).serial, replacement.serial);
  });
});

describe('help desk', () => {
  test('two consecutive codes of a drifting token give its drift; the accepted window then centres on it, and the codes are spent', async () => {
    const deps = freshDeps();
    const { contractId, master } = await contractWithTwo(deps);
    const token = await assignedToken(deps, contractId);
    const by = { actor: 'operator:test' };
    // The token's clock runs three steps (three minutes) ahead: its codes are outside the ±1 window.
    const person = await activate(deps, master, token, 1);
    deps.clock.advanceSeconds(60);
    assert.equal(await refusal(confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now(), 3))), 'TOKEN_CODE_WRONG');

    const { driftSteps } = await resyncToken(deps, token.serial, codeOf(token, deps.clock.now(), 2), codeOf(token, deps.clock.now(), 3), by);
    assert.equal(driftSteps, 3);
    assert.equal((await tokenRow(deps, token.serial)).drift_steps, 3);
    assert.equal(await refusal(confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now(), 3))), 'TOKEN_CODE_USED', 'the second code was spent');
    assert.equal(await refusal(resyncToken(deps, token.serial, codeOf(token, deps.clock.now(), 2), codeOf(token, deps.clock.now(), 3), by)), 'TOKEN_RESYNC_FAILED');
    deps.clock.advanceSeconds(60);
    const accepted = await confirmWithToken(deps, entry(person), codeOf(token, deps.clock.now(), 3));
    assert.equal(accepted.step, stepAt(deps.clock.now(), 60) + 3);
    assert.deepEqual(await testTokenCode(deps, token.serial, codeOf(token, deps.clock.now(), 4), by), { ok: true });
    assert.deepEqual(await testTokenCode(deps, token.serial, codeOf(token, deps.clock.now(), 4), by), { ok: false }, 'a code read out is spent');
  });
});

describe('R6.2: assignment fees on the ledger', () => {
  test('the fourth new token and a reissue for a lost or broken one post 1,080 yen from the first account to fee income; the first three and an expiry replacement post nothing; the ledger verifies', async () => {
    const deps = freshDeps();
    const { contractId } = await addContract(deps);
    const first = await addAccount(deps, contractId, { fundYen: 10_000n });
    const second = await addAccount(deps, contractId, { fundYen: 10_000n });
    const reasons = ['new', 'new', 'new', 'expired', 'new', 'lost', 'broken'] as const;
    const results = [];
    for (const reason of reasons) {
      // The reason must be true (it decides the fee): a token expiring soon for a free replacement, a revoked one for a reissue.
      if (reason === 'expired') {
        await assert.rejects(assignToken(deps, (await addToken(deps)).serial, contractId, reason), (error: unknown) => isAppError(error) && error.code === 'TOKEN_REASON_UNFOUNDED');
        await deps.db.updateTable('hardware_token').set({ expires_on: addDays(tokyoDate(deps.clock.now()), 30) }).where('serial', '=', results[0]!.serial).execute();
      }
      if (reason === 'lost' || reason === 'broken') {
        await deps.db.updateTable('hardware_token').set({ revoked_at: deps.clock.now(), revoke_reason: reason }).where('serial', '=', results[reason === 'lost' ? 1 : 2]!.serial).execute();
      }
      results.push(await assignToken(deps, (await addToken(deps)).serial, contractId, reason));
    }
    await assert.rejects(assignToken(deps, (await addToken(deps)).serial, contractId, 'lost'), (error: unknown) => isAppError(error) && error.code === 'TOKEN_REASON_UNFOUNDED', 'each revoked token is reissued once');
    assert.deepEqual(
      results.map((r) => r.feeYen),
      [0n, 0n, 0n, 0n, 1080n, 1080n, 1080n],
    );
    assert.deepEqual(results.map((r) => r.feeEntryId === null), [true, true, true, true, false, false, false]);

    const entries = await deps.db
      .selectFrom('hardware_token')
      .innerJoin('journal_entry', 'journal_entry.id', 'hardware_token.fee_entry_id')
      .select(['hardware_token.assign_reason', 'journal_entry.id', 'journal_entry.kind'])
      .where('hardware_token.contract_id', '=', contractId)
      .orderBy('journal_entry.id')
      .execute();
    assert.deepEqual(entries.map((e) => [e.assign_reason, e.kind]), [['new', 'fee'], ['lost', 'fee'], ['broken', 'fee']]);
    const fromFirst = await customerLedgerAccountId(deps.db, first.id);
    for (const { id } of entries) {
      const postings = await deps.db
        .selectFrom('posting')
        .innerJoin('ledger_account', 'ledger_account.id', 'posting.ledger_account_id')
        .select(['posting.ledger_account_id', 'posting.amount_yen', 'ledger_account.kind'])
        .where('posting.entry_id', '=', id)
        .orderBy('posting.amount_yen')
        .execute();
      assert.deepEqual(
        postings.map((p) => [p.kind, p.amount_yen]),
        [['customer', -1080n], ['fee_income', 1080n]],
      );
      assert.equal(postings[0]!.ledger_account_id, fromFirst, 'from the contract’s first account');
    }
    const balance = async (accountId: number) => (await deps.db.selectFrom('ledger_account').select('balance_yen').where('account_id', '=', accountId).executeTakeFirstOrThrow()).balance_yen;
    assert.equal(await balance(first.id), 10_000n - 3n * 1080n);
    assert.equal(await balance(second.id), 10_000n);
    assert.deepEqual((await verifyLedger(deps.db)).problems, []);
  });

  test('a charged assignment the first account cannot pay is refused whole: the token stays unassigned', async () => {
    const deps = freshDeps();
    const { contractId } = await addContract(deps);
    await addAccount(deps, contractId, { fundYen: 1000n });
    for (let i = 0; i < 3; i++) await assignToken(deps, (await addToken(deps)).serial, contractId);
    const token = await addToken(deps);
    assert.equal(await refusal(assignToken(deps, token.serial, contractId, 'new')), 'TOKEN_FEE_FUNDS');
    const row = await tokenRow(deps, token.serial);
    assert.equal(row.contract_id, null);
    assert.equal(row.fee_entry_id, null);
    assert.deepEqual((await verifyLedger(deps.db)).problems, []);
  });
});
