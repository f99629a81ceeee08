import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bankFullName } from './bank-full-name.ts';
import { findBank, searchBanks } from './bank-directory.ts';

const own = { code: '0999', name: 'デモ銀行', kana: 'ﾃﾞﾓ' };

test('a bank is named with its type: みずほ銀行, a 信用金庫, a 信用組合, a 農業協同組合', () => {
  assert.equal(bankFullName('0001', 'みずほ'), 'みずほ銀行');
  assert.equal(bankFullName('0288', '三菱ＵＦＪ信託'), '三菱UFJ信託銀行');
  assert.equal(bankFullName('1001', '北海道信金'), '北海道信用金庫');
  assert.equal(bankFullName('2011', '北央信組'), '北央信用組合');
  assert.equal(bankFullName('2951', '北海道労金'), '北海道労働金庫');
  assert.equal(bankFullName('3058', '今金町農協'), '今金町農業協同組合');
  assert.equal(bankFullName('9450', '北海道信漁連'), '北海道信用漁業協同組合連合会');
  assert.equal(bankFullName('9900', 'ゆうちょ'), 'ゆうちょ銀行');
  assert.equal(bankFullName('2004', '商工中金'), '商工組合中央金庫');
});

test('the bank directory gives the names with their type, and finds a bank by its full name and its short one', () => {
  assert.equal(findBank(own, '0001')?.name, 'みずほ銀行');
  assert.equal(findBank(own, '1001')?.name, '北海道信用金庫');
  assert.equal(findBank(own, '0999')?.name, 'デモ銀行', 'the bank itself keeps its configured name');
  assert.equal(searchBanks(own, 'みずほ銀行')[0]?.code, '0001');
  assert.equal(searchBanks(own, 'みずほ')[0]?.code, '0001');
});
