import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { totpPeriodSeconds } from '../../src/operator/staff/totp.ts';
import { ja } from '../../src/web/i18n/ja.ts';
import { operatorConsoleMessages } from '../../src/operator/console/messages.ts';
import { currentCode, newStaff, ownPasswordOf, replacedPassword, staffLogon as staffLogonOver } from '../operator/console-support.ts';
import { staffLogonInBrowser } from './staff-logon-browser.ts';
import {
  assertNoProblems,
  noChromium,
  openTab,
  screenshot,
  typePasswordStep,
  where,
  type Tab,
  logonInBrowser,
  browserSuite,
} from './browser-helpers.ts';

/**
 * The operator console in a browser, on its own HTTPS listener next to the portal, both on one
 * database and one FakeClock: a master stopped through the portal is lifted by two members of the
 * bank's staff, one recording the customer's application and the other approving it.
 */
const console_ = operatorConsoleMessages.ja;
const consoleEn = operatorConsoleMessages.en;

const suite = browserSuite({ console: true });

/** Clicks a submit button and waits until the page it leads to has loaded. */
async function press(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.locator(button).click()]);
  await page.waitForLoadState('load');
}

/** Password, then the authenticator code, typed as a member of staff types them (IT's password replaced on the way). */
async function staffLogon(tab: Tab, member: StaffCredentials): Promise<void> {
  await staffLogonInBrowser(tab.page, suite.portal.deps, member);
}

/**
 * A member's first logon, watched: the password IT issued leads to its change and nowhere else,
 * cannot be kept, and once replaced by one of the member's own the console opens.
 */
async function firstStaffLogon(tab: Tab, member: StaffCredentials, shot: string): Promise<void> {
  const { page } = tab;
  suite.portal.deps.clock.advanceSeconds(totpPeriodSeconds); // each member's code is accepted once per step
  await page.goto('/operator/logon');
  await page.locator('#f-login').fill(member.login);
  await page.locator('#f-password').fill(member.initialPassword);
  await screenshot(page, `${shot}-logon`);
  await press(page, 'form[action="/operator/logon"] button[type=submit]');
  assert.equal(where(page), '/operator/logon/totp');
  await page.locator('#f-code').fill(currentCode(suite.portal.deps, member));
  await screenshot(page, `${shot}-totp`);
  await press(page, 'form[action="/operator/logon/totp"] button[type=submit]');

  assert.equal(where(page), '/operator/logon/password');
  assert.equal(await page.locator('h1').textContent(), console_['operatorConsole.password.dueTitle']);
  assert.equal(await page.locator('nav.menu').count(), 0, 'no menu until the password is replaced');
  await screenshot(page, `${shot}-password`);
  await page.goto('/operator/contracts');
  assert.equal(where(page), '/operator/logon/password', 'the console opens nothing else meanwhile');
  const change = async (next: string) => {
    await page.locator('#f-current').fill(member.initialPassword);
    await page.locator('#f-next').fill(next);
    await page.locator('#f-repeat').fill(next);
    await press(page, 'form[action="/operator/logon/password"] button[type=submit]');
  };
  await change(member.initialPassword);
  assert.equal(where(page), '/operator/logon/password');
  assert.equal(await page.locator('#form-error').getAttribute('data-code'), 'OPERATOR_PASSWORD_UNCHANGED', 'the initial password cannot be kept');
  await change(ownPasswordOf(member));
  assert.equal(where(page), '/operator/password?done=changed');
  assert.equal(await page.locator('.notice').innerText(), console_['operatorConsole.password.changed']);
  assert.equal(await page.locator('nav.menu').count(), 1, 'the menu once the password is the member\'s own');
  replacedPassword(member);
  await page.goto('/operator/contracts');
  assert.equal(where(page), '/operator/contracts');
}

async function readyMaster(): Promise<TestPerson> {
  const master = await onboardMaster(suite.portal.deps);
  await completeFirstLogon(new Client(suite.portal.app), suite.portal.deps, master);
  return master;
}

