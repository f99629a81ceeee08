import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, lastOneTimePassword, onboardMaster, otpAddressOf } from '../helpers/people.ts';
import { outboxTo } from '../helpers/http-app.ts';
import { addAccount, balanceOf } from '../transfers/fixtures.ts';
import { tokyoDate } from '../../src/domain/business-days.ts';
import { seedDemoBills } from '../../src/modules/pay-easy/collector/demo-bills.ts';
import { assertNoProblems, launchBrowser, logonInBrowser, noChromium, openTab, screenshot, startPortal, submit, where, type Portal } from './browser-helpers.ts';

let database: TestDatabase;
let portal: Portal;
let browser: Browser;
before(async () => {
  if (noChromium) return;
  database = await createTestDatabase();
  portal = await startPortal(database.db);
  browser = await launchBrowser();
});
after(async () => {
  if (noChromium) return;
  await browser.close();
  await portal.close();
  await database.drop();
});

test('R8.3, R5.2 in a browser: a Pay-easy bill looked up, an expired one refused, the electricity bill paid with the email one-time password, its receipt and history', { skip: noChromium, timeout: 120_000 }, async () => {
  const { deps } = portal;
  const now = deps.clock.now();
  await seedDemoBills(deps.db, tokyoDate(now), now);
  const master = await onboardMaster(deps);
  await completeFirstLogon(new Client(portal.app), deps, master);
  const from = await addAccount(deps, master.contractId, { fundYen: 500_000n });

  const tab = await openTab(browser, portal.baseUrl);
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
