import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mayAdminister,
  refusalToAct,
  refusalToChangeGrants,
  refusalToCreate,
  refusalToGrant,
  refusalToRemoveLastAdministrator,
  grantShapeRefusal,
  roleOf,
  type Grant,
  type Person,
  type SubjectAction,
} from './permissions.ts';

const contractA = '12345678903';
const contractB = '23456789014';

const fullTransfer: Grant = { business: 'transfer', steps: ['register', 'approve', 'send'], perTransactionLimitYen: 10_000_000n, dailyLimitYen: 50_000_000n };
const master: Person = {
  ref: 1,
  contractId: contractA,
  role: 'master',
  status: 'active',
  stopped: false,
  grants: [
    { business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null },
    fullTransfer,
    { business: 'tax_payment', steps: [], perTransactionLimitYen: 10_000_000n, dailyLimitYen: 50_000_000n },
    { business: 'bulk_transfer', steps: ['register', 'approve', 'send'], perTransactionLimitYen: 10_000_000n, dailyLimitYen: 50_000_000n },
    { business: 'user_admin', steps: [], perTransactionLimitYen: null, dailyLimitYen: null },
  ],
  accountIds: [101, 102, 103],
};
const admin: Person = {
  ref: 2,
  contractId: contractA,
  role: 'user',
  status: 'active',
  stopped: false,
  grants: [
    { business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null },
    { business: 'transfer', steps: ['register'], perTransactionLimitYen: 1_000_000n, dailyLimitYen: 2_000_000n },
    { business: 'user_admin', steps: [], perTransactionLimitYen: null, dailyLimitYen: null },
  ],
  accountIds: [101],
};
const otherAdmin: Person = { ...admin, ref: 3 };
const general: Person = {
  ref: 4,
  contractId: contractA,
  role: 'user',
  status: 'active',
  stopped: false,
  grants: [{ business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null }],
  accountIds: [101],
};
const approver: Person = { ...general, ref: 5, grants: [{ business: 'bulk_transfer', steps: ['approve'], perTransactionLimitYen: 1n, dailyLimitYen: 1n }] };
const suspended: Person = { ...general, ref: 6, status: 'suspended' };
const deleted: Person = { ...general, ref: 7, status: 'deleted' };
const foreignMaster: Person = { ...master, ref: 91, contractId: contractB, accountIds: [901] };
const foreignUser: Person = { ...general, ref: 92, contractId: contractB };

test('R1.4: the master and active, unstopped admin users may administer; nobody else', () => {
  const cases: [string, Person, boolean][] = [
    ['master', master, true],
    ['admin user', admin, true],
    ['general user', general, false],
    ['approver', approver, false],
    ['suspended admin user', { ...admin, status: 'suspended' }, false],
    ['deleted admin user', { ...admin, status: 'deleted' }, false],
    ['stopped admin user', { ...admin, stopped: true }, false],
    ['suspended master', { ...master, status: 'suspended' }, false],
  ];
  for (const [label, person, expected] of cases) assert.equal(mayAdminister(person), expected, label);
});

test('R1.6: roles are master, admin user, approver and general user', () => {
  const cases: [Person, string][] = [
    [master, 'master'],
    [admin, 'admin'],
    [approver, 'approver'],
    [general, 'general'],
    [{ ...general, grants: [{ business: 'transfer', steps: ['register', 'send'], perTransactionLimitYen: 1n, dailyLimitYen: 1n }] }, 'general'],
  ];
  for (const [person, role] of cases) assert.equal(roleOf(person), role);
});

test('who may do what to whom: contract, administration, the master, admin users, oneself, deleted people', () => {
  const all: SubjectAction[] = ['view', 'change', 'suspend', 'resume', 'delete', 'reset_password', 'lift_stop'];
  const cases: [string, Person, Person, SubjectAction[], string | undefined][] = [
    ['master on a general user', master, general, all, undefined],
    ['master on an admin user', master, admin, all, undefined],
    ['admin user on a general user', admin, general, all, undefined],
    ['admin user on a suspended user', admin, suspended, ['resume', 'change', 'delete'], undefined],
    ['general user on anyone', general, approver, all, 'FORBIDDEN'],
    ['general user on themselves', general, general, all, 'FORBIDDEN'],
    ['suspended admin user', { ...admin, status: 'suspended' }, general, all, 'FORBIDDEN'],
    ['stopped admin user', { ...admin, stopped: true }, general, all, 'FORBIDDEN'],
    ['master on a person of another contract', master, foreignUser, all, 'NOT_FOUND'],
    ['master on the master of another contract', master, foreignMaster, all, 'NOT_FOUND'],
    ['general user on a person of another contract', general, foreignUser, all, 'NOT_FOUND'],
    ['admin user views the master', admin, master, ['view'], undefined],
    ['admin user changes, suspends, deletes or resets the master', admin, master, ['change', 'suspend', 'resume', 'delete', 'reset_password', 'lift_stop'], 'USERS_MASTER_PROTECTED'],
    ['master changes, suspends, deletes or resets itself', master, master, ['change', 'suspend', 'delete', 'reset_password'], 'USERS_MASTER_PROTECTED'],
    ['admin user suspends or deletes another admin user', admin, otherAdmin, ['suspend', 'delete'], 'USERS_ADMIN_PROTECTED'],
    ['admin user resets or lifts another admin user', admin, otherAdmin, ['reset_password', 'lift_stop', 'resume'], undefined],
    ['admin user suspends, deletes or resets themselves', admin, admin, ['suspend', 'delete', 'reset_password', 'lift_stop'], 'USERS_SELF'],
    ['admin user changes their own permissions', admin, admin, ['view', 'change'], undefined],
    ['anything but viewing a deleted person', master, deleted, ['change', 'suspend', 'resume', 'delete', 'reset_password', 'lift_stop'], 'USERS_DELETED'],
    ['viewing a deleted person', master, deleted, ['view'], undefined],
  ];
  for (const [label, actor, subject, actions, expected] of cases) {
    for (const action of actions) assert.equal(refusalToAct(actor, subject, action)?.code, expected, `${label}: ${action}`);
  }
});

