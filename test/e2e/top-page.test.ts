import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, logon, onboardMaster } from '../helpers/people.ts';
import { addUserWith } from '../users/helpers.ts';
import { addAccount, addContract, otherOwnBranchCode, addOwnBranches } from '../transfers/fixtures.ts';
import { adHocFields, createThroughPages } from '../transfers/pages/support.ts';
import { newStaff } from '../operator/console-support.ts';
import { postBankNotice } from '../../src/modules/bank-notices/notices.ts';
import { assertNoProblems, logonInBrowser, noChromium, openTab, screenshot, browserSuite } from './browser-helpers.ts';

const suite = browserSuite();

test('the top page shows the bank notice, the count waiting for the approver in the page and the menu, and the balances of their accounts', { skip: noChromium, timeout: 120_000 }, async () => {
  const { deps } = suite.portal;
  await addOwnBranches(deps.db);
  const master = await onboardMaster(deps);
  const masterClient = new Client(suite.portal.app);
  await completeFirstLogon(masterClient, deps, master);
  await deps.db.updateTable('contract').set({ approval_mode: 'single' }).where('id', '=', master.contractId).execute();
  const from = await addAccount(deps, master.contractId, { fundYen: 2_345_678n });
  const elsewhere = await addAccount(deps, master.contractId, { fundYen: 10n });
  const payee = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const clerk = await addUserWith(deps, master.contractId, [{ business: 'transfer', register: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n }], [from.id]);
  const approver = await addUserWith(
    deps,
    master.contractId,
    [{ business: 'inquiry' }, { business: 'transfer', approve: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n }],
    [from.id],
  );
  const clerkClient = new Client(suite.portal.app);
  assert.equal((await logon(clerkClient, clerk)).headers.location, '/status');
  await createThroughPages(clerkClient, clerk, adHocFields({ master, client: masterClient, from, payee }, { amount: '50,000' }), deps);
  const member = await newStaff(deps, 'recorder');
  const staff = await deps.db.selectFrom('staff').selectAll().where('login_id', '=', member.login).executeTakeFirstOrThrow();
  await postBankNotice(deps, staff, { title: '年末年始のサービス休止について', body: '12月31日 23:00 から 1月1日 6:00 まで、すべてのサービスを休止します。', shownFrom: '2026-03-25', shownUntil: '2026-04-30', contractId: '' }, { ip: '10.0.0.1' });

  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const page = tab.page;
  await logonInBrowser(page, approver);
  assert.equal(await page.locator('#waiting').getAttribute('data-total'), '1');
  assert.equal(await page.locator('#waiting li[data-kind="transfer"]').getAttribute('data-count'), '1');
  assert.equal((await page.locator('#menu-waiting').textContent())?.trim(), '1', 'the menu shows the count');
  assert.equal(await page.locator(`#balances tr[data-account-id="${from.id}"] [data-balance]`).getAttribute('data-balance'), '2345678');
  assert.equal(await page.locator(`#balances tr[data-account-id="${elsewhere.id}"]`).count(), 0, 'only the accounts the person may use');
  assert.equal(await page.locator('#bank-notices li').count(), 1);
  assert.equal(await page.locator('nav.menu a[href="/users"]').count(), 0, 'no entry the person may not use');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'top-page-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'top-page-390');
  await page.goto('/status?lang=en');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, 'top-page-1280-en');
  await page.goto('/approvals');
  await screenshot(page, 'approvals-1280-en');
  assertNoProblems(tab);
});
