import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { startApp, type TestApp } from '../../helpers/http-app.ts';
import { commonBadInputs, fullWidth } from '../../helpers/bad-input.ts';
import { addAccount, addContract } from '../fixtures.ts';
import { adHocFields, assertRefusedMoney, moneyContract, type MoneyContract, type Refusal } from './support.ts';

/**
 * R8.2 bad input on the transfer form: every field's problem is refused on the same page, with its
 * own code next to the field, and nothing is written (the form only quotes).
 */
let database: TestDatabase;
let t: TestApp;
let contract: MoneyContract;
before(async () => {
  database = await createTestDatabase();
  t = await startApp(database.db);
  contract = await moneyContract(t);
});
after(async () => {
  await t.app.close();
  await database.drop();
});

const form = { url: '/transfers/new' };

test('amounts that are negative, zero, fractional, huge, full-width or not numbers are each refused with their own message', async () => {
  await contract.client.get('/transfers/new');
  const amount = (label: string, value: string, code: string): Refusal => ({ label, fields: adHocFields(contract, { amount: value }), code, field: 'amount' });
  await assertRefusedMoney(t.deps, contract.client, contract.master, form, [
    amount('a negative amount', '-1000', 'TRANSFER_PAGES_AMOUNT_NEGATIVE'),
    amount('minus zero', '-0', 'TRANSFER_PAGES_AMOUNT_NEGATIVE'),
    amount('zero', '0', 'TRANSFER_PAGES_AMOUNT_ZERO'),
    amount('zeros', '000', 'TRANSFER_PAGES_AMOUNT_ZERO'),
    amount('a fraction', '1000.5', 'TRANSFER_PAGES_AMOUNT_FRACTION'),
    amount('half a yen', '0.5', 'TRANSFER_PAGES_AMOUNT_FRACTION'),
    amount('eleven digits', '10000000000', 'TRANSFER_PAGES_AMOUNT_TOO_LARGE'),
    amount('a huge amount with commas', '99,999,999,999,999', 'TRANSFER_PAGES_AMOUNT_TOO_LARGE'),
    amount('a hundred digits', '9'.repeat(100), 'TRANSFER_PAGES_AMOUNT_TOO_LARGE'),
    amount('a full-width fraction', fullWidth('1000.5'), 'TRANSFER_PAGES_AMOUNT_FRACTION'),
    amount('misplaced commas', '12,34', 'TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER'),
    amount('an exponent', '1e5', 'TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER'),
    amount('a yen sign', '¥1000', 'TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER'),
    amount('a NUL', '1000\u0000', 'TRANSFER_PAGES_AMOUNT_NOT_A_NUMBER'),
    amount('nothing', '', 'TRANSFER_PAGES_AMOUNT_EMPTY'),
    amount('spaces', '   ', 'TRANSFER_PAGES_AMOUNT_EMPTY'),
    // R1.4, R8.2: a well-formed amount the person may not send is the service's to refuse, on the same field.
    amount('more than the balance', '1,000,000', 'TRANSFER_INSUFFICIENT_FUNDS'),
    amount("beyond the master's per-transaction limit", '10,000,001', 'TRANSFER_PER_TRANSACTION_LIMIT'),
  ]);
});

test('a payee name with kanji, or empty, or too long in Zengin kana, is refused next to the name', async () => {
  await contract.client.get('/transfers/new');
  const name = (label: string, value: string, code: string): Refusal => ({ label, fields: adHocFields(contract, { name: value }), code, field: 'name' });
  await assertRefusedMoney(t.deps, contract.client, contract.master, form, [
    name('kanji', '山田太郎', 'TRANSFER_NAME_UNCONVERTIBLE'),
    name('kana with one kanji', 'ヤマダ花子', 'TRANSFER_NAME_UNCONVERTIBLE'),
    name('an emoji', 'ﾀﾛｳ😀', 'TRANSFER_NAME_UNCONVERTIBLE'),
    name('nothing', '', 'TRANSFER_PAGES_NAME_REQUIRED'),
    name('31 kana', 'ｱ'.repeat(31), 'TRANSFER_NAME_TOO_LONG'),
    name('61 characters typed', 'a'.repeat(61), 'TRANSFER_PAGES_NAME_REQUIRED'),
    name('a line break', 'ﾀﾛｳ\nﾊﾅｺ', 'TRANSFER_PAGES_NAME_REQUIRED'),
  ]);
});

