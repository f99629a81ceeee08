import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import type { Deps } from '../../src/deps.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import { isAppError } from '../../src/errors.ts';
import { canonicalDigest } from '../../src/access/email-otp/digest.ts';
import { checkCode, enterCode } from '../../src/access/email-otp/check.ts';
import { emailOtpResendCooldownSeconds, type ChallengeOwner, type ChallengeTarget } from '../../src/access/email-otp/challenge.ts';
import { emailOtpSendsPerSubjectMax, sendChallenge } from '../../src/access/email-otp/send.ts';
import { recordExpiries } from '../../src/access/email-otp/expiry.ts';
import { addContract, addPerson } from '../transfers/fixtures.ts';
import { lastOneTimePassword } from '../helpers/people.ts';

/**
 * R5.2–R5.4: the email one-time password as one piece — bound to a digest of what it confirms, used
 * once, void after three wrong entries, useless after ten minutes — attacked as a person (or malware
 * holding their session) would: replays, guesses in parallel, a code for one operation tried on
 * another, an operation changed after its code was sent.
 */
let database: TestDatabase;
let deps: Deps & { clock: FakeClock };

before(async () => {
  database = await createTestDatabase({ poolSize: 60 });
  deps = testDeps(database.db);
});
after(async () => {
  await database.drop();
});

let operations = 0;
function operation(fields: Record<string, string> = { amountYen: '40000', accountNumber: '1234567' }): ChallengeTarget {
  operations++;
  return { purpose: 'transfer', subject: `test:${operations}`, digest: canonicalDigest('transfer', fields) };
}

const mail = { subject: 'transfers.otpMail.subject', intro: 'transfers.otpMail.intro', details: [] } as const;

async function person(): Promise<{ owner: ChallengeOwner; address: string }> {
  const { contractId } = await addContract(deps);
  const actor = await addPerson(deps, contractId, { register: true, send: true });
  return { owner: { user: actor.user, context: { ip: '198.51.100.7', userAgent: 'test' } }, address: actor.user.otp_email! };
}

/** Sends a code for `target` and reads it from the person's mail. */
async function sendAndRead(owner: ChallengeOwner, address: string, target: ChallengeTarget): Promise<string> {
  await sendChallenge(deps, owner, target, address, { ...mail, details: [] });
  return lastOneTimePassword(deps, address);
}

const use = (owner: ChallengeOwner, target: ChallengeTarget, code: unknown) => enterCode(deps, owner, target, code, async () => 'used');

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

function otherCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

async function auditActions(owner: ChallengeOwner): Promise<string[]> {
  const rows = await deps.db.selectFrom('audit_log').select('action').where('user_ref', '=', owner.user.id).where('action', 'like', 'email_otp.%').orderBy('id').execute();
  return rows.map((row) => row.action);
}

describe('a code is used once, for its operation only', () => {
  test('the right code works once; the same code again is refused as used', async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    assert.equal(await use(owner, target, code), 'used');
    assert.equal(await refusal(use(owner, target, code)), 'EMAIL_OTP_USED');
    assert.deepEqual(await auditActions(owner), ['email_otp.send', 'email_otp.verify']);
  });

  test('a code sent for operation A is refused for operation B', async () => {
    const { owner, address } = await person();
    const a = operation();
    const b = operation();
    const code = await sendAndRead(owner, address, a);
    assert.equal(await refusal(use(owner, b, code)), 'EMAIL_OTP_NOT_SENT');
    assert.equal(await use(owner, a, code), 'used', 'the code is still good for its own operation');
  });

  test('an operation changed after its code was sent (one yen more) makes the code useless, and voids it', async () => {
    const { owner, address } = await person();
    const sent = operation({ amountYen: '40000', accountNumber: '1234567' });
    const code = await sendAndRead(owner, address, sent);
    const altered = { ...sent, digest: canonicalDigest('transfer', { amountYen: '40001', accountNumber: '1234567' }) };
    assert.equal(await refusal(use(owner, altered, code)), 'EMAIL_OTP_CHANGED');
    assert.equal(await refusal(use(owner, sent, code)), 'EMAIL_OTP_VOID', 'once the operation was seen changed, a new code must be asked for');
    assert.ok((await auditActions(owner)).includes('email_otp.changed'));
  });

  test('another person cannot use my code, even for the same operation', async () => {
    const me = await person();
    const other = await person();
    const target = operation();
    const code = await sendAndRead(me.owner, me.address, target);
    assert.equal(await refusal(use(other.owner, target, code)), 'EMAIL_OTP_NOT_SENT');
  });

  test('the digest is canonical: the same fields in another order give the same digest, another value another', () => {
    assert.equal(canonicalDigest('transfer', { a: '1', b: '2' }), canonicalDigest('transfer', { b: '2', a: '1' }));
    assert.notEqual(canonicalDigest('transfer', { a: '1', b: '2' }), canonicalDigest('transfer', { a: '12', b: '' }));
    assert.notEqual(canonicalDigest('transfer', { a: '1' }), canonicalDigest('payment', { a: '1' }));
  });
});

