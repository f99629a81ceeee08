import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { liftStop } from '../../src/modules/contracts/service.ts';
import { mayLift, type LockMode } from '../../src/domain/lock-modes.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { liftStopInTx } from '../../src/access/lockout.ts';
import { activeMaster, appForFile, contractRow, userRow } from '../helpers/http-app.ts';
import { addAdminUser, addPerson, securityPath, stopByWrongPasswords } from './people.ts';

const t = appForFile();

type Releaser = 'master' | 'admin_user' | 'operator';

/**
 * R2.3 as seed 002 states it, written out here independently of src/domain/lock-modes.ts: for each
 * mode and each person stopped, whether everyone else of the contract is blocked with them, and who
 * may lift the stop.
 */
const table: { mode: LockMode; stopped: 'master' | 'user'; othersBlocked: boolean; liftedBy: Releaser[] }[] = [
  { mode: 'unlinked', stopped: 'user', othersBlocked: false, liftedBy: ['master', 'admin_user'] },
  { mode: 'unlinked', stopped: 'master', othersBlocked: true, liftedBy: ['operator'] },
  { mode: 'linked', stopped: 'user', othersBlocked: true, liftedBy: ['operator'] },
  { mode: 'linked', stopped: 'master', othersBlocked: true, liftedBy: ['operator'] },
];
const releasers: Releaser[] = ['master', 'admin_user', 'operator'];

/** What happens when a releaser tries to lift the stop: through the portal for people of the contract. */
async function tryLift(releaser: Releaser, actors: { master: TestPerson; admin: TestPerson }, target: TestPerson): Promise<string> {
  if (releaser === 'operator') {
    const { lifted } = await liftStop(t.deps, { contractId: target.contractId, userId: target.userId, operator: 'test' });
    return lifted ? 'lifted' : 'nothing lifted';
  }
  const actor = releaser === 'master' ? actors.master : actors.admin;
  const client = new Client(t.app);
  const logged = await logon(client, actor);
  if (logged.headers.location !== '/status') return `cannot log on (${errorCode(logged.body)})`;
  await client.get(securityPath(target));
  const answer = await client.post(`${securityPath(target)}/lift`, { confirmationPassword: actor.confirmationPassword });
  return answer.statusCode === 303 ? 'lifted' : String(errorCode(answer.body));
}

for (const row of table) {
  test(`R2.3 ${row.mode}, ${row.stopped} stopped: ${row.othersBlocked ? 'everyone of the contract' : 'the person alone'} is blocked; lifted by ${row.liftedBy.join(' and ')} only`, async () => {
    const { person: master, client: masterSession } = await activeMaster(t, { lockMode: row.mode });
    const admin = await addAdminUser(t.deps, master.contractId);
    const general = await addPerson(t.deps, master.contractId);
    const bystander = await addPerson(t.deps, master.contractId);
    const bystanderSession = new Client(t.app);
    assert.equal((await logon(bystanderSession, bystander)).headers.location, '/status');
    const target = row.stopped === 'master' ? master : general;

    await stopByWrongPasswords(t, target);

    // Who is blocked.
    assert.equal((await contractRow(t.deps, master.contractId)).stopped_at !== null, row.othersBlocked, 'the contract is stopped with the person');
    assert.equal(errorCode((await logon(new Client(t.app), target)).body), 'AUTH_LOGON_FAILED', 'the stopped person cannot log on');
    const bystanderNow = await bystanderSession.get('/status');
    if (row.othersBlocked) assert.equal(bystanderNow.headers.location, '/logon?ended=stopped', "a bystander's live session ends");
    else assert.equal(bystanderNow.statusCode, 200, "a bystander's live session goes on");
    if (row.stopped === 'user') {
      const masterNow = await masterSession.get('/status');
      assert.equal(masterNow.statusCode === 200, !row.othersBlocked, "the master's live session follows the rule too");
    }

    // Who may lift: each releaser in turn; a successful lift is checked, then the stop made again.
    for (const releaser of releasers) {
      const allowed = row.liftedBy.includes(releaser);
      assert.equal(mayLift(row.mode, row.stopped, releaser), allowed, `${releaser}: the domain rule agrees with the table`);
      if (releaser === 'operator' && !allowed) continue; // the bank's tools refuse it by the same rule
      const outcome = await tryLift(releaser, { master, admin }, target);
      if (!allowed) {
        // Their own stop answers as any failure (R2.4); a stop of the contract alone is named after the right password.
        assert.match(outcome, /^cannot log on \((AUTH_LOGON_FAILED|AUTH_CONTRACT_STOPPED)\)$/, `${releaser} cannot act while the contract is stopped`);
        assert.notEqual((await userRow(t.deps, target)).stopped_at, null, `${releaser}: still stopped`);
        continue;
      }
      assert.equal(outcome, 'lifted', releaser);
      const after = await userRow(t.deps, target);
      assert.equal(after.stopped_at, null, `${releaser}: the stop is lifted`);
      assert.equal(after.failed_attempts, 0, `${releaser}: the count starts again`);
      assert.equal((await contractRow(t.deps, master.contractId)).stopped_at, null, `${releaser}: the contract runs again`);
      assert.equal((await logon(new Client(t.app), target)).headers.location, '/status', `${releaser}: the person logs on again`);
      assert.equal((await logon(new Client(t.app), bystander)).headers.location, '/status', `${releaser}: so does everyone else`);
      if (row.liftedBy.indexOf(releaser) < row.liftedBy.length - 1) await stopByWrongPasswords(t, target);
    }
  });
}