test('nobody grants more than they hold: businesses, steps, limits, accounts', () => {
  const inquiry: Grant = { business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null };
  const userAdmin: Grant = { business: 'user_admin', steps: [], perTransactionLimitYen: null, dailyLimitYen: null };
  const transfer = (steps: Grant['steps'], perTransaction: bigint, daily: bigint): Grant => ({
    business: 'transfer',
    steps,
    perTransactionLimitYen: perTransaction,
    dailyLimitYen: daily,
  });
  const cases: [string, Person, Grant[], number[], string | undefined][] = [
    ['master gives everything it holds', master, master.grants.map((g) => ({ ...g, steps: g.business === 'transfer' || g.business === 'bulk_transfer' ? g.steps : [] })), [101, 102, 103], undefined],
    ['master gives its own limits exactly', master, [transfer(['send'], 10_000_000n, 50_000_000n)], [], undefined],
    ['master gives one yen over its per-transaction limit', master, [transfer(['send'], 10_000_001n, 50_000_000n)], [], 'USERS_LIMIT_BEYOND_OWN'],
    ['master gives one yen over its daily limit', master, [transfer(['send'], 1n, 50_000_001n)], [], 'USERS_LIMIT_BEYOND_OWN'],
    ['admin user gives what it holds', admin, [inquiry, transfer(['register'], 1_000_000n, 2_000_000n), userAdmin], [101], undefined],
    ['admin user gives less than it holds', admin, [transfer(['register'], 0n, 0n)], [], undefined],
    ['admin user gives a business it lacks', admin, [{ business: 'tax_payment', steps: [], perTransactionLimitYen: 1n, dailyLimitYen: 1n }], [], 'USERS_GRANT_BEYOND_OWN'],
    ['admin user gives a step it lacks', admin, [transfer(['register', 'approve'], 1n, 1n)], [], 'USERS_GRANT_BEYOND_OWN'],
    ['admin user gives a larger per-transaction limit', admin, [transfer(['register'], 1_000_001n, 2_000_000n)], [], 'USERS_LIMIT_BEYOND_OWN'],
    ['admin user gives a larger daily limit', admin, [transfer(['register'], 1n, 2_000_001n)], [], 'USERS_LIMIT_BEYOND_OWN'],
    ['admin user gives an account it may not use', admin, [inquiry], [102], 'USERS_ACCOUNT_BEYOND_OWN'],
    ['admin user gives an account of another contract', admin, [inquiry], [901], 'USERS_ACCOUNT_BEYOND_OWN'],
    ['the same account twice', master, [inquiry], [101, 101], 'USERS_ACCOUNT_BEYOND_OWN'],
    ['the same business twice', master, [inquiry, inquiry], [], 'USERS_GRANT_INVALID'],
    ['a transfer grant without any step', master, [transfer([], 1n, 1n)], [], 'USERS_STEP_REQUIRED'],
    ['a transfer grant without limits', master, [{ ...transfer(['register'], 1n, 1n), dailyLimitYen: null }], [], 'USERS_LIMIT_REQUIRED'],
    ['a per-transaction limit above the daily limit', master, [transfer(['register'], 2n, 1n)], [], 'USERS_LIMIT_ORDER'],
    ['a negative limit', master, [transfer(['register'], -1n, 1n)], [], 'USERS_GRANT_INVALID'],
    ['steps on inquiry', master, [{ ...inquiry, steps: ['approve'] }], [], 'USERS_GRANT_INVALID'],
    ['limits on user administration', master, [{ ...userAdmin, perTransactionLimitYen: 1n, dailyLimitYen: 1n }], [], 'USERS_GRANT_INVALID'],
    ['a step given twice', master, [transfer(['send', 'send'], 1n, 1n)], [], 'USERS_GRANT_INVALID'],
  ];
  for (const [label, actor, granted, accounts, expected] of cases) {
    assert.equal(refusalToGrant(actor, granted, accounts)?.code, expected, label);
  }
});

