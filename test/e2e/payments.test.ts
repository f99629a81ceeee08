import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, lastOneTimePassword, onboardMaster, otpAddressOf } from '../helpers/people.ts';
import { outboxTo } from '../helpers/http-app.ts';
import { addAccount, balanceOf } from '../transfers/fixtures.ts';
import { tokyoDate } from '../../src/domain/business-days.ts';
import { seedDemoBills } from '../../src/modules/pay-easy/collector/demo-bills.ts';
import { addUserWith } from '../users/helpers.ts';
import { manyRecords, zenginBytes } from '../bulk/support.ts';
import { assertNoProblems, logonInBrowser, noChromium, openTab, screenshot, submit, where, browserSuite } from './browser-helpers.ts';

/**
 * The payments a company makes besides single transfers, in a browser: bulk transfer files (R8.4)
 * and Pay-easy (R8.3). One portal and one browser for both.
 */
const suite = browserSuite();

test('R8.3, R5.2 in a browser: a Pay-easy bill looked up, an expired one refused, the electricity bill paid with the email one-time password, its receipt and history', { skip: noChromium, timeout: 120_000 }, async () => {
  const { deps } = suite.portal;
  const now = deps.clock.now();
  await seedDemoBills(deps.db, tokyoDate(now), now);
  const master = await onboardMaster(deps);
  await completeFirstLogon(new Client(suite.portal.app), deps, master);
  const from = await addAccount(deps, master.contractId, { fundYen: 500_000n });

  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await logonInBrowser(page, master);
  await Promise.all([page.waitForURL('**/pay-easy'), page.locator('nav.menu a[href="/pay-easy"]').click()]);
  assert.equal(await page.locator('h1').textContent(), '税金・各種料金の払込み（ペイジー）');
  await page.locator('#f-billerNumber').fill('58001');
  await screenshot(page, 'pay-easy-biller');
  await submit(page, '/pay-easy');
  assert.equal(where(page), '/pay-easy/bill?billerNumber=58001');
  assert.equal(await page.locator('#biller-name').textContent(), 'デモ電力株式会社');

  // The January bill is past its due date: the biller's answer is shown on the same page.
  await page.locator('#f-number').fill('3000-1234-5670');
  await page.locator('#f-confirmationNumber').fill('4321');
  await page.locator('#f-fromAccountId').selectOption(String(from.id));
  await submit(page, '/pay-easy/bill');
  assert.equal(await page.locator('#form-error').getAttribute('data-code'), 'PAY_EASY_BILL_EXPIRED');
  assert.equal(await page.locator('#f-number').inputValue(), '3000-1234-5670', 'the numbers typed are kept');
  await screenshot(page, 'pay-easy-bill-expired');

  await page.locator('#f-number').fill('3000-1234-5678');
  await submit(page, '/pay-easy/bill');
  assert.match(where(page), /^\/pay-easy\/confirm\?draft=/);
  assert.equal(await page.locator('#fee-name').textContent(), '電気料金（2026年3月分）');
  assert.equal(await page.locator('#bill-amount').textContent(), '23,456円');
  assert.equal(await page.locator('input[name*="amount" i]').count(), 0, 'no field for the amount');

  // R5.2: the code is sent by the page's button, read from the mail, and typed with the password.
  await Promise.all([page.waitForURL('**/pay-easy/confirm?**'), page.locator('#otp-send').click()]);
  assert.equal(await page.locator('#otp-sent').count(), 1);
  await page.locator('#f-otp').fill(await lastOneTimePassword(deps, otpAddressOf(master)));
  await page.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await screenshot(page, 'pay-easy-confirm');
  await submit(page, '/pay-easy/confirm');
  const receipt = /^\/pay-easy\/payments\/(\d+)\?done=paid$/.exec(where(page));
  assert.ok(receipt, `the receipt: ${where(page)}`);
  assert.match((await page.locator('#receipt-number').textContent()) ?? '', /^PE\d{10}$/);
  assert.equal(await page.locator('#paid-amount').textContent(), '23,456円');
  await screenshot(page, 'pay-easy-receipt');
  assert.equal(await balanceOf(deps.db, from.id), 500_000n - 23_456n);
  assert.equal((await outboxTo(deps, master.email, 'payEasy.receiptMail.subject')).length, 1, 'the receipt is emailed');

  await Promise.all([page.waitForURL('**/pay-easy/payments'), page.locator('main a[href="/pay-easy/payments"]').click()]);
  assert.equal(await page.locator(`tr[data-payment-id="${receipt[1]}"]`).count(), 1);
  await screenshot(page, 'pay-easy-history');

  // The same pages in English.
  await page.goto(`/pay-easy/payments/${receipt[1]}?lang=en`);
  assert.equal(await page.locator('h1').textContent(), 'Payment accepted (in lieu of a receipt)');
  await screenshot(page, 'pay-easy-receipt-en');
  await page.goto('/pay-easy/bill?billerNumber=00100');
  await screenshot(page, 'pay-easy-bill-national-en');
  assertNoProblems(tab);
  await tab.context.close();
});