/** The lift every path shares (portal and bank): src/modules/logon/lockout.ts, by the rule of the domain. */
async function liftAs(person: TestPerson, releaser: Releaser) {
  const row = await userRow(t.deps, person);
  return inTransaction(t.deps.db, (tx) => liftStopInTx(tx, row, releaser));
}

test('R2.3 linked: with two people stopped, the contract stays stopped until both stops are lifted', async () => {
  const { person: master } = await activeMaster(t, { lockMode: 'linked' });
  const first = await addPerson(t.deps, master.contractId);
  const second = await addPerson(t.deps, master.contractId);
  await stopByWrongPasswords(t, first);
  // While the contract is stopped nobody's wrong password is evaluated any more, so the second
  // stop is written as an earlier incident would have left it.
  await t.deps.db.updateTable('users').set({ stopped_at: t.deps.clock.now() }).where('contract_id', '=', master.contractId).where('user_id', '=', second.userId).execute();

  const one = await liftAs(first, 'operator');
  if (one.refused) assert.fail('the bank lifts a stop of a linked contract');
  assert.deepEqual({ person: one.personLifted, contract: one.contractLifted }, { person: true, contract: false }, 'the first lift leaves the contract stopped');
  assert.notEqual((await contractRow(t.deps, master.contractId)).stopped_at, null);
  assert.equal(errorCode((await logon(new Client(t.app), master)).body), 'AUTH_CONTRACT_STOPPED', 'the master stays blocked, and is told why after the right password');

  const two = await liftAs(second, 'operator');
  if (two.refused) assert.fail('the bank lifts a stop of a linked contract');
  assert.deepEqual({ person: two.personLifted, contract: two.contractLifted }, { person: true, contract: true }, 'the last lift releases the contract');
  assert.equal((await logon(new Client(t.app), master)).headers.location, '/status');
  assert.equal((await logon(new Client(t.app), first)).headers.location, '/status');
});

test('R2.3: the shared lift refuses, and changes nothing, when the releaser is not the one the rule names', async () => {
  const { person: unlinkedMaster } = await activeMaster(t, { lockMode: 'unlinked' });
  const user = await addPerson(t.deps, unlinkedMaster.contractId);
  await stopByWrongPasswords(t, user);
  assert.deepEqual(await liftAs(user, 'operator'), { refused: 'operator_only' }, "an unlinked user's stop is the master's or an admin user's to lift");
  assert.notEqual((await userRow(t.deps, user)).stopped_at, null);

  const { person: linkedMaster } = await activeMaster(t, { lockMode: 'linked' });
  const linkedUser = await addPerson(t.deps, linkedMaster.contractId);
  await stopByWrongPasswords(t, linkedUser);
  for (const releaser of ['master', 'admin_user'] as const) {
    assert.deepEqual(await liftAs(linkedUser, releaser), { refused: 'operator_only' }, releaser);
  }
  assert.notEqual((await userRow(t.deps, linkedUser)).stopped_at, null);
  assert.notEqual((await contractRow(t.deps, linkedMaster.contractId)).stopped_at, null);
});
