import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { findBank, findBranch, searchBanks, searchBranches, type OwnBank } from '../../src/domain/bank-directory.ts';
import { ownBank } from '../../src/modules/payees/own-bank.ts';
import { isZenginKana } from '../../src/domain/zengin-kana.ts';

/** R8.2: banks and branches from the zengin-code data, with the bank's own code and branches in their place. */
let database: TestDatabase;
let own: OwnBank;
before(async () => {
  database = await createTestDatabase();
  own = ownBank(testDeps(database.db, { env: { BANK_CODE: '0999', BANK_NAME: 'デモ銀行', BANK_NAME_KANA: 'ﾃﾞﾓｷﾞﾝｺｳ' } }));
  await database.db
    .insertInto('own_branch')
    .values([
      { code: '001', name: '本店営業部', name_kana: 'ﾎﾝﾃﾝｴｲｷﾞﾖｳﾌﾞ' },
      { code: '120', name: '新宿支店', name_kana: 'ｼﾝｼﾞﾕｸ' },
    ])
    .execute();
});
after(async () => database.drop());

test('a real bank code finds the bank with its kana in Zengin form', () => {
  assert.deepEqual(findBank(own, '0005'), { code: '0005', name: '三菱UFJ銀行', kana: 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ', own: false });
  assert.equal(findBank(own, '0001')?.kana, 'ﾐｽﾞﾎ');
});

test('a real branch of that bank is found, its kana in Zengin form', async () => {
  assert.deepEqual(await findBranch(own, '0005', '001'), { code: '001', name: '本店', kana: 'ﾎﾝﾃﾝ' });
  assert.equal((await findBranch(own, '0005', '002'))?.name, '丸の内');
});

test('unknown or malformed codes find nothing', async () => {
  for (const code of ['9998', '0000', '005', '00005', 'abcd', '０００５', '']) assert.equal(findBank(own, code), undefined, code);
  for (const code of ['000', '99', '0001', 'abc', '００１', '']) assert.equal(await findBranch(own, '0005', code), undefined, code);
  assert.equal(await findBranch(own, '9998', '001'), undefined, 'no branch of an unknown bank');
});

test('the bank’s own code is the bank itself, with its branches from own_branch', async () => {
  assert.deepEqual(findBank(own, '0999'), { code: '0999', name: 'デモ銀行', kana: 'ﾃﾞﾓｷﾞﾝｺｳ', own: true });
  assert.deepEqual(await findBranch(own, '0999', '120'), { code: '120', name: '新宿支店', kana: 'ｼﾝｼﾞﾕｸ' });
  assert.equal(await findBranch(own, '0999', '002'), undefined, 'a branch not in own_branch does not exist');
  const sameCode = ownBank(testDeps(database.db, { env: { BANK_CODE: '0005', BANK_NAME: '自行', BANK_NAME_KANA: 'ｼﾞｺｳ' } }));
  assert.equal(findBank(sameCode, '0005')?.own, true, 'a bank code also in the data is the bank itself');
  assert.equal(await findBranch(sameCode, '0005', '002'), undefined, 'and only its own branches count');
});

test('banks are found by code, name, and kana in full-width, half-width and hiragana', () => {
  const codes = (query: string) => searchBanks(own, query).map((bank) => bank.code);
  assert.equal(codes('0005')[0], '0005');
  assert.ok(codes('三菱').includes('0005'));
  assert.ok(codes('UFJ').includes('0005'), 'half-width letters find a full-width name');
  assert.ok(codes('ミツビシ').includes('0005'));
  assert.ok(codes('ﾐﾂﾋﾞｼ').includes('0005'));
  assert.ok(codes('みつびし').includes('0005'));
  assert.ok(codes('mitsubishi').includes('0005'), 'and by its romanised name');
  assert.deepEqual(codes('デモ'), ['0999'], 'the bank itself is found by its name');
  assert.deepEqual(codes('ﾃﾞﾓｷﾞﾝ'), ['0999']);
  assert.deepEqual(codes(''), []);
  assert.deepEqual(codes('存在しない銀行名'), []);
  assert.ok(searchBanks(own, 'ｼﾝｸﾐ', 5).length === 5, 'the limit holds');
  for (const bank of searchBanks(own, 'ｼﾝｷﾝ', 100)) assert.ok(isZenginKana(bank.kana, 40), `${bank.code} ${bank.kana}`);
});

test('branches are found by code, name and kana; the bank’s own from own_branch', async () => {
  const codes = async (bank: string, query: string) => (await searchBranches(own, bank, query)).map((b) => b.code);
  assert.equal((await codes('0005', '001'))[0], '001');
  assert.ok((await codes('0005', '丸の内')).includes('002'));
  assert.ok((await codes('0005', 'まるのうち')).includes('002'));
  assert.ok((await codes('0005', 'ﾏﾙﾉｳﾁ')).includes('002'));
  assert.deepEqual(await codes('0999', 'しんじゅく'), ['120']);
  assert.deepEqual(await codes('0999', '本店'), ['001']);
  assert.deepEqual(await codes('9998', '本店'), [], 'an unknown bank has no branches');
});
