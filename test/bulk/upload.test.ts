import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../helpers/client.ts';
import { appForFile, assertNoStackTrace, postJson } from '../helpers/http-app.ts';
import { addUserWith } from '../users/helpers.ts';
import { moneyContract } from '../transfers/pages/support.ts';
import { bulkState, manyRecords, ownBankCode, uploadBulk, uploadedId, zenginBytes } from './support.ts';
import { Client } from '../helpers/client.ts';
import { logon } from '../helpers/people.ts';

/**
 * R8.4 at the upload page: a valid file is kept as the uploader's draft and shown with its summary
 * and its records a page at a time; a file with problems is answered on the upload page with every
 * problem, each with its record and field, and nothing is stored; the same file twice is flagged.
 */
const t = appForFile();

test('a valid file is shown with its summary (kind, batches, count, total, date, paying account) and its records, paged', async () => {
  const contract = await moneyContract(t);
  const bytes = zenginBytes(contract.from, [...manyRecords(149, 1_000n), { amountYen: 2_500n, to: { bankCode: ownBankCode, branchCode: contract.payee.branchCode, accountNumber: contract.payee.accountNumber } }]);
  const id = uploadedId(await uploadBulk(contract.client, bytes, { name: 'C:\\会計\\sogo.txt' }));
  const page = (await contract.client.get(`/bulk/files/${id}`)).body;
  assert.match(page, /data-status="draft"/);
  assert.match(page, /<span id="bulk-count">150 件<\/span>/);
  assert.match(page, /<span id="bulk-total">151,500円<\/span>/);
  assert.match(page, /2026年4月1日（水）/);
  assert.match(page, new RegExp(contract.from.accountNumber));
  assert.match(page, />sogo\.txt</, 'the file name without its folders');
  assert.equal((page.match(/<tr data-seq=/g) ?? []).length, 50, 'fifty records a page');
  const second = (await contract.client.get(`/bulk/files/${id}?page=3`)).body;
  assert.equal((second.match(/<tr data-seq=/g) ?? []).length, 50);
  assert.match(second, /3 \/ 3ページ/);
  assert.match(second, /ﾃﾞﾓ銀行|デモ銀行/, 'a record to this bank is named with the bank');
  assert.match(page, /みずほ銀行 東京営業部/, 'other banks by their published names');
  const stored = await t.deps.db.selectFrom('bulk_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(Buffer.from(stored.content), bytes, 'the bytes are kept as sent');
  assert.equal(stored.fee_yen, 149n * 330n + 110n, 'fees by the fee table: other bank below 30,000 yen, and this bank another branch');
});

test('a file with problems is answered on the upload page with every problem, its record and field, and nothing is stored', async () => {
  const contract = await moneyContract(t);
  const good = zenginBytes(contract.from, manyRecords(3));
  // Letters in the amount of record 3 (the second data record) and a trailer total that no longer matches.
  const broken = Buffer.from(good);
  const secondRecord = 122 * 2;
  broken.write('12AB567890', secondRecord + 80, 'latin1');
  const before = await bulkState(t.deps);
  const answer = await uploadBulk(contract.client, broken);
  assert.equal(answer.statusCode, 400);
  assert.equal(errorCode(answer.body), 'BULK_FILE_INVALID');
  assert.match(answer.body, /<tr data-record="3" data-field="amount">/, 'record 3, its amount');
  assert.match(answer.body, /3 行目/);
  assert.match(answer.body, /振込金額/);
  assertNoStackTrace(answer);
  assert.deepEqual(await bulkState(t.deps), before, 'nothing stored');
});

test('bad files get a clear page and store nothing: binary, UTF-8, empty, over the size limit, a 119-byte record, letters in amounts', async () => {
  const contract = await moneyContract(t);
  const good = zenginBytes(contract.from, manyRecords(2));
  const cases: [string, Buffer, string, string?][] = [
    ['binary', Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) % 256)), 'BULK_FILE_INVALID', 'binary_file'],
    ['UTF-8 instead of Shift_JIS', Buffer.from(good.toString('latin1').replace('ﾄ', 'ト'), 'utf8'), 'BULK_FILE_INVALID'],
    ['0 bytes', Buffer.alloc(0), 'BULK_FILE_INVALID', 'empty_file'],
    ['10 MB over the limit', Buffer.alloc(14 * 1024 * 1024, 0x20), 'BULK_FILE_TOO_LARGE'],
    ['a 119-byte record', Buffer.concat([good.subarray(0, 122 + 119), good.subarray(122 + 120)]), 'BULK_FILE_INVALID', 'record_length'],
  ];
  for (const [label, content, code, reason] of cases) {
    const before = await bulkState(t.deps);
    const answer = await uploadBulk(contract.client, content);
    assert.equal(errorCode(answer.body), code, label);
    assert.ok(answer.statusCode === 400 || answer.statusCode === 413, `${label}: ${answer.statusCode}`);
    assert.match(answer.body, /<form method="post" action="\/bulk\/upload"/, `${label}: the upload form again`);
    if (reason === 'empty_file') assert.match(answer.body, /data-record="" data-field="file"/, label);
    if (reason === 'record_length') assert.match(answer.body, /data-record="2" data-field="record"/, label);
    assertNoStackTrace(answer);
    assert.deepEqual(await bulkState(t.deps), before, `${label}: nothing stored`);
  }
  const none = await uploadBulk(contract.client, undefined);
  assert.equal(errorCode(none.body), 'BULK_FILE_REQUIRED');
  const forged = await uploadBulk(contract.client, good, { csrf: 'forged' });
  assert.equal(forged.statusCode, 403, 'a file without the form token is refused');
});

