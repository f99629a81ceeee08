import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.ts';
import { ownAccountAskedBy, resolveDestination } from '../../src/modules/transfers/destination.ts';
import { duplicateQuestionOfInput } from '../../src/modules/transfers/duplicate.ts';
import type { Destination } from '../../src/modules/transfers/types.ts';
import { testDeps } from '../helpers/deps.ts';

/**
 * R8.2, R8.6: the duplicate check's question, and the own account read with the person's
 * permission, are asked of an ad hoc destination exactly when the destination's checks accept the
 * account's form (src/domain/account-designation.ts). The rows name the bank's own
 * branch, given as read with the permission (holder.ts): no database is read.
 */
const deps = testDeps(undefined as never);
const ownBranch = { code: '001', branch: { code: '001', name: '本店', kana: 'ﾎﾝﾃﾝ' } };

type AdHoc = Extract<Destination, { adHoc: unknown }>['adHoc'];
const wellFormed: AdHoc = { bankCode: deps.config.bankCode, branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', nameInput: 'ﾔﾏﾀﾞ ﾊﾅｺ' };

const rows: [string, Partial<Record<keyof AdHoc, unknown>>, boolean][] = [
  ['every field well formed', {}, true],
  ['a current account', { accountType: 'current' }, true],
  ['a savings account', { accountType: 'savings' }, true],
  ['a three-digit bank code', { bankCode: '099' }, false],
  ['a five-digit bank code', { bankCode: '09999' }, false],
  ['a bank code in full-width digits', { bankCode: '０９９９' }, false],
  ['a bank code of letters', { bankCode: 'abcd' }, false],
  ['a bank code as a number', { bankCode: 1 }, false],
  ['no bank code', { bankCode: undefined }, false],
  ['a two-digit branch code', { branchCode: '01' }, false],
  ['a four-digit branch code', { branchCode: '0001' }, false],
  ['a branch code with a newline after it', { branchCode: '001\n' }, false],
  ['a branch code as a number', { branchCode: 1 }, false],
  ['an account type that is not one', { accountType: 'checking' }, false],
  ['an account type in capitals', { accountType: 'Ordinary' }, false],
  ['no account type', { accountType: undefined }, false],
  ['a six-digit account number', { accountNumber: '123456' }, false],
  ['an eight-digit account number', { accountNumber: '12345678' }, false],
  ['an account number of zeros', { accountNumber: '0000000' }, false],
  ['an account number in full-width digits', { accountNumber: '１２３４５６７' }, false],
  ['an account number with a hyphen', { accountNumber: '123-456' }, false],
  ['an account number as a number', { accountNumber: 1234567 }, false],
];

const formCodes = new Set(['TRANSFER_BANK_UNKNOWN', 'TRANSFER_BRANCH_UNKNOWN', 'TRANSFER_ACCOUNT_TYPE_INVALID', 'TRANSFER_ACCOUNT_NUMBER_INVALID']);

async function destinationAccepts(destination: Destination): Promise<boolean> {
  try {
    await resolveDestination(deps, undefined as never, 'C0000001', destination, ownBranch);
    return true;
  } catch (error) {
    if (isAppError(error) && formCodes.has(error.code)) return false;
    throw error;
  }
}

test('the duplicate question, the own account asked about and the destination checks agree on which ad hoc accounts are well formed', async () => {
  for (const [label, change, accepted] of rows) {
    const destination = { adHoc: { ...wellFormed, ...change } } as Destination;
    const input = { fromAccountId: 1, destination, amountYen: 1_000n, executionDate: '2026-04-01' };
    assert.equal(await destinationAccepts(destination), accepted, `destination checks: ${label}`);
    assert.equal(duplicateQuestionOfInput(input) !== undefined, accepted, `duplicate question: ${label}`);
    assert.equal(ownAccountAskedBy(deps, destination) !== undefined, accepted, `own account asked about: ${label}`);
  }
});
