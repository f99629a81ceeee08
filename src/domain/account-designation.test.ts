import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBank, findBranch, publishedBranch, type OwnBank } from './bank-directory.ts';
import { isAccountNumber, typedAccountNumber } from './account-designation.ts';

test('R8.2: an account number as typed is one to seven half-width digits, padded with zeros to seven', () => {
  assert.equal(typedAccountNumber('1234567'), '1234567');
  assert.equal(typedAccountNumber('42'), '0000042');
  assert.equal(typedAccountNumber('0000042'), '0000042');
  for (const typed of ['', '12345678', '１２３４５６７', '123-456', ' 1234567', '1234567\n', '12e4']) {
    assert.equal(typedAccountNumber(typed), undefined, JSON.stringify(typed));
  }
});

test('R8.2: no account is numbered with zeros alone, typed or sent', () => {
  for (const typed of ['0', '000', '0000000']) assert.equal(typedAccountNumber(typed), undefined, typed);
  assert.equal(isAccountNumber('0000000'), false);
  assert.equal(isAccountNumber('0000001'), true);
});

const own: OwnBank = {
  code: '0999',
  name: 'テスト銀行',
  kana: 'ﾃｽﾄ',
  branch: async (code) => (code === '001' ? { code, name: '本店', kana: 'ﾎﾝﾃﾝ' } : undefined),
  branches: async () => [],
};

test('R8.2: the bank directory answers only codes of the form, so no key of its data is taken for a bank', async () => {
  assert.equal(findBank(own, '0005')?.code, '0005');
  assert.equal((await findBranch(own, '0999', '001'))?.name, '本店');
  for (const code of ['__proto__', 'constructor', 'toString', '005', '00005', '０００５']) {
    assert.equal(findBank(own, code), undefined, code);
    assert.equal(await findBranch(own, code, '001'), undefined, code);
  }
  for (const code of ['__proto__', 'constructor', '01', '0001']) {
    assert.equal(await findBranch(own, '0005', code), undefined, code);
    assert.equal(publishedBranch('0005', code), undefined, code);
  }
});
