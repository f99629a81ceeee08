import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { readZengin } from '../../src/domain/zengin/read.ts';
import { buildZenginBytes, buildZenginFile, builtFileName, originatorCodeOf, parseAmountYen, parseEmployeeNumber, type BuildLine, type BuildOrigin } from '../../src/modules/bulk/build.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon } from '../helpers/people.ts';
import { appForFile, assertNoStackTrace, type TestApp } from '../helpers/http-app.ts';
import { addUserWith } from '../users/helpers.ts';
import { addContract } from '../transfers/fixtures.ts';
import { moneyContract, type MoneyContract } from '../transfers/pages/support.ts';
import { bulkState, otherBank, ownBankCode, uploadBulk, uploadedId } from './support.ts';

/**
 * R8.4: a file built on screen from the registered payees — made (checked and stored as an upload
 * is), downloaded (the very bytes stored, which upload again as the same file), kept as a template
 * and loaded again — and every bad input answered on the build page with nothing stored.
 */
const t = appForFile();

// The pure build, against the project's own reader.

const origin: BuildOrigin = {
  contractId: '30000001234',
  holderKana: 'ｶ)ﾌﾘｺﾐ',
  bankCode: '0999',
  bankKana: 'ﾃﾞﾓｷﾞﾝｺｳ',
  branchCode: '001',
  branchKana: 'ﾎﾝﾃﾝ',
  accountType: 'ordinary',
  accountNumber: '1234567',
};

const line = (overrides: Partial<BuildLine> = {}): BuildLine => ({
  bankCode: '0001',
  // Longer than the 15 characters of the field: cut, as banks' software does.
  bankKana: 'ﾐｽﾞﾎｷﾞﾝｺｳﾐｽﾞﾎｷﾞﾝｺｳ',
  branchCode: '001',
  branchKana: 'ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ',
  accountType: 'ordinary',
  accountNumber: '7654321',
  nameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ',
  amountYen: 12_345n,
  employeeNumber: '',
  ...overrides,
});

test('amounts as people type them: full-width digits, commas, a trailing 円; anything else is refused', () => {
  assert.equal(parseAmountYen('12,345'), 12_345n);
  assert.equal(parseAmountYen('１２，３４５円'), 12_345n);
  assert.equal(parseAmountYen(' 1000円 '), 1_000n);
  assert.equal(parseAmountYen('0012'), 12n);
  assert.equal(parseAmountYen('9999999999'), 9_999_999_999n, 'ten digits, the widest amount of a record');
  assert.equal(parseAmountYen(''), undefined, 'blank: not paid');
  assert.equal(parseAmountYen('   '), undefined);
  for (const bad of ['12a', 'abc', '0', '-5', '1.5', '10000000000', '¥100', '円', '1 000']) assert.equal(parseAmountYen(bad), null, bad);
  assert.equal(parseEmployeeNumber('００１２３'), '00123');
  assert.equal(parseEmployeeNumber(''), '');
  assert.equal(parseEmployeeNumber('12345678901'), null);
  assert.equal(parseEmployeeNumber('A1'), null);
});