test('R8.4 in a browser: a file with an error has it named, a good file is registered, approved by a second person and its result shown', { skip: noChromium, timeout: 120_000 }, async () => {
  const { deps } = suite.portal;
  const master = await onboardMaster(deps);
  await completeFirstLogon(new Client(suite.portal.app), deps, master);
  await deps.db.updateTable('contract').set({ approval_mode: 'single' }).where('id', '=', master.contractId).execute();
  await deps.db.insertInto('own_branch').values({ code: '001', name: '本店営業部', name_kana: 'ﾎﾝﾃﾝ' }).onConflict((oc) => oc.column('code').doNothing()).execute();
  const from = await addAccount(deps, master.contractId, { fundYen: 5_000_000n });
  const approver = await addUserWith(deps, master.contractId, [{ business: 'bulk_transfer', approve: true, send: true, perTransactionLimitYen: 10_000_000n, dailyLimitYen: 10_000_000n }], [from.id]);
  const good = zenginBytes(from, manyRecords(120, 12_000n));
  const broken = Buffer.from(good);
  broken.write('12AB567890', 122 * 2 + 80, 'latin1');

  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await logonInBrowser(page, master);
  await Promise.all([page.waitForURL('**/bulk'), page.locator('nav.menu a[href="/bulk"]').click()]);
  await Promise.all([page.waitForURL('**/bulk/upload'), page.locator('#bulk-upload-link').click()]);
  await page.locator('#f-file').setInputFiles({ name: 'sogo-broken.txt', mimeType: 'text/plain', buffer: broken });
  await submit(page, '/bulk/upload');
  assert.equal(await page.locator('#form-error').getAttribute('data-code'), 'BULK_FILE_INVALID');
  assert.equal(await page.locator('#bulk-problems tr[data-record="3"][data-field="amount"]').count(), 1, 'record 3, its amount, named');
  await screenshot(page, 'bulk-upload-problems');

  await page.locator('#f-file').setInputFiles({ name: 'sogo.txt', mimeType: 'text/plain', buffer: good });
  await submit(page, '/bulk/upload');
  const filePath = where(page);
  assert.match(filePath, /^\/bulk\/files\/\d+$/);
  assert.equal(await page.locator('#bulk-count').textContent(), '120 件');
  assert.equal(await page.locator('#bulk-total').textContent(), '1,440,000円');
  await screenshot(page, 'bulk-file-draft');
  await Promise.all([page.waitForURL('**?done=register'), page.locator('#action-register button[type=submit]').click()]);
  assert.equal(await page.locator('#bulk-status').getAttribute('data-status'), 'awaiting_approval');
  assert.equal(await page.locator('#action-approve').count(), 0, 'the maker is not offered the approval');
  await page.goto('/bulk');
  await screenshot(page, 'bulk-list');
  await Promise.all([page.waitForURL('**/bulk/build'), page.locator('#bulk-build-link').click()]);
  await screenshot(page, 'bulk-build');

  const second = await openTab(suite.browser, suite.portal.baseUrl);
  await logonInBrowser(second.page, approver);
  await second.page.goto(filePath);
  await second.page.locator('#action-approve #f-confirmationPassword').fill(approver.confirmationPassword);
  await screenshot(second.page, 'bulk-file-approve');
  await Promise.all([second.page.waitForURL('**?done=approve'), second.page.locator('#action-approve button[type=submit]').click()]);
  assert.equal(await second.page.locator('#bulk-status').getAttribute('data-status'), 'completed');
  assert.match((await second.page.locator('#bulk-result').textContent()) ?? '', /120 件すべて振り込みました/);
  await screenshot(second.page, 'bulk-file-result');
  const fees = (await deps.db.selectFrom('bulk_file').select('fee_yen').where('contract_id', '=', master.contractId).where('status', '=', 'completed').executeTakeFirstOrThrow()).fee_yen;
  assert.equal(await balanceOf(deps.db, from.id), 5_000_000n - 1_440_000n - fees);

  await second.page.goto(`${filePath}?lang=en`);
  await screenshot(second.page, 'bulk-file-result-en');
  assertNoProblems(tab);
  assertNoProblems(second);
  await second.context.close();
  await tab.context.close();
});
