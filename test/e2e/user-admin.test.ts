import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, lastEmailCode, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { issueGridCard } from '../../src/modules/contracts/service.ts';
import { addAccounts } from '../users/helpers.ts';
import {
  assertNoProblems,
  noChromium,
  openTab,
  screenshot,
  submit,
  typeGridStep,
  typePasswordStep,
  where,
  logonInBrowser,
  browserSuite,
} from './browser-helpers.ts';

const suite = browserSuite();

/**
 * The rest of a first logon after the passwords: the code the master's registration sent to the
 * address (R7.3), or the address again with the confirmation password when the page asks for it,
 * and any last confirmation.
 */
async function finishSetup(page: Page, person: TestPerson): Promise<void> {
  for (let step = 0; step < 4 && where(page).startsWith('/setup'); step++) {
    if ((await page.locator('form[action="/setup/email"]').count()) > 0) {
      await page.locator('#f-email').fill(person.email);
      await page.locator('#f-confirmationPassword').fill(person.confirmationPassword);
      await submit(page, '/setup/email');
    } else if ((await page.locator('form[action="/setup/email/verify"]').count()) > 0) {
      await page.locator('#f-code').fill(await lastEmailCode(suite.portal.deps, person.email));
      await submit(page, '/setup/email/verify');
    } else {
      await submit(page, '/setup/finish');
    }
  }
}

test('R1.4, R1.3 in a browser: the master creates a user through the pages, the bank issues the card, and the user logs on for the first time and reaches the status page', { skip: noChromium }, async () => {
  const master = await onboardMaster(suite.portal.deps);
  await completeFirstLogon(new Client(suite.portal.app), suite.portal.deps, master);
  const accounts = await addAccounts(suite.portal.deps, master.contractId, 2);

  const admin = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = admin;
  await logonInBrowser(page, master);

  await Promise.all([page.waitForURL('**/users'), page.locator('nav.menu a[href="/users"]').click()]);
  assert.equal(await page.locator('h1').textContent(), '利用者管理');
  await screenshot(page, 'users-list');
  await Promise.all([page.waitForURL('**/users/new'), page.locator('a[href="/users/new"]').click()]);
  await page.locator('#f-userId').fill('clerk01');
  await page.locator('#f-displayName').fill('経理 花子');
  await page.locator('#f-email').fill('clerk01@customer.example');
  await page.locator('#f-initialPassword').fill('Welcome2026a');
  await page.locator('#f-initialPasswordRepeat').fill('Welcome2026a');
  await page.locator('#f-grant_inquiry').check();
  await page.locator('#f-grant_transfer').check();
  await page.locator('#f-transfer_register').check();
  await page.locator('#f-transfer_perTransactionYen').fill('1000000');
  await page.locator('#f-transfer_dailyYen').fill('3000000');
  await page.locator(`#f-account-${accounts[0]}`).check();
  await page.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await screenshot(page, 'users-new');
  // A limit that is not a whole number of yen is refused on the same page, with what was typed kept.
  await page.locator('#f-transfer_dailyYen').fill('3000000.5');
  await submit(page, '/users/new');
  assert.equal(where(page), '/users/new');
  assert.equal(await page.locator('#form-error').getAttribute('data-code'), 'USERS_LIMIT_INVALID');
  assert.equal(await page.locator('#f-transfer_dailyYen').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#f-displayName').inputValue(), '経理 花子');
  assert.equal(await page.locator('#f-initialPassword').inputValue(), '', 'passwords are never written back');
  await screenshot(page, 'users-new-refused');
  await page.locator('#f-initialPassword').fill('Welcome2026a');
  await page.locator('#f-initialPasswordRepeat').fill('Welcome2026a');
  await page.locator('#f-transfer_dailyYen').fill('3000000');
  await page.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await submit(page, '/users/new');
  assert.equal(where(page), '/users/clerk01?done=created');
  assert.equal(await page.locator('#form-error').count(), 0);
  await assert.doesNotReject(page.locator('.notice[role=status]').getByText('clerk01').waitFor({ timeout: 1000 }));
  // R7.3: the address waits for the user's code; the page says so (decision 0023).
  assert.match(await page.locator('#email-unconfirmed').innerText(), /clerk01@customer\.example（未確認/);
  await screenshot(page, 'users-created');
  await page.goto('/users');
  assert.equal(await page.locator('tr[data-user-id="clerk01"]').count(), 1);
  await screenshot(page, 'users-list-with-clerk');
  await page.goto('/users/clerk01?lang=en');
  assert.equal(await page.locator('h1').textContent(), 'User details and changes');
  await screenshot(page, 'users-detail-en');
  assertNoProblems(admin);

  // The bank issues the user's card (R3.3), as the operator would.
  const card = await issueGridCard(suite.portal.deps, { contractId: master.contractId, userId: 'clerk01', operator: 'bank-clerk' });
  const user: TestPerson = {
    contractId: master.contractId,
    userId: 'clerk01',
    registrationPassword: 'Welcome2026a',
    digits: card.digits,
    loginPassword: 'MyOwnLogin2026',
    confirmationPassword: 'MyOwnConfirm2026',
    email: 'clerk01@customer.example',
  };

  const newcomer = await openTab(suite.browser, suite.portal.baseUrl);
  const userPage = newcomer.page;
  await userPage.goto('/logon');
  await typePasswordStep(userPage, user, user.registrationPassword);
  await typeGridStep(userPage, user.digits);
  assert.equal(where(userPage), '/setup');
  await screenshot(userPage, 'new-user-passwords');
  await userPage.locator('#f-login').fill(user.loginPassword);
  await userPage.locator('#f-loginRepeat').fill(user.loginPassword);
  await userPage.locator('#f-confirmation').fill(user.confirmationPassword);
  await userPage.locator('#f-confirmationRepeat').fill(user.confirmationPassword);
  await submit(userPage, '/setup/passwords');
  assert.equal(await userPage.locator('#form-error').count(), 0, 'the passwords were accepted');
  await finishSetup(userPage, user);

  assert.equal(where(userPage), '/status');
  assert.equal(await userPage.locator('h1').textContent(), 'ステータス');
  await assert.doesNotReject(userPage.locator('dl.facts').getByText('clerk01', { exact: true }).waitFor({ timeout: 1000 }));
  assert.equal(await userPage.locator('nav.menu a[href="/users"]').count(), 0, 'a general user is not offered 利用者管理');
  await screenshot(userPage, 'new-user-status');
  assertNoProblems(newcomer);
  // Confirmed by the user with the code sent to it, the address is in use and no longer marked.
  await page.goto('/users/clerk01');
  assert.equal(await page.locator('#email-unconfirmed').count(), 0);
  await assert.doesNotReject(page.locator('dl.facts').getByText('clerk01@customer.example', { exact: true }).waitFor({ timeout: 1000 }));
  await newcomer.context.close();
  await admin.context.close();
});
