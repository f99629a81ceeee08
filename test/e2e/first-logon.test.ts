import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { lastEmailCode, lastOneTimePassword, onboardMaster, otpAddressOf } from '../helpers/people.ts';
import {
  assertNoProblems,
  noChromium,
  openTab,
  registerOtpAddressInBrowser,
  screenshot,
  submit,
  typeGridStep,
  typePasswordStep,
  where,
  browserSuite,
} from './browser-helpers.ts';

const suite = browserSuite();

test('R1.3 in a browser: the first logon goes from the registration password and grid card through both passwords and a confirmed email to the status page, with no console error or CSP violation', { skip: noChromium }, async () => {
  const master = await onboardMaster(suite.portal.deps);
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;

  await page.goto('/logon');
  await screenshot(page, 'logon');
  await typePasswordStep(page, master, master.registrationPassword);
  assert.equal(where(page), '/logon/grid');
  await screenshot(page, 'first-logon-grid');

  await typeGridStep(page, master.digits);
  assert.equal(where(page), '/setup');
  await screenshot(page, 'first-logon-passwords');
  await page.locator('#f-login').fill(master.loginPassword);
  await page.locator('#f-loginRepeat').fill(master.loginPassword);
  await page.locator('#f-confirmation').fill(master.confirmationPassword);
  await page.locator('#f-confirmationRepeat').fill(master.confirmationPassword);
  await submit(page, '/setup/passwords');
  assert.equal(where(page), '/setup');
  assert.equal(await page.locator('#form-error').count(), 0, 'the passwords were accepted');

  await screenshot(page, 'first-logon-email');
  await page.locator('#f-email').fill(master.email);
  // R7.3: an address is registered with the confirmation password just set.
  await page.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await submit(page, '/setup/email');
  assert.equal(where(page), '/setup');
  await screenshot(page, 'first-logon-email-code');
  await page.locator('#f-code').fill(await lastEmailCode(suite.portal.deps, master.email));
  await submit(page, '/setup/email/verify');

  // R5.1: the master may send transfers: the OTP address comes next, and nothing else opens before it.
  assert.equal(where(page), '/otp-address');
  await screenshot(page, 'first-logon-otp-address');
  await page.goto('/transfers');
  assert.equal(where(page), '/otp-address');
  await registerOtpAddressInBrowser(page, (address) => lastOneTimePassword(suite.portal.deps, address), master, otpAddressOf(master));

  assert.equal(where(page), '/status');
  assert.equal(await page.locator('h1').textContent(), 'ステータス');
  await assert.doesNotReject(page.locator('dl.facts').getByText(master.email).waitFor({ timeout: 1000 }));
  // R7.2: the use that just happened is listed, as a success.
  assert.equal(await page.locator('table.uses tbody tr.success').count(), 1);
  await screenshot(page, 'first-logon-status');
  assertNoProblems(tab);
  await tab.context.close();
});
