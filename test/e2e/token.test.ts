import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, lastOneTimePassword, logon, onboardMaster, otpAddressOf } from '../helpers/people.ts';
import { addUserWith } from '../users/helpers.ts';
import { addAccount, addContract, otherOwnBranchCode, addOwnBranches } from '../transfers/fixtures.ts';
import { adHocFields, createThroughPages } from '../transfers/pages/support.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { codeAt, stepAt } from '../../src/auth/token-totp.ts';
import { newStaff } from '../operator/console-support.ts';
import { staffLogonInBrowser } from './staff-logon-browser.ts';
import {
  assertNoProblems,
  logonInBrowser,
  noChromium,
  openTab,
  registerOtpAddressInBrowser,
  screenshot,
  where,
  type Tab,
  browserSuite,
} from './browser-helpers.ts';

/**
 * R6 in a browser: the bank imports the vendor's PSKC file and assigns a token to a contract (each
 * recorded by one member of staff and approved by another), a person activates it with the code it
 * shows, and approves a transfer to an ad hoc destination with the token's password.
 */
const fixture = join(import.meta.dirname, '..', 'tokens', 'fixtures', 'pskc', 'made-plain.pskcxml');
// The fixture's first token (test/tokens/fixtures/pskc/README.md): HMAC-SHA-1, this secret.
const serial = 'HT2030-0001';
const secret = Buffer.from('12345678901234567890');

const suite = browserSuite({ console: true });

async function press(page: Page, form: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.locator(`${form} button[type=submit]`).click()]);
  await page.waitForLoadState('load');
}

async function staffLogon(member: StaffCredentials): Promise<Tab> {
  const tab = await openTab(suite.browser, suite.console.url);
  await staffLogonInBrowser(tab.page, suite.portal.deps, member);
  return tab;
}

/** The approver opens the application the recorder's page leads to, and approves it. */
async function approveApplication(approver: Page, applicationPath: string, shot: string): Promise<void> {
  await approver.goto(applicationPath);
  await screenshot(approver, `${shot}-application`);
  await press(approver, '#approve');
  assert.equal(where(approver), `${applicationPath}?done=approved`);
  assert.equal(await approver.locator('#application-status').getAttribute('data-status'), 'approved');
}

/** The code the token shows now; the clock moves a step first, since a step is accepted once (R6.8). */
function tokenCodeNow(): string {
  suite.portal.deps.clock.advanceSeconds(60);
  return codeAt(secret, stepAt(suite.portal.deps.clock.now(), 60), { hash: 'sha1', digits: 6, stepSeconds: 60 });
}

test('R6.2–R6.5 in a browser: the bank imports and assigns a token, a person activates it, and approves an ad hoc transfer with its password', { skip: noChromium, timeout: 180_000 }, async () => {
  const { deps } = suite.portal;
  await addOwnBranches(deps.db);
  const master = await onboardMaster(deps);
  await completeFirstLogon(new Client(suite.portal.app), deps, master);
  await deps.db.updateTable('contract').set({ approval_mode: 'single' }).where('id', '=', master.contractId).execute();
  const from = await addAccount(deps, master.contractId, { fundYen: 2_000_000n });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const clerk = await addUserWith(deps, master.contractId, [{ business: 'transfer', register: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n }], [from.id]);
  const approver = await addUserWith(deps, master.contractId, [{ business: 'transfer', approve: true, send: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n }], [from.id]);
  const recorder = await newStaff(deps, 'recorder', 'e2e.tokens.recorder');
  const checker = await newStaff(deps, 'approver', 'e2e.tokens.approver');

  // R6.2: the recorder uploads the vendor's file; the approver approves the import.
  const recorderTab = await staffLogon(recorder);
  const rp = recorderTab.page;
  await rp.goto('/operator/token-import');
  await rp.locator('#f-reference-import_tokens').fill('TOKEN-2026-0401');
  await rp.locator('#f-file').setInputFiles(fixture);
  await screenshot(rp, 'token-import');
  await press(rp, '#import-tokens');
  assert.match(where(rp), /^\/operator\/applications\/\d+\?done=recorded$/);
  const importPath = new URL(rp.url()).pathname;
  const approverTab = await staffLogon(checker);
  const cp = approverTab.page;
  await approveApplication(cp, importPath, 'token-import');

  // R6.2: the token is assigned to the contract on its application, and approved.
  await rp.goto(`/operator/contracts/${master.contractId}/tokens`);
  await rp.locator('#f-serial').fill(serial);
  await rp.locator('#record-assign_token input[name="reason"][value="new"]').check();
  await rp.locator('#f-reference-assign_token').fill('TOKEN-2026-0402');
  await screenshot(rp, 'token-assign');
  await press(rp, '#record-assign_token');
  assert.match(where(rp), /^\/operator\/applications\/\d+\?done=recorded$/);
  await approveApplication(cp, new URL(rp.url()).pathname, 'token-assign');
  await cp.goto(`/operator/tokens/${serial}`);
  assert.equal(await cp.locator('#token-facts').getAttribute('data-state'), 'assigned');
  await screenshot(cp, 'token-help-desk');

  // R6.3: the approver logs on; after the OTP address, the token activation is offered.
  const customer = await openTab(suite.browser, suite.portal.baseUrl);
  const ap = customer.page;
  await logonInBrowser(ap, approver, '/otp-address');
  await registerOtpAddressInBrowser(ap, (address) => lastOneTimePassword(deps, address), approver, otpAddressOf(approver));
  assert.equal(where(ap), '/token-activation', 'the OTP address confirmed, the token activation comes next');
  await screenshot(ap, 'token-activation');
  await ap.locator('#f-serial').fill(serial);
  await ap.locator('#f-tokenCode').fill(tokenCodeNow());
  await press(ap, 'form[action="/token-activation"]');
  assert.equal(where(ap), `/settings/token?done=${serial}`);
  assert.match(await ap.locator('#token-current').innerText(), new RegExp(serial));
  await screenshot(ap, 'token-activated');

  // R6.5: a transfer to an ad hoc destination, entered by the clerk, approved with the token.
  const clerkClient = new Client(suite.portal.app);
  assert.equal((await logon(clerkClient, clerk)).headers.location, '/status');
  const id = await createThroughPages(clerkClient, clerk, adHocFields({ master, client: clerkClient, from, payee }), deps);
  await ap.goto(`/transfers/${id.toString()}`);
  await press(ap, `form[action="/transfers/${id.toString()}/otp"]`);
  await ap.goto(`/transfers/${id.toString()}`);
  await ap.locator('#action-approve input[name="otp"]').fill(await lastOneTimePassword(deps, otpAddressOf(approver)));
  await ap.locator('#action-approve input[name="confirmationPassword"]').fill(approver.confirmationPassword);
  await ap.locator('#action-approve input[name="tokenCode"]').fill(tokenCodeNow());
  await screenshot(ap, 'token-approve');
  await press(ap, `form[action="/transfers/${id.toString()}/approve"]`);
  assert.equal(where(ap), `/transfers/${id.toString()}?done=approved`);
  const transfer = await deps.db.selectFrom('transfer').select(['status', 'protections']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.ok(['scheduled', 'completed'].includes(transfer.status), transfer.status);
  assert.equal((transfer.protections as { token?: { serial: string } }).token?.serial, serial);
  await screenshot(ap, 'token-approved');

  for (const tab of [recorderTab, approverTab, customer]) {
    assertNoProblems(tab);
    await tab.context.close();
  }
});