describe('three wrong entries void a code', () => {
  test('two wrong entries say how many are left; the third voids the code; then even the right one is refused', async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    const wrong = otherCode(code);
    await assert.rejects(use(owner, target, wrong), (error: unknown) => isAppError(error) && error.code === 'EMAIL_OTP_WRONG' && error.params.left === '2');
    await assert.rejects(use(owner, target, wrong), (error: unknown) => isAppError(error) && error.code === 'EMAIL_OTP_WRONG' && error.params.left === '1');
    assert.equal(await refusal(use(owner, target, wrong)), 'EMAIL_OTP_VOID');
    assert.equal(await refusal(use(owner, target, code)), 'EMAIL_OTP_VOID');
    assert.deepEqual(await auditActions(owner), ['email_otp.send', 'email_otp.wrong', 'email_otp.wrong', 'email_otp.wrong', 'email_otp.void']);
  });

  test('malformed entries are refused without counting', async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    for (const entry of ['', '12345', '1234567', 'abcdef', undefined, ['123456']]) {
      assert.equal(await refusal(use(owner, target, entry)), 'EMAIL_OTP_FORMAT');
    }
    assert.equal(await use(owner, target, code), 'used');
  });

  test('decision 0022: a right code whose three entries are all in flight is answered busy, audited as busy, and counts no entry', async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    // Three entries of the code are being checked at this moment.
    await deps.db.updateTable('email_otp_challenge').set({ entries_in_flight: 3 }).where('user_ref', '=', owner.user.id).execute();
    let busy: unknown;
    await checkCode(deps, owner, target, code).catch((error: unknown) => (busy = error));
    assert.ok(isAppError(busy));
    assert.equal(busy.code, 'EMAIL_OTP_BUSY');
    assert.equal(busy.retryAfterSeconds, 1, 'says when to try again');
    const audit = await deps.db.selectFrom('audit_log').select(['action', 'reason']).where('user_ref', '=', owner.user.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual(audit, { action: 'email_otp.busy', reason: 'attempts_busy' });
    const row = await deps.db.selectFrom('email_otp_challenge').selectAll().where('user_ref', '=', owner.user.id).executeTakeFirstOrThrow();
    assert.equal(row.wrong_entries, 0, 'not a wrong entry');
    assert.equal(row.voided_at, null);
  });

  test('a refused operation gives the entry back: the code stays good for it', async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    for (let i = 0; i < 4; i++) {
      await assert.rejects(
        enterCode(deps, owner, target, code, async () => {
          throw new Error('the operation was refused');
        }),
        /refused/,
      );
    }
    assert.equal(await use(owner, target, code), 'used');
  });
});

describe('ten minutes', () => {
  test('a code is good until one millisecond before ten minutes, refused at exactly ten, and its expiry recorded once', async () => {
    const { owner, address } = await person();
    const start = deps.clock.now();
    try {
      const early = operation();
      const earlyCode = await sendAndRead(owner, address, early);
      deps.clock.set(new Date(start.getTime() + 600_000 - 1));
      assert.equal(await use(owner, early, earlyCode), 'used');

      deps.clock.set(start);
      const late = operation();
      const lateCode = await sendAndRead(owner, address, late);
      deps.clock.set(new Date(start.getTime() + 600_000));
      assert.equal(await refusal(use(owner, late, lateCode)), 'EMAIL_OTP_EXPIRED');
      await recordExpiries(deps, deps.clock.now());
      // The entry that found it expired recorded it; the job finds it recorded already.
      const expiries = (await auditActions(owner)).filter((action) => action === 'email_otp.expire');
      assert.equal(expiries.length, 1);
    } finally {
      deps.clock.set(start);
    }
  });

  test('the repeating job records an expiry nobody found, once', async () => {
    const { owner, address } = await person();
    const start = deps.clock.now();
    try {
      await sendAndRead(owner, address, operation());
      deps.clock.set(new Date(start.getTime() + 601_000));
      assert.ok((await recordExpiries(deps, deps.clock.now())) >= 1);
      assert.equal(await recordExpiries(deps, deps.clock.now()), 0, 'each expiry is recorded once');
      assert.deepEqual((await auditActions(owner)).filter((a) => a === 'email_otp.expire'), ['email_otp.expire']);
    } finally {
      deps.clock.set(start);
    }
  });
});