test('the file built is a valid Zengin file of one batch that reads back as built', () => {
  assert.equal(originatorCodeOf('30000001234'), '0000001234', 'the last ten digits of the contract ID');
  assert.equal(originatorCodeOf('123'), '0000000123');
  const lines = [line(), line({ bankCode: '0999', bankKana: 'ﾃﾞﾓｷﾞﾝｺｳ', branchCode: '002', branchKana: 'ｴｷﾏｴ', accountType: 'current', nameKana: 'ｶ)ﾄﾘﾋｷｻｷ', amountYen: 50_000n })];
  const bytes = buildZenginBytes('21', '2026-04-02', origin, lines);
  assert.equal(bytes.length, 5 * 122, 'header, two records, trailer, end: 120 bytes and CRLF each');
  assert.deepEqual([...bytes.subarray(120, 122)], [0x0d, 0x0a]);
  const read = readZengin(bytes, { ownBank: { code: '0999', branchCodes: ['001', '002'] } });
  assert.ok(read.valid, JSON.stringify(read.errors));
  assert.deepEqual(read.file, buildZenginFile('21', '2026-04-02', origin, lines));
  const batch = read.file!.batches[0]!;
  assert.equal(batch.header.paymentDate, '0402');
  assert.equal(batch.header.originatorCode, '0000001234');
  assert.equal(batch.header.originatorName, 'ｶ)ﾌﾘｺﾐ');
  assert.equal(batch.records[0]!.beneficiaryBankName, 'ﾐｽﾞﾎｷﾞﾝｺｳﾐｽﾞﾎｷﾞ', 'fifteen characters, each voicing mark one');
  assert.equal(batch.records[1]!.accountType, '2');
  assert.equal(batch.trailer.totalAmount, 62_345n);
  assert.deepEqual(buildZenginBytes('21', '2026-04-02', origin, lines), bytes, 'the same inputs, the same bytes');
  assert.equal(builtFileName('21', '2026-04-02'), 'bulk-21-0402.txt');

  const salary = readZengin(buildZenginBytes('11', '2026-04-06', origin, [line({ employeeNumber: '123' }), line({ accountNumber: '7654322' })]));
  assert.ok(salary.valid, JSON.stringify(salary.errors));
  const [withNumber, without] = salary.file!.batches[0]!.records;
  assert.equal((withNumber as { employeeNumber: string }).employeeNumber, '0000000123');
  assert.equal((without as { employeeNumber: string }).employeeNumber, '', 'left blank');
});

// The pages.

interface Payees {
  /** At this bank, branch 002 (the test contract's payee account). */
  own: number;
  /** At みずほ銀行 東京営業部. */
  other: number;
}