test('the paying account must be one of the contract that the person may use, and the date one the file can still be sent for', async () => {
  const contract = await moneyContract(t);
  const strangers = await moneyContract(t);
  const answer = await uploadBulk(contract.client, zenginBytes(strangers.from, manyRecords(1)));
  assert.equal(errorCode(answer.body), 'BULK_FILE_INVALID');
  assert.match(answer.body, /data-record="1" data-field="accountNumber"/);
  assert.match(answer.body, /この契約の口座ではありません/);
  const holiday = await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(1), { mmdd: '0429' }));
  assert.match(holiday.body, /data-field="paymentDate"/);
  assert.match(holiday.body, /昭和の日/);
  // A salary file is due two business days before its date: 04-02 cannot be sent on 04-01.
  const salary = await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(1), { typeCode: '11', mmdd: '0402' }));
  assert.match(salary.body, /data-field="paymentDate"/);
  assert.match(salary.body, /締め切りました/);
  uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(1), { typeCode: '11', mmdd: '0403' })));
  // A person who may not use the account.
  const clerk = await addUserWith(t.deps, contract.master.contractId, [{ business: 'bulk_transfer', register: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 1_000_000n }]);
  const clerkClient = new Client(t.app);
  await logon(clerkClient, clerk);
  const notUsable = await uploadBulk(clerkClient, zenginBytes(contract.from, manyRecords(1)));
  assert.match(notUsable.body, /あなたが利用できる口座ではありません/);
});

test('the same file uploaded twice is flagged, and registering it needs the person to say it is a payment of its own', async () => {
  const contract = await moneyContract(t);
  const bytes = zenginBytes(contract.from, manyRecords(2));
  const first = uploadedId(await uploadBulk(contract.client, bytes));
  const firstPage = (await contract.client.get(`/bulk/files/${first}`)).body;
  assert.doesNotMatch(firstPage, /id="bulk-duplicate"/, 'a draft alone is no earlier payment');
  const register = (page: string, id: bigint, extra: Record<string, string> = {}) =>
    contract.client.post(`/bulk/files/${id}`, { action: 'register', idempotencyKey: /id="action-register"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(page)![1]!, confirmationPassword: contract.master.confirmationPassword, ...extra });
  assert.equal((await register(firstPage, first)).statusCode, 303);
  const second = uploadedId(await uploadBulk(contract.client, bytes));
  const page = (await contract.client.get(`/bulk/files/${second}`)).body;
  assert.match(page, /id="bulk-duplicate"/);
  assert.match(page, new RegExp(`番号 ${first}`));
  const before = await bulkState(t.deps);
  const refused = await register(page, second);
  assert.equal(errorCode(refused.body), 'BULK_DUPLICATE_UNCONFIRMED');
  assert.deepEqual(await bulkState(t.deps), before, 'nothing changed');
  const accepted = await register(page, second, { duplicateConfirmed: 'yes' });
  assert.equal(accepted.statusCode, 303, errorCode(accepted.body));
});

test('a step whose action is not text (a JSON object) is refused on the file\'s page with its code, not answered with a server error', async () => {
  // Found by the form fuzz (test/fuzz/payee-and-bulk-forms.fuzz.test.ts): the page echoed the action through String(), which throws for such an object.
  const contract = await moneyContract(t);
  const id = uploadedId(await uploadBulk(contract.client, zenginBytes(contract.from, manyRecords(2))));
  await contract.client.get(`/bulk/files/${id}`);
  const before = await bulkState(t.deps);
  for (const [label, body] of [
    ['the right CSRF token', { action: { toString: 1 }, _csrf: contract.client.csrf }],
    ['a CSRF token that is a number', { action: { toString: 1, valueOf: null }, _csrf: 12345 }],
  ] as const) {
    const refused = await postJson(contract.client, `/bulk/files/${id}`, body);
    assert.ok(refused.statusCode >= 400 && refused.statusCode < 500, `${label}: a 4xx (got ${refused.statusCode})`);
    assert.ok(errorCode(refused.body), `${label}: an error code`);
    assert.match(refused.body, new RegExp(`<form method="post" action="/bulk/files/${id}"`), `${label}: the file's page`);
    assertNoStackTrace(refused);
  }
  assert.deepEqual(await bulkState(t.deps), before, 'nothing changed');
});
