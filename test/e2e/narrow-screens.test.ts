import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { completeFirstLogon, onboardMaster } from '../helpers/people.ts';
import { Client } from '../helpers/client.ts';
import { addUser } from '../helpers/http-app.ts';
import type { StaffCredentials } from '../../src/operator/staff/accounts.ts';
import { newStaff } from '../operator/console-support.ts';
import { staffLogonInBrowser } from './staff-logon-browser.ts';
import { assertNoProblems, logonInBrowser, noChromium, openTab, screenshot, where, type Tab, browserSuite } from './browser-helpers.ts';

/**
 * The console's work queue in a browser (R3.3, R2.3), and the pages on a 390 px phone: the header
 * wraps, a wide table scrolls inside its own box, and the page never scrolls sideways.
 */
const suite = browserSuite({ console: true });

async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.locator(selector).click()]);
  await page.waitForLoadState('load');
}

async function staffLogon(tab: Tab, member: StaffCredentials): Promise<void> {
  await staffLogonInBrowser(tab.page, suite.portal.deps, member);
}

/** How far the page and an element can scroll sideways, as the browser laid them out. */
function widths(page: Page, selector: string) {
  return page.evaluate((sel) => {
    const box = document.querySelector(sel)!;
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      body: document.body.scrollWidth - document.body.clientWidth,
      boxScrolls: box.scrollWidth - box.clientWidth,
      boxRight: box.getBoundingClientRect().right,
      viewport: window.innerWidth,
    };
  }, selector);
}

/** The logoff button's height against its line height: one line, not one character per line. */
async function assertLogoffOnOneLine(page: Page, form: string, what: string): Promise<void> {
  const logoff = await page.locator(`header.bar form[action="${form}"] button`).evaluate((button) => ({
    height: button.getBoundingClientRect().height,
    lineHeight: parseFloat(getComputedStyle(button).lineHeight),
    text: button.textContent,
  }));
  assert.ok(logoff.height < logoff.lineHeight * 1.5, `${what}: "${logoff.text}" is one line high (${JSON.stringify(logoff)})`);
}

test('R3.3, R2.3: staff open the work queue from the menu and see requests and stops of several contracts, oldest first; at 390 px its table scrolls inside its box and the page does not', { skip: noChromium }, async () => {
  const deps = suite.portal.deps;
  const stopped = await onboardMaster(deps, { lockMode: 'linked' });
  await deps.db.updateTable('users').set({ stopped_at: deps.clock.now() }).where('contract_id', '=', stopped.contractId).execute();
  deps.clock.advanceSeconds(600);
  const other = await onboardMaster(deps);
  const newcomer = await addUser(deps, other.contractId);
  const ref = await deps.db.selectFrom('users').select('id').where('contract_id', '=', other.contractId).where('user_id', '=', newcomer.userId).executeTakeFirstOrThrow();
  await deps.db.insertInto('grid_card_request').values({ user_ref: ref.id, requested_by: ref.id, reason: 'new_user', requested_at: deps.clock.now() }).execute();

  const tab = await openTab(suite.browser, suite.console.url);
  await staffLogon(tab, await newStaff(deps, 'recorder', 'e2e.queue'));
  const { page } = tab;
  await press(page, 'nav.menu a[href="/operator/queue"]');
  assert.equal(where(page), '/operator/queue');
  const kinds = await page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-kind')}:${row.getAttribute('data-contract')}`));
  assert.deepEqual(kinds, [`stop:${stopped.contractId}`, `card_request:${other.contractId}`]);
  await screenshot(page, 'console-queue');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const laid = await widths(page, '#queue');
  assert.ok(laid.boxScrolls > 0, `the wide table scrolls inside its box (${JSON.stringify(laid)})`);
  assert.ok(laid.boxRight <= laid.viewport, 'the table box stays inside the screen');
  assert.equal(laid.page, 0, 'the page does not scroll sideways');
  assert.equal(laid.body, 0);
  const header = await page.locator('header.bar').boundingBox();
  assert.ok(header && header.width <= 390, 'the header fits the screen');
  // Between the phone and the desktop layouts the header does not wrap, and its items shrink instead.
  for (const width of [390, 640]) {
    await page.setViewportSize({ width, height: 844 });
    await assertLogoffOnOneLine(page, '/operator/logout', `console at ${width} px`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'console-queue-390px');
  // Scrolled, the table shows its last column while the page stays put.
  await page.locator('#queue').evaluate((table) => { table.scrollLeft = table.scrollWidth; });
  await screenshot(page, 'console-queue-390px-scrolled');
  assert.equal(await page.evaluate(() => window.scrollX), 0);
  assertNoProblems(tab);
});

test('the portal at 390 px: the logon page and its header fit the screen, nothing scrolls sideways', { skip: noChromium }, async () => {
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/logon');
  const laid = await widths(page, 'header.bar');
  assert.equal(laid.page, 0, `the page does not scroll sideways (${JSON.stringify(laid)})`);
  assert.ok(laid.boxRight <= laid.viewport);
  await screenshot(page, 'portal-logon-390px');
  assertNoProblems(tab);
});

test('the header at 390 px keeps ログオフ on one line in either language (not one character per line)', { skip: noChromium }, async () => {
  const master = await onboardMaster(suite.portal.deps);
  await completeFirstLogon(new Client(suite.portal.app), suite.portal.deps, master);
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await page.setViewportSize({ width: 390, height: 844 });
  await logonInBrowser(page, master);
  for (const lang of ['ja', 'en']) {
    await page.goto(`/status?lang=${lang}`);
    await assertLogoffOnOneLine(page, '/logout', `${lang} at 390 px`);
    assert.equal((await widths(page, 'header.bar')).page, 0, `${lang}: the page does not scroll sideways`);
    await screenshot(page, `portal-header-390px-${lang}`);
  }
  assertNoProblems(tab);
  await tab.context.close();
});