test('invalid or unknown bank and branch codes, account types and numbers are refused next to their field', async () => {
  await contract.client.get('/transfers/new');
  const at = (label: string, overrides: Record<string, string>, code: string, field: string): Refusal => ({ label, fields: adHocFields(contract, overrides), code, field });
  await assertRefusedMoney(t.deps, contract.client, contract.master, form, [
    at('a three-digit bank code', { bankCode: '099' }, 'TRANSFER_PAGES_BANK_CODE_INVALID', 'bankCode'),
    at('a bank code with letters', { bankCode: '09a9' }, 'TRANSFER_PAGES_BANK_CODE_INVALID', 'bankCode'),
    at('a full-width bank code', { bankCode: fullWidth('0999') }, 'TRANSFER_PAGES_BANK_CODE_INVALID', 'bankCode'),
    at('a bank code no bank has', { bankCode: '0998' }, 'TRANSFER_BANK_UNKNOWN', 'bankCode'),
    at('a two-digit branch code', { branchCode: '02' }, 'TRANSFER_PAGES_BRANCH_CODE_INVALID', 'branchCode'),
    at('a full-width branch code', { branchCode: fullWidth('002') }, 'TRANSFER_PAGES_BRANCH_CODE_INVALID', 'branchCode'),
    at('a branch code the bank does not have', { branchCode: '998' }, 'TRANSFER_BRANCH_UNKNOWN', 'branchCode'),
    at('a branch of another bank that does not exist', { bankCode: '0001', branchCode: '998' }, 'TRANSFER_BRANCH_UNKNOWN', 'branchCode'),
    at('an unknown account type', { accountType: 'checking' }, 'TRANSFER_PAGES_ACCOUNT_TYPE_INVALID', 'accountType'),
    at('eight digits of account number', { accountNumber: '12345678' }, 'TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID', 'accountNumber'),
    at('an account number with a hyphen', { accountNumber: '123-456' }, 'TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID', 'accountNumber'),
    at('a full-width account number', { accountNumber: fullWidth('1234567') }, 'TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID', 'accountNumber'),
    at('an account number of zeros', { accountNumber: '0000000' }, 'TRANSFER_PAGES_ACCOUNT_NUMBER_INVALID', 'accountNumber'),
    at('the paying account itself', { branchCode: contract.from.branchCode, accountNumber: contract.from.accountNumber }, 'TRANSFER_SAME_ACCOUNT', 'accountNumber'),
  ]);
});

test('a date in the past, on a holiday, on a weekend, too far ahead or not a date is refused next to the date', async () => {
  await contract.client.get('/transfers/new');
  const date = (label: string, value: string, code: string): Refusal => ({ label, fields: adHocFields(contract, { executionDate: value }), code, field: 'executionDate' });
  await assertRefusedMoney(t.deps, contract.client, contract.master, form, [
    date('yesterday', '2026-03-31', 'TRANSFER_DATE_PAST'),
    date('last year', '2025-04-01', 'TRANSFER_DATE_PAST'),
    date('Showa Day, a national holiday', '2026-04-29', 'TRANSFER_DATE_HOLIDAY'),
    date('a Saturday', '2026-04-04', 'TRANSFER_DATE_NOT_BUSINESS_DAY'),
    date('beyond the days a transfer may be booked ahead', '2026-12-01', 'TRANSFER_DATE_TOO_FAR'),
    date('February 30', '2026-02-30', 'TRANSFER_PAGES_DATE_INVALID'),
    date('a word', 'tomorrow', 'TRANSFER_PAGES_DATE_INVALID'),
    date('full-width digits', fullWidth('2026-04-02'), 'TRANSFER_PAGES_DATE_INVALID'),
    date('nothing', '', 'TRANSFER_PAGES_DATE_INVALID'),
  ]);
  // The holiday's message names it, so the person knows why.
  const answer = await contract.client.post('/transfers/new', adHocFields(contract, { executionDate: '2026-04-29' }));
  assert.match(answer.body, /昭和の日/);
});