describe('asking again', () => {
  test('a new code only after the cool-down; it replaces the earlier one; five per operation at most', async () => {
    const { owner, address } = await person();
    const start = deps.clock.now();
    try {
      const target = operation();
      const first = await sendAndRead(owner, address, target);
      await assert.rejects(sendChallenge(deps, owner, target, address, mail), (error: unknown) => isAppError(error) && error.code === 'EMAIL_OTP_COOLDOWN' && typeof error.params.at === 'string');
      let latest = first;
      for (let sent = 2; sent <= emailOtpSendsPerSubjectMax; sent++) {
        deps.clock.advanceSeconds(emailOtpResendCooldownSeconds);
        latest = await sendAndRead(owner, address, target);
      }
      deps.clock.advanceSeconds(emailOtpResendCooldownSeconds);
      assert.equal(await refusal(sendChallenge(deps, owner, target, address, mail)), 'EMAIL_OTP_SEND_LIMIT');
      if (first !== latest) assert.equal(await refusal(use(owner, target, first)), 'EMAIL_OTP_WRONG', 'the replaced code is no longer the one asked for');
      assert.equal(await use(owner, target, latest), 'used');
    } finally {
      deps.clock.set(start);
    }
  });
});

describe('nothing of the code is kept or recorded', () => {
  test('the stored challenge and the audit trail hold no code; the subject line of the email holds none either', async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    await use(owner, target, code);
    const stored = await deps.db.selectFrom('email_otp_challenge').selectAll().where('user_ref', '=', owner.user.id).execute();
    assert.equal(JSON.stringify(stored).includes(code), false);
    assert.match(stored[0]!.code_mac, /^v1\.[0-9a-f]{64}$/);
    const audit = await deps.db.selectFrom('audit_log').select(['details', 'reason']).where('user_ref', '=', owner.user.id).execute();
    assert.equal(JSON.stringify(audit).includes(code), false);
    const email = await deps.db.selectFrom('outbox').select('subject').where('recipient', '=', address).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(email.subject.includes(code), false);
  });
});

describe('races (PostgreSQL)', () => {
  test('fifty parallel submissions of the right code succeed exactly once', { skip: needsPostgres }, async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    const results = await Promise.all(Array.from({ length: 50 }, () => refusal(use(owner, target, code))));
    assert.equal(results.filter((r) => r === 'accepted').length, 1, results.join(','));
    for (const r of results.filter((r) => r !== 'accepted')) assert.ok(['EMAIL_OTP_USED', 'EMAIL_OTP_BUSY'].includes(r), r);
    assert.deepEqual((await auditActions(owner)).filter((a) => a === 'email_otp.verify'), ['email_otp.verify']);
  });

  test('fifty parallel wrong codes are compared at most three times, then the code is void', { skip: needsPostgres }, async () => {
    const { owner, address } = await person();
    const target = operation();
    const code = await sendAndRead(owner, address, target);
    // Fifty different guesses, the right one among them: had more than three been compared, it would win.
    const guesses = Array.from({ length: 50 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    guesses[49] = code;
    const results = await Promise.all(guesses.map((guess) => refusal(checkCode(deps, owner, target, guess))));
    const compared = (await auditActions(owner)).filter((a) => a === 'email_otp.wrong').length + results.filter((r) => r === 'accepted').length;
    assert.ok(compared <= 3, `compared ${compared} times`);
    const row = await deps.db.selectFrom('email_otp_challenge').selectAll().where('user_ref', '=', owner.user.id).executeTakeFirstOrThrow();
    assert.ok(row.wrong_entries + row.entries_in_flight <= 3);
    if (results[49] !== 'accepted') {
      assert.equal(row.wrong_entries, 3);
      assert.notEqual(row.voided_at, null);
      assert.equal(await refusal(use(owner, target, code)), 'EMAIL_OTP_VOID');
    }
  });
});

describe('sends at once (PostgreSQL)', () => {
  test('ten parallel sends for one operation: one code, the others refused by the cool-down; one email and one record', { skip: needsPostgres }, async () => {
    const { owner, address } = await person();
    const target = operation();
    const results = await Promise.all(Array.from({ length: 10 }, () => refusal(sendChallenge(deps, owner, target, address, { ...mail, details: [] }).then(() => 'accepted'))));
    assert.equal(results.filter((r) => r === 'accepted').length, 1, results.join(','));
    for (const r of results.filter((r) => r !== 'accepted')) assert.equal(r, 'EMAIL_OTP_COOLDOWN');
    const codes = await deps.db.selectFrom('email_otp_challenge').select('id').where('user_ref', '=', owner.user.id).where('subject', '=', target.subject).execute();
    assert.equal(codes.length, 1);
    const mails = await deps.db.selectFrom('outbox').select('id').where('recipient', '=', address).execute();
    assert.equal(mails.length, 1);
    assert.deepEqual((await auditActions(owner)).filter((a) => a === 'email_otp.send'), ['email_otp.send']);
  });
});