test('a refusal names the business or account it is about', () => {
  assert.deepEqual(refusalToGrant(admin, [{ business: 'bulk_transfer', steps: ['send'], perTransactionLimitYen: 1n, dailyLimitYen: 1n }], []), {
    code: 'USERS_GRANT_BEYOND_OWN',
    business: 'bulk_transfer',
  });
  assert.deepEqual(refusalToGrant(admin, [], [103]), { code: 'USERS_ACCOUNT_BEYOND_OWN', accountId: 103 });
  assert.equal(grantShapeRefusal({ business: 'tax_payment', steps: [], perTransactionLimitYen: 5n, dailyLimitYen: 5n }), undefined);
});

test('creating: only administrators, and only within their own permissions', () => {
  const inquiry: Grant = { business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null };
  assert.equal(refusalToCreate(general, [inquiry], [])?.code, 'FORBIDDEN');
  assert.equal(refusalToCreate(admin, [inquiry], [101]), undefined);
  assert.equal(refusalToCreate(admin, [fullTransfer], [])?.code, 'USERS_GRANT_BEYOND_OWN');
});

test('changing grants: the master is protected, only the master takes user administration from an admin user, and the result stays within the actor', () => {
  const inquiry: Grant = { business: 'inquiry', steps: [], perTransactionLimitYen: null, dailyLimitYen: null };
  const userAdmin: Grant = { business: 'user_admin', steps: [], perTransactionLimitYen: null, dailyLimitYen: null };
  const cases: [string, Person, Person, Grant[], string | undefined][] = [
    ['master takes user administration from an admin user', master, admin, [inquiry], undefined],
    ['admin user takes user administration from another admin user', admin, otherAdmin, [inquiry], 'USERS_ADMIN_PROTECTED'],
    ['admin user changes another admin user within its own', admin, otherAdmin, [inquiry, userAdmin], undefined],
    ['admin user gives up its own user administration', admin, admin, [inquiry], undefined],
    ['admin user raises its own limits', admin, admin, [{ business: 'transfer', steps: ['register'], perTransactionLimitYen: 2_000_000n, dailyLimitYen: 2_000_000n }, userAdmin], 'USERS_LIMIT_BEYOND_OWN'],
    ['admin user changes the master', admin, master, [inquiry], 'USERS_MASTER_PROTECTED'],
    ['master changes its own grants', master, master, [inquiry], 'USERS_MASTER_PROTECTED'],
    ['admin user makes a general user an admin user', admin, general, [inquiry, userAdmin], undefined],
    ['general user gives itself user administration', general, general, [inquiry, userAdmin], 'FORBIDDEN'],
    ['master changes a person of another contract', master, foreignUser, [inquiry], 'NOT_FOUND'],
    ['anyone changes a deleted person', master, deleted, [inquiry], 'USERS_DELETED'],
  ];
  for (const [label, actor, subject, granted, expected] of cases) {
    assert.equal(refusalToChangeGrants(actor, subject, granted, [])?.code, expected, label);
  }
});

test('nobody removes the last active person able to administer', () => {
  const suspendedMaster: Person = { ...master, status: 'suspended' };
  const withoutAdmin = (person: Person): Person => ({ ...person, grants: person.grants.filter((g) => g.business !== 'user_admin') });
  const cases: [string, Person[], Person, string | undefined][] = [
    ['an admin user removed while the master administers', [master, admin, general], { ...admin, status: 'suspended' }, undefined],
    ['the only admin user gives up administration while the master is suspended', [suspendedMaster, admin, general], withoutAdmin(admin), 'USERS_LAST_ADMINISTRATOR'],
    ['the only admin user is deleted while the master is suspended', [suspendedMaster, admin], { ...admin, status: 'deleted' }, 'USERS_LAST_ADMINISTRATOR'],
    ['the only admin user is suspended while the master is suspended', [suspendedMaster, admin], { ...admin, status: 'suspended' }, 'USERS_LAST_ADMINISTRATOR'],
    ['one of two admin users gives up administration while the master is suspended', [suspendedMaster, admin, otherAdmin], withoutAdmin(admin), undefined],
    ['the other admin user is stopped, so it does not count', [suspendedMaster, admin, { ...otherAdmin, stopped: true }], withoutAdmin(admin), 'USERS_LAST_ADMINISTRATOR'],
    ['the other admin user is suspended, so it does not count', [suspendedMaster, admin, { ...otherAdmin, status: 'suspended' }], withoutAdmin(admin), 'USERS_LAST_ADMINISTRATOR'],
    ['an administrator of another contract does not count', [suspendedMaster, admin, foreignMaster], withoutAdmin(admin), 'USERS_LAST_ADMINISTRATOR'],
    ['a general user changed: no administrator removed', [suspendedMaster, admin, general], { ...general, status: 'deleted' }, undefined],
    ['the change keeps the person an administrator', [suspendedMaster, admin], { ...admin, accountIds: [] }, undefined],
    ['a person not yet able to administer gains nothing to lose', [suspendedMaster, { ...admin, stopped: true }], withoutAdmin({ ...admin, stopped: true }), undefined],
  ];
  for (const [label, people, changed, expected] of cases) {
    assert.equal(refusalToRemoveLastAdministrator(people, changed)?.code, expected, label);
  }
});