async function addPayee(app: TestApp, contractId: string, createdBy: number, values: { bankCode: string; branchCode: string; accountNumber: string; nameKana: string; status?: 'active' | 'pending' | 'deleted' }): Promise<number> {
  const row = await app.deps.db
    .insertInto('payee')
    .values({
      contract_id: contractId,
      bank_code: values.bankCode,
      branch_code: values.branchCode,
      account_type: 'ordinary',
      account_number: values.accountNumber,
      name_kana: values.nameKana,
      nickname: null,
      status: values.status ?? 'active',
      created_by: createdBy,
      created_at: app.deps.clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function contractWithPayees(): Promise<MoneyContract & { payees: Payees; masterRef: number }> {
  const contract = await moneyContract(t);
  const { id: masterRef } = await t.deps.db.selectFrom('users').select('id').where('contract_id', '=', contract.master.contractId).where('user_id', '=', contract.master.userId).executeTakeFirstOrThrow();
  const own = await addPayee(t, contract.master.contractId, masterRef, { bankCode: ownBankCode, branchCode: contract.payee.branchCode, accountNumber: contract.payee.accountNumber, nameKana: 'ｶ)ﾄﾘﾋｷｻｷ' });
  const other = await addPayee(t, contract.master.contractId, masterRef, { bankCode: otherBank.bankCode, branchCode: otherBank.branchCode, accountNumber: '7654321', nameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ' });
  return { ...contract, payees: { own, other }, masterRef };
}

function buildFields(contract: MoneyContract, amounts: Record<number, string>, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    kind: '21',
    fromAccountId: String(contract.from.id),
    paymentDate: '2026-04-02',
    ...Object.fromEntries(Object.entries(amounts).map(([id, amount]) => [`amount-${id}`, amount])),
    ...overrides,
  };
}

async function postBuild(client: Client, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  await client.get('/bulk/build');
  return client.post('/bulk/build', fields);
}

async function templateCount(): Promise<number> {
  return Number((await t.deps.db.selectFrom('bulk_template').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
}

test('the build page lists every active payee with an amount field, the kinds, the paying account and the next business day', async () => {
  const contract = await contractWithPayees();
  const pending = await addPayee(t, contract.master.contractId, contract.masterRef, { bankCode: ownBankCode, branchCode: '001', accountNumber: '3999001', nameKana: 'ﾐｼﾖｳﾆﾝ', status: 'pending' });
  const page = await contract.client.get('/bulk/build');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<form method="post" action="\/bulk\/build"/);
  assert.match(page.body, new RegExp(`name="amount-${contract.payees.own}"`));
  assert.match(page.body, new RegExp(`name="amount-${contract.payees.other}"`));
  assert.doesNotMatch(page.body, new RegExp(`name="amount-${pending}"`), 'a payee awaiting approval is not offered');
  assert.match(page.body, /みずほ銀行 東京営業部/);
  assert.match(page.body, /<option value="11">給与振込<\/option>/);
  assert.match(page.body, new RegExp(`<option value="${contract.from.id}" selected>`));
  assert.match(page.body, /name="paymentDate" type="date" value="2026-04-02"/, 'Wednesday 1 April: Thursday');
  assert.match(page.body, /value="download"/);
  assertNoStackTrace(page);
});

test('built from two payees: the file page shows 2 records and the total; the download is the stored file, which uploads again as the same file', async () => {
  const contract = await contractWithPayees();
  const fields = buildFields(contract, { [contract.payees.own]: '１２，３４５円', [contract.payees.other]: '50,000' });
  const made = await postBuild(contract.client, { ...fields, do: 'make' });
  const id = uploadedId(made);
  const page = (await contract.client.get(`/bulk/files/${id}`)).body;
  assert.match(page, /data-status="draft"/);
  assert.match(page, /<span id="bulk-count">2 件<\/span>/);
  assert.match(page, /<span id="bulk-total">62,345円<\/span>/);
  assert.equal((page.match(/<tr data-seq=/g) ?? []).length, 2);
  assert.match(page, /2026年4月2日（木）/);
  assert.match(page, />bulk-21-0402\.txt</);
  const stored = await t.deps.db.selectFrom('bulk_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(stored.origin, 'built');
  assert.equal(stored.created_by, contract.masterRef);

  const download = await postBuild(contract.client, { ...fields, do: 'download' });
  assert.equal(download.statusCode, 200);
  assert.equal(download.headers['content-type'], 'application/octet-stream');
  assert.equal(download.headers['content-disposition'], 'attachment; filename="bulk-21-0402.txt"');
  assert.deepEqual(download.rawPayload, Buffer.from(stored.content), 'byte for byte the file stored');

  // Once registered, the same bytes uploaded are flagged as the same file.
  const registered = await contract.client.post(`/bulk/files/${id}`, {
    action: 'register',
    idempotencyKey: /id="action-register"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(page)![1]!,
    confirmationPassword: contract.master.confirmationPassword,
  });
  assert.equal(registered.statusCode, 303, errorCode(registered.body));
  const again = uploadedId(await uploadBulk(contract.client, download.rawPayload, { name: 'bulk-21-0402.txt' }));
  const copy = await t.deps.db.selectFrom('bulk_file').selectAll().where('id', '=', again).executeTakeFirstOrThrow();
  assert.equal(copy.digest, stored.digest);
  assert.equal(copy.duplicate_of, id);
  assert.equal(copy.origin, 'upload');
  assert.match((await contract.client.get(`/bulk/files/${again}`)).body, /id="bulk-duplicate"/);
});

test('a salary file pays the payees typed with their employee numbers', async () => {
  const contract = await contractWithPayees();
  const fields = buildFields(contract, { [contract.payees.own]: '300,000', [contract.payees.other]: '' }, {
    kind: '11',
    // R8.4: salaries are sent two business days ahead: Monday 6 April, by Thursday 2 April 15:00.
    paymentDate: '2026-04-06',
    [`employee-${contract.payees.own}`]: '４２',
  });
  const id = uploadedId(await postBuild(contract.client, { ...fields, do: 'make' }));
  const records = await t.deps.db.selectFrom('bulk_record').selectAll().where('file_id', '=', id).execute();
  assert.equal(records.length, 1, 'a blank amount is not paid');
  assert.equal(records[0]!.amount_yen, 300_000n);
  assert.equal(records[0]!.customer_code, '0000000042');
  const file = await t.deps.db.selectFrom('bulk_file').select(['type_code', 'payment_date']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(file, { type_code: '11', payment_date: '2026-04-06' });
});

test('a contract with hundreds of payees builds from its whole list, a form larger than the portal’s other forms', async () => {
  const contract = await contractWithPayees();
  const many = await t.deps.db
    .insertInto('payee')
    .values(Array.from({ length: 700 }, (_, i) => ({
      contract_id: contract.master.contractId,
      bank_code: otherBank.bankCode,
      branch_code: otherBank.branchCode,
      account_type: 'ordinary' as const,
      account_number: String(5_000_000 + i),
      name_kana: `ﾄﾘﾋｷｻｷ${i}`,
      nickname: null,
      status: 'active' as const,
      created_by: contract.masterRef,
      created_at: t.deps.clock.now(),
    })))
    .returning('id')
    .execute();
  const page = await contract.client.get('/bulk/build');
  assert.equal((page.body.match(/<tr data-payee-id=/g) ?? []).length, 702);
  // Every field as the browser sends it: blank ones too.
  const amounts: Record<number, string> = Object.fromEntries(many.map((row) => [row.id, '']));
  amounts[many[0]!.id] = '1,000';
  amounts[many[699]!.id] = '2,000';
  const fields = { ...buildFields(contract, amounts), ...Object.fromEntries(many.map((row) => [`employee-${row.id}`, ''])) };
  assert.ok(new URLSearchParams(fields).toString().length > 16 * 1024, 'over 16 kB');
  const id = uploadedId(await postBuild(contract.client, { ...fields, do: 'make' }));
  const file = await t.deps.db.selectFrom('bulk_file').select(['record_count', 'total_yen']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(file, { record_count: 2, total_yen: 3_000n });
});

test('a template keeps the kind, account, payees and amounts; loaded again it fills the form; saved under its name it is replaced', async () => {
  const contract = await contractWithPayees();
  const before = await bulkState(t.deps);
  const saved = await postBuild(contract.client, { ...buildFields(contract, { [contract.payees.own]: '12345', [contract.payees.other]: '' }, { kind: '12', templateName: '毎月の賞与' }), do: 'save' });
  assert.equal(saved.statusCode, 303, errorCode(saved.body));
  const match = /^\/bulk\/build\?template=(\d+)&saved=1$/.exec(String(saved.headers.location));
  assert.ok(match, String(saved.headers.location));
  assert.deepEqual(await bulkState(t.deps), before, 'a template is no file');
  const page = (await contract.client.get(String(saved.headers.location))).body;
  assert.match(page, /id="bulk-build-notice"/);
  assert.match(page, new RegExp(`name="amount-${contract.payees.own}" type="text" inputmode="numeric" maxlength="20" autocomplete="off" value="12,345"`));
  assert.match(page, new RegExp(`name="amount-${contract.payees.other}" type="text" inputmode="numeric" maxlength="20" autocomplete="off" value=""`));
  assert.match(page, /<option value="12" selected>/);
  assert.match(page, /name="templateName" type="text" value="毎月の賞与"/);
  assert.match(page, new RegExp(`<a href="/bulk/build\\?template=${match[1]}">毎月の賞与</a>`));

  const count = await templateCount();
  const replaced = await postBuild(contract.client, { ...buildFields(contract, { [contract.payees.other]: '7,000' }, { templateName: '毎月の賞与' }), do: 'save' });
  assert.equal(replaced.headers.location, `/bulk/build?template=${match[1]}&saved=1`, 'the same template');
  assert.equal(await templateCount(), count);
  const reloaded = (await contract.client.get(`/bulk/build?template=${match[1]}`)).body;
  assert.match(reloaded, new RegExp(`name="amount-${contract.payees.other}"[^>]*value="7,000"`));
  assert.match(reloaded, new RegExp(`name="amount-${contract.payees.own}"[^>]*value=""`));
  assert.match(reloaded, /<option value="21" selected>/);

  // Another contract's template is not found.
  const stranger = await contractWithPayees();
  assert.equal((await stranger.client.get(`/bulk/build?template=${match[1]}`)).statusCode, 404);
});

test('bad input is answered on the build page with its code and the values typed, and stores nothing', async () => {
  const contract = await contractWithPayees();
  const { own, other } = contract.payees;
  const elsewhere = await addContract(t.deps);
  const foreign = await addPayee(t, elsewhere.contractId, elsewhere.master.user.id, { bankCode: otherBank.bankCode, branchCode: otherBank.branchCode, accountNumber: '1111111', nameKana: 'ﾖｿﾉｹｲﾔｸ' });
  const deleted = await addPayee(t, contract.master.contractId, contract.masterRef, { bankCode: otherBank.bankCode, branchCode: otherBank.branchCode, accountNumber: '2222222', nameKana: 'ｻｸｼﾞﾖｽﾞﾐ', status: 'deleted' });
  const pending = await addPayee(t, contract.master.contractId, contract.masterRef, { bankCode: otherBank.bankCode, branchCode: otherBank.branchCode, accountNumber: '3333333', nameKana: 'ｼﾖｳﾆﾝﾏﾁ', status: 'pending' });
  const cases: [string, Record<string, string>, string, string?][] = [
    ['letters in an amount', buildFields(contract, { [own]: '12a', [other]: '100' }), 'BULK_BUILD_AMOUNT_INVALID', 'value="12a"'],
    ['a zero amount', buildFields(contract, { [own]: '0' }), 'BULK_BUILD_AMOUNT_INVALID'],
    ['eleven digits', buildFields(contract, { [own]: '10000000000' }), 'BULK_BUILD_AMOUNT_INVALID'],
    ['no lines', buildFields(contract, { [own]: '', [other]: ' ' }), 'BULK_BUILD_EMPTY'],
    ['another contract’s payee', buildFields(contract, { [own]: '100', [foreign]: '100' }), 'BULK_BUILD_PAYEE_UNUSABLE', 'value="100"'],
    ['a deleted payee', buildFields(contract, { [deleted]: '100' }), 'BULK_BUILD_PAYEE_UNUSABLE'],
    ['a payee awaiting approval', buildFields(contract, { [pending]: '100' }), 'BULK_BUILD_PAYEE_UNUSABLE'],
    ['a payee ID that is no ID', { ...buildFields(contract, { [own]: '100' }), 'amount-0x1': '100' }, 'BULK_BUILD_PAYEE_UNUSABLE'],
    ['a past date', buildFields(contract, { [own]: '100' }, { paymentDate: '2026-03-31' }), 'BULK_BUILD_DATE_INVALID', 'value="2026-03-31"'],
    ['beyond 60 days', buildFields(contract, { [own]: '100' }, { paymentDate: '2026-06-01' }), 'BULK_BUILD_DATE_INVALID'],
    ['no date', buildFields(contract, { [own]: '100' }, { paymentDate: '' }), 'BULK_BUILD_DATE_INVALID'],
    ['another contract’s account', buildFields(contract, { [own]: '100' }, { fromAccountId: String(contract.payee.id) }), 'BULK_ACCOUNT_NOT_USABLE'],
    ['an unknown kind', buildFields(contract, { [own]: '100' }, { kind: '99' }), 'INPUT_INVALID'],
    ['letters in an employee number', buildFields(contract, { [own]: '100' }, { kind: '11', paymentDate: '2026-04-06', [`employee-${own}`]: 'A12' }), 'INPUT_INVALID'],
  ];
  for (const action of ['make', 'download'] as const) {
    for (const [label, fields, code, kept] of cases) {
      const before = await bulkState(t.deps);
      const answer = await postBuild(contract.client, { ...fields, do: action });
      const where = `${action}, ${label}`;
      assert.equal(answer.statusCode, code === 'BULK_ACCOUNT_NOT_USABLE' ? 403 : 400, where);
      assert.equal(errorCode(answer.body), code, where);
      assert.match(answer.body, /<form method="post" action="\/bulk\/build"/, `${where}: the build page again`);
      if (kept) assert.ok(answer.body.includes(kept), `${where}: ${kept} kept`);
      assertNoStackTrace(answer);
      assert.deepEqual(await bulkState(t.deps), before, `${where}: nothing stored`);
    }
  }
  // A template holds the same lines: the same refusals, and no template either.
  const templates = await templateCount();
  for (const [label, fields, code] of [
    ['a tampered payee', buildFields(contract, { [foreign]: '100' }, { templateName: 'x' }), 'BULK_BUILD_PAYEE_UNUSABLE'],
    ['no name', buildFields(contract, { [own]: '100' }, { templateName: ' ' }), 'BULK_TEMPLATE_NAME_INVALID'],
    ['a name of 41 characters', buildFields(contract, { [own]: '100' }, { templateName: 'あ'.repeat(41) }), 'BULK_TEMPLATE_NAME_INVALID'],
    ['no lines', buildFields(contract, {}, { templateName: 'empty' }), 'BULK_BUILD_EMPTY'],
  ] as const) {
    const answer = await postBuild(contract.client, { ...fields, do: 'save' });
    assert.equal(answer.statusCode, 400, label);
    assert.equal(errorCode(answer.body), code, label);
  }
  assert.equal(await templateCount(), templates, 'no template saved');

  // A date the file check refuses (a Saturday) shows the check's problems on the build page.
  const before = await bulkState(t.deps);
  const saturday = await postBuild(contract.client, { ...buildFields(contract, { [own]: '100' }, { paymentDate: '2026-04-04' }), do: 'make' });
  assert.equal(saturday.statusCode, 400);
  assert.equal(errorCode(saturday.body), 'BULK_FILE_INVALID');
  assert.match(saturday.body, /<tr data-record="1" data-field="paymentDate">/);
  assert.match(saturday.body, /value="2026-04-04"/);
  assert.deepEqual(await bulkState(t.deps), before);

  // A forged form (no CSRF token) does nothing, the download included.
  const forged = await contract.client.post('/bulk/build', { ...buildFields(contract, { [own]: '100' }), do: 'download' }, { csrf: 'forged' });
  assert.equal(errorCode(forged.body), 'CSRF_INVALID');
  assert.notEqual(forged.headers['content-type'], 'application/octet-stream');
});

test('a person without the register step of bulk files gets BULK_NOT_PERMITTED, on the page and on every action', async () => {
  const contract = await contractWithPayees();
  const clerk = await addUserWith(t.deps, contract.master.contractId, [{ business: 'bulk_transfer', approve: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 1_000_000n }], [contract.from.id]);
  const client = new Client(t.app);
  assert.equal((await logon(client, clerk)).headers.location, '/status');
  const page = await client.get('/bulk/build');
  assert.equal(page.statusCode, 403);
  assert.equal(errorCode(page.body), 'BULK_NOT_PERMITTED');
  assertNoStackTrace(page);
  await client.get('/status');
  const templates = await templateCount();
  for (const action of ['make', 'download', 'save']) {
    const before = await bulkState(t.deps);
    const answer = await client.post('/bulk/build', { ...buildFields(contract, { [contract.payees.own]: '100' }, { templateName: 'x' }), do: action });
    assert.equal(answer.statusCode, 403, action);
    assert.equal(errorCode(answer.body), 'BULK_NOT_PERMITTED', action);
    assert.deepEqual(await bulkState(t.deps), before, action);
  }
  assert.equal(await templateCount(), templates);
  // Nor from the files list.
  assert.doesNotMatch((await client.get('/bulk')).body, /id="bulk-build-link"/);
});