test('an account or a payee the person may not use, and a missing choice, are refused next to their field', async () => {
  const stranger = await addContract(t.deps);
  const foreign = await addAccount(t.deps, stranger.contractId, { fundYen: 10_000n });
  await contract.client.get('/transfers/new');
  await assertRefusedMoney(t.deps, contract.client, contract.master, form, [
    { label: "another contract's account", fields: adHocFields(contract, { fromAccountId: String(foreign.id) }), code: 'TRANSFER_ACCOUNT_NOT_USABLE', field: 'fromAccountId' },
    { label: 'an account that does not exist', fields: adHocFields(contract, { fromAccountId: '999999999' }), code: 'TRANSFER_ACCOUNT_NOT_USABLE', field: 'fromAccountId' },
    { label: 'no account chosen', fields: adHocFields(contract, { fromAccountId: '' }), code: 'TRANSFER_PAGES_ACCOUNT_REQUIRED', field: 'fromAccountId' },
    { label: 'an account id beyond any row', fields: adHocFields(contract, { fromAccountId: '99999999999' }), code: 'TRANSFER_PAGES_ACCOUNT_REQUIRED', field: 'fromAccountId' },
    { label: 'no way of giving the payee', fields: adHocFields(contract, { destination: '' }), code: 'TRANSFER_PAGES_DESTINATION_REQUIRED', field: 'destination' },
    { label: 'an unknown way of giving the payee', fields: adHocFields(contract, { destination: 'iban' }), code: 'TRANSFER_PAGES_DESTINATION_REQUIRED', field: 'destination' },
    { label: 'a registered payee not chosen', fields: adHocFields(contract, { destination: 'payee' }), code: 'TRANSFER_PAGES_PAYEE_REQUIRED' },
    // No payee is registered yet, so the message stands where the list of payees would be.
    { label: 'a payee that is not registered', fields: adHocFields(contract, { destination: 'payee', payeeId: '424242' }), code: 'TRANSFER_PAYEE_UNKNOWN' },
  ]);
});

test('wrong shapes, missing fields and CSRF problems are refused on the same page', async () => {
  await contract.client.get('/transfers/new');
  const valid = adHocFields(contract);
  await assertRefusedMoney(t.deps, contract.client, contract.master, form, [
    ...commonBadInputs(valid, ['fromAccountId', 'destination', 'bankCode', 'branchCode', 'accountType', 'accountNumber', 'name', 'amount', 'executionDate']),
    { label: 'the amount as a JSON number', json: { ...valid, amount: 12345 }, code: 'INPUT_INVALID', field: 'amount' },
  ]);
  assert.equal((await contract.client.post('/transfers/new', valid)).statusCode, 303, 'the form still works');
});

test('what was typed is shown again after an error, and the error is next to its field', async () => {
  await contract.client.get('/transfers/new');
  const answer = await contract.client.post('/transfers/new', adHocFields(contract, { amount: fullWidth('5000.5'), name: 'ﾔﾏﾀﾞ' }));
  assert.equal(answer.statusCode, 400);
  assert.match(answer.body, /name="name" type="text" value="ﾔﾏﾀﾞ"/);
  assert.match(answer.body, /name="amount" type="text" value="５０００.５"/);
  assert.match(answer.body, /<label for="f-amount">[^<]*<\/label>\s*<p class="error field-error"[^>]*data-code="TRANSFER_PAGES_AMOUNT_FRACTION">/, 'the message sits with the amount');
});