test("the operator lifts a master's stop through the console: seven wrong passwords stop the master, a recorder records the lift, an approver approves it, and the master logs on again", { skip: noChromium }, async () => {
  const master = await readyMaster();
  const recorder = await newStaff(suite.portal.deps, 'recorder', 'e2e.recorder');
  const approver = await newStaff(suite.portal.deps, 'approver', 'e2e.approver');

  // R2.3: the master is stopped by seven wrong passwords on the suite.portal.
  const customer = await openTab(suite.browser, suite.portal.baseUrl);
  await customer.page.goto('/logon');
  for (let i = 0; i < 7; i++) await typePasswordStep(customer.page, master, `Wrong${i}pass2026`);
  await typePasswordStep(customer.page, master, master.loginPassword);
  assert.equal(await customer.page.locator('#form-error').getAttribute('data-code'), 'AUTH_LOGON_FAILED', 'even the right password is refused now');
  await screenshot(customer.page, 'operator-master-stopped');

  // The recorder finds the contract, sees the stop and records the customer's application.
  const recorderTab = await openTab(suite.browser, suite.console.url);
  await firstStaffLogon(recorderTab, recorder, 'operator-recorder');
  const rp = recorderTab.page;
  // R2.3, decision 0021: the browser's address is not the one the master logged on from before, so
  // the logon watch lists the stop as caused from an address never seen.
  await press(rp, 'nav.menu a[href="/operator/logon-watch"]');
  assert.equal(where(rp), '/operator/logon-watch');
  assert.equal(await rp.locator(`#stops tr[data-contract="${master.contractId}"]`).getAttribute('data-never-seen'), 'all');
  await screenshot(rp, 'operator-logon-watch');
  await rp.goto('/operator/contracts');
  await rp.locator('#f-q').fill(master.contractId);
  await press(rp, 'form.search button[type=submit]');
  await screenshot(rp, 'operator-search');
  await press(rp, `#search-results a[href="/operator/contracts/${master.contractId}"]`);
  assert.equal(where(rp), `/operator/contracts/${master.contractId}`);
  assert.match(await rp.locator('#contract-state').innerText(), /停止中/);
  assert.match(await rp.locator(`#people tr[data-user-id="${master.userId}"] td.stop`).innerText(), /ロック中/);
  await screenshot(rp, 'operator-contract-stopped');
  await rp.locator('#f-reference-lift_stop').fill('LIFT-2026-0401');
  await press(rp, '#record-lift_stop button[type=submit]');
  assert.match(where(rp), /^\/operator\/applications\/\d+\?done=recorded$/);
  assert.equal(await rp.locator('#application-status').getAttribute('data-status'), 'pending');
  assert.equal(await rp.locator('#approve').count(), 0, 'a recorder is offered no approval');
  await screenshot(rp, 'operator-recorded');
  const applicationPath = new URL(rp.url()).pathname;

  // Until it is approved, nothing has changed: the master is still stopped.
  await customer.page.goto('/logon');
  await typePasswordStep(customer.page, master, master.loginPassword);
  assert.equal(await customer.page.locator('#form-error').getAttribute('data-code'), 'AUTH_LOGON_FAILED');

  // The approver finds it in the queue and approves it.
  const approverTab = await openTab(suite.browser, suite.console.url);
  await staffLogon(approverTab, approver);
  const ap = approverTab.page;
  await ap.goto('/operator/applications');
  await screenshot(ap, 'operator-queue');
  await press(ap, `#pending a[href="${applicationPath}"]`);
  await screenshot(ap, 'operator-application');
  await press(ap, '#approve button[type=submit]');
  assert.equal(where(ap), `${applicationPath}?done=approved`);
  assert.equal(await ap.locator('#application-status').getAttribute('data-status'), 'approved');
  assert.equal(await ap.locator('.notice').innerText(), console_['operatorConsole.application.approved']);
  await screenshot(ap, 'operator-approved');
  await ap.goto(`/operator/contracts/${master.contractId}`);
  assert.match(await ap.locator('#contract-state').innerText(), new RegExp(console_['operatorConsole.contract.inService']));
  await screenshot(ap, 'operator-contract-lifted');

  // The master logs on again.
  await logonInBrowser(customer.page, master);
  assert.equal(await customer.page.locator('h1').textContent(), ja['status.title']);
  await screenshot(customer.page, 'operator-master-back');

  for (const tab of [customer, recorderTab, approverTab]) {
    assertNoProblems(tab);
    await tab.context.close();
  }
});

