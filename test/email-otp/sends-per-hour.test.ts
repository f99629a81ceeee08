import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { isAppError } from '../../src/errors.ts';
import { canonicalDigest } from '../../src/access/email-otp/digest.ts';
import { sendChallenge } from '../../src/access/email-otp/send.ts';
import { addContract, addPerson } from '../transfers/fixtures.ts';

/**
 * R5.2: a person is sent at most the bank's number of codes an hour (EMAIL_OTP_SENDS_PER_HOUR),
 * whatever the operations: the next is refused until the oldest of them is an hour old.
 */
let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

test('R5.2: the bank\'s number of codes an hour per person, across operations; the next one an hour after the first', async () => {
  const perHour = 3;
  const deps = testDeps(database.db, { env: { EMAIL_OTP_SENDS_PER_HOUR: String(perHour) } });
  const { contractId } = await addContract(deps);
  const actor = await addPerson(deps, contractId, { register: true, send: true });
  const owner = { user: actor.user, context: { ip: '198.51.100.7', userAgent: 'test' } };
  const mail = { subject: 'transfers.otpMail.subject', intro: 'transfers.otpMail.intro', details: [] } as const;
  const send = (n: number) =>
    sendChallenge(deps, owner, { purpose: 'transfer', subject: `hour:${n}`, digest: canonicalDigest('transfer', { n: String(n) }) }, actor.user.otp_email!, { ...mail, details: [] });
  const refusal = (n: number) => send(n).then(() => 'sent', (error: unknown) => (isAppError(error) ? error.code : Promise.reject(error)));

  for (let n = 1; n <= perHour; n++) {
    await send(n);
    deps.clock.advanceSeconds(60);
  }
  assert.equal(await refusal(perHour + 1), 'EMAIL_OTP_SEND_LIMIT');
  // An hour after the first code, it no longer counts.
  deps.clock.advanceSeconds(3_600 - perHour * 60 + 1);
  assert.equal(await refusal(perHour + 2), 'sent');
  assert.equal(await refusal(perHour + 3), 'EMAIL_OTP_SEND_LIMIT');
});
