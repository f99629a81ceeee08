import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contractStaysStopped,
  liftRefusal,
  mayLift,
  resetRefusal,
  stopsContract,
  type ActorKind,
  type LockMode,
  type PersonRole,
  type Releaser,
} from './lock-modes.ts';

/** R2.3 as seed 002 states it: one row per mode and stopped person. */
const table: { mode: LockMode; stopped: PersonRole; blocksContract: boolean; liftedBy: Releaser[] }[] = [
  { mode: 'unlinked', stopped: 'user', blocksContract: false, liftedBy: ['master', 'admin_user'] },
  { mode: 'unlinked', stopped: 'master', blocksContract: true, liftedBy: ['operator'] },
  { mode: 'linked', stopped: 'user', blocksContract: true, liftedBy: ['operator'] },
  { mode: 'linked', stopped: 'master', blocksContract: true, liftedBy: ['operator'] },
];
const releasers: Releaser[] = ['master', 'admin_user', 'operator'];

for (const row of table) {
  test(`R2.3 ${row.mode}, ${row.stopped} stopped: blocks ${row.blocksContract ? 'the whole contract' : 'the person only'}; lifted by ${row.liftedBy.join(', ')} only`, () => {
    assert.equal(stopsContract(row.mode, row.stopped), row.blocksContract);
    for (const releaser of releasers) assert.equal(mayLift(row.mode, row.stopped, releaser), row.liftedBy.includes(releaser), releaser);
    assert.equal(liftRefusal(row.mode, row.stopped, 'general_user'), 'FORBIDDEN', 'a general user lifts nothing');
    for (const releaser of releasers) {
      assert.equal(liftRefusal(row.mode, row.stopped, releaser), row.liftedBy.includes(releaser) ? undefined : 'STOP_LIFT_OPERATOR_ONLY', releaser);
    }
  });
}

test('R2.3: nobody in the contract may lift a stop that blocks the contract; the bank may lift every such stop', () => {
  for (const row of table) {
    if (!row.blocksContract) continue;
    for (const actor of ['master', 'admin_user'] as const) assert.equal(mayLift(row.mode, row.stopped, actor), false, `${row.mode}/${row.stopped}/${actor}`);
    assert.equal(mayLift(row.mode, row.stopped, 'operator'), true);
  }
});

test('R2.3: the contract stays stopped while any remaining stop blocks it', () => {
  assert.equal(contractStaysStopped('unlinked', []), false);
  assert.equal(contractStaysStopped('unlinked', ['user', 'user']), false, "users' stops never hold an unlinked contract");
  assert.equal(contractStaysStopped('unlinked', ['user', 'master']), true);
  assert.equal(contractStaysStopped('linked', ['user']), true, 'a linked contract stays stopped by any stopped user');
  assert.equal(contractStaysStopped('linked', []), false);
});

test('R2.5: a user\'s password is reset by the master or an admin user; the master\'s by the bank only; nobody resets their own', () => {
  const master = { kind: 'master' as ActorKind, ref: 1 };
  const admin = { kind: 'admin_user' as ActorKind, ref: 2 };
  const general = { kind: 'general_user' as ActorKind, ref: 3 };
  const user = { role: 'user' as PersonRole, ref: 4 };
  assert.equal(resetRefusal(master, user), undefined);
  assert.equal(resetRefusal(admin, user), undefined);
  assert.equal(resetRefusal(admin, { role: 'user', ref: 5 }), undefined, 'an admin user resets another admin user');
  assert.equal(resetRefusal(general, user), 'FORBIDDEN');
  assert.equal(resetRefusal(general, { role: 'user', ref: 3 }), 'FORBIDDEN');
  assert.equal(resetRefusal(admin, { role: 'master', ref: 1 }), 'PASSWORD_RESET_OPERATOR_ONLY', 'an admin user cannot touch the master');
  assert.equal(resetRefusal(master, { role: 'master', ref: 1 }), 'PASSWORD_RESET_OPERATOR_ONLY', "the master's own needs the bank");
  assert.equal(resetRefusal(admin, { role: 'user', ref: 2 }), 'PASSWORD_RESET_SELF');
});