test('R3.3 in a browser: the approver of a new card sees it once, as a printable card, and the page prints without the console around it', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const recorder = await newStaff(suite.portal.deps, 'recorder', 'e2e.cards');
  const approver = await newStaff(suite.portal.deps, 'approver', 'e2e.cardapprover');
  const recorderClient = await injectLogon(recorder);
  await recorderClient.get(`/operator/contracts/${master.contractId}`);
  const recorded = await recorderClient.post(`/operator/contracts/${master.contractId}/applications`, { kind: 'issue_card', userId: master.userId, reference: 'CARD-2026-0401' });
  const applicationPath = String(recorded.headers.location).replace(/\?.*$/, '');

  const tab = await openTab(suite.browser, suite.console.url);
  await staffLogon(tab, approver);
  const { page } = tab;
  await page.goto(applicationPath);
  await press(page, '#approve button[type=submit]');
  await screenshot(page, 'operator-card-approved');
  await press(page, '#handover button[type=submit]');
  assert.equal(await page.locator('#grid-card table.grid tbody tr').count(), 6);
  await screenshot(page, 'operator-card-handover');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.menu').isVisible(), false, 'the menu does not print');
  assert.equal(await page.locator('#grid-card').isVisible(), true);
  await screenshot(page, 'operator-card-print');
  await page.emulateMedia({ media: 'screen' });
  // Shown once: the page of the application no longer offers it.
  await page.goto(applicationPath);
  assert.equal(await page.locator('#handover').count(), 0);
  assert.equal(await page.locator('#handed-over').count(), 1);
  assertNoProblems(tab);
  await tab.context.close();
});

/** A member's logon over app.inject, for the steps a test does not need to watch in the browser. */
async function injectLogon(member: StaffCredentials): Promise<Client> {
  return staffLogonOver({ deps: suite.portal.deps, app: suite.console.app }, member);
}

/** Japanese text left on an English page, apart from the names given. */
function japaneseLeft(text: string, names: string[]): string[] {
  let rest = text;
  for (const name of names) rest = rest.replaceAll(name, '');
  return rest.match(/[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+/g) ?? [];
}

test('the console in English: logon, contract and new-contract pages carry no Japanese apart from names', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const approver = await newStaff(suite.portal.deps, 'approver', 'e2e.english');
  const tab = await openTab(suite.browser, suite.console.url);
  const { page } = tab;
  await page.goto('/operator/logon?lang=en');
  assert.equal(await page.locator('h1').textContent(), consoleEn['operatorConsole.logon.title']);
  const bank = suite.portal.deps.config.bankName;
  const left: Record<string, string[]> = { logon: japaneseLeft(await page.locator('body').innerText(), [bank, '日本語']) };
  await screenshot(page, 'operator-logon-en');
  await staffLogon(tab, approver);
  await page.goto(`/operator/contracts/${master.contractId}`);
  const contract = await suite.portal.deps.db.selectFrom('contract').select('company_name').where('id', '=', master.contractId).executeTakeFirstOrThrow();
  const names = [bank, '日本語', contract.company_name, 'テスト 太郎', '職員 ', approver.name];
  left.contract = japaneseLeft(await page.locator('body').innerText(), names);
  await screenshot(page, 'operator-contract-en');
  await page.goto('/operator/applications/new-contract');
  left.newContract = japaneseLeft(await page.locator('body').innerText(), names);
  await screenshot(page, 'operator-new-contract-en');
  assertNoProblems(tab);
  await tab.context.close();
  assert.deepEqual(left, { logon: [], contract: [], newContract: [] });
});
