import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { ja } from '../../src/web/i18n/ja.ts';
import { assertNoProblems, noChromium, openTab, screenshot, where, startPortal, logonInBrowser, browserSuite } from './browser-helpers.ts';

/**
 * R7.1: the idle end. The server's FakeClock is advanced instead of waiting; the page's warning runs
 * on the browser's clock, which Playwright's clock controls the same way.
 */
const idleSeconds = 600;

const suite = browserSuite({ env: { SESSION_IDLE_SECONDS: String(idleSeconds) } });

async function readyMaster(): Promise<TestPerson> {
  const master = await onboardMaster(suite.portal.deps);
  await completeFirstLogon(new Client(suite.portal.app), suite.portal.deps, master);
  return master;
}

test('R7.1 in a browser: a session left idle past SESSION_IDLE_SECONDS ends, and the next click lands on the logon page with the idle notice', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await logonInBrowser(page, master);

  // One second short of the end, a click still works and counts as activity.
  suite.portal.deps.clock.advanceSeconds(idleSeconds - 1);
  await Promise.all([page.waitForURL('**/settings/password'), page.locator('nav.menu a[href="/settings/password"]').click()]);
  await screenshot(page, 'settings-password');

  suite.portal.deps.clock.advanceSeconds(idleSeconds);
  await Promise.all([page.waitForURL('**/logon?ended=idle'), page.locator('nav.menu a[href="/status"]').click()]);
  assert.equal(await page.locator('.notice').textContent(), ja['logon.notice.idle']);
  await screenshot(page, 'idle-end');

  await page.goto('/status');
  assert.equal(where(page), '/logon', 'the session stays ended');
  assertNoProblems(tab);
  await tab.context.close();
});

test('R7.1 in a browser: the page warns before the idle end, extending keeps the session, and a countdown run out shows the idle notice', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await page.clock.install();
  await logonInBrowser(page, master);

  assert.equal(await page.locator('body').getAttribute('data-idle-seconds'), String(idleSeconds));
  const timer = await page.request.get('/static/session-timer.js');
  assert.equal(timer.status(), 200);
  assert.match(timer.headers()['content-type'] ?? '', /javascript/);
  const warning = page.locator('#idle-warning');
  const info = page.locator('#idle-info');
  assert.equal(await warning.isVisible(), false, 'no warning at first');
  assert.equal(await info.isVisible(), true);

  // The script warns in the last minute (at most half the idle time).
  const leadSeconds = Math.min(60, Math.floor(idleSeconds / 2));
  await page.clock.runFor((idleSeconds - leadSeconds - 5) * 1000);
  assert.equal(await warning.isVisible(), false, 'no warning before the last minute');
  await page.clock.runFor(10_000);
  assert.equal(await warning.isVisible(), true, 'the warning shows in the last minute');
  assert.equal(await info.isVisible(), false);
  await screenshot(page, 'idle-warning');

  // Extending is a background request, which keeps the session alive on the server; the page stays.
  suite.portal.deps.clock.advanceSeconds(idleSeconds - 1);
  await page.locator('#idle-extend').click();
  await warning.waitFor({ state: 'hidden' });
  assert.equal(where(page), '/status');
  assert.equal(await info.isVisible(), true, 'the countdown starts afresh');

  // Left alone, the countdown reaches zero and the page reloads onto the logon page.
  suite.portal.deps.clock.advanceSeconds(idleSeconds + 1);
  await Promise.all([page.waitForURL('**/logon?ended=idle'), page.clock.runFor((idleSeconds + 1) * 1000)]);
  assert.equal(await page.locator('.notice').textContent(), ja['logon.notice.idle']);
  assertNoProblems(tab);
  await tab.context.close();
});

/**
 * The no-JavaScript meta refresh runs on the browser's real clock, which Playwright's clock does not
 * control, so this portal's idle time is short enough to wait for: 8 s, the refresh 2 s later. The
 * page's own clock is paused, so that its countdown moves only when the test moves it.
 */
const shortIdleSeconds = 8;
const pauseAheadMs = 1_000;

test('R7.1 in a browser: after 延長する, the original idle end passes and what was typed is still on the page (no reload by the no-JavaScript refresh)', { skip: noChromium }, async () => {
  const shortPortal = await startPortal(suite.database.db, { env: { SESSION_IDLE_SECONDS: String(shortIdleSeconds) } });
  try {
    const master = await onboardMaster(shortPortal.deps);
    await completeFirstLogon(new Client(shortPortal.app), shortPortal.deps, master);
    const tab = await openTab(suite.browser, shortPortal.baseUrl);
    const { page } = tab;
    await page.clock.install();
    await logonInBrowser(page, master);
    await Promise.all([page.waitForURL('**/settings/email'), page.locator('nav.menu a[href="/settings/email"]').click()]);
    const loadedAt = Date.now();
    // Paused a little ahead of the page's time as read: a moment already past when the pause
    // arrives is refused, and on a busy machine the read and the pause are far apart.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + pauseAheadMs);
    await page.locator('#f-email').fill('keiri@customer.example');

    // Into the warning's last seconds (half the idle time), short of the page's own end.
    await page.clock.runFor((shortIdleSeconds / 2 + 1) * 1000 - pauseAheadMs);
    await page.locator('#idle-warning').waitFor({ state: 'visible' });
    shortPortal.deps.clock.advanceSeconds(shortIdleSeconds - 1);
    await page.locator('#idle-extend').click();
    await page.locator('#idle-warning').waitFor({ state: 'hidden' });

    // The original idle end passes on the server, and the moment the page's refresh was set for
    // passes in the browser (idle + 2 s after the page loaded, with a margin).
    shortPortal.deps.clock.advanceSeconds(2);
    await page.waitForTimeout(Math.max(0, loadedAt + (shortIdleSeconds + 4) * 1000 - Date.now()));
    assert.equal(where(page), '/settings/email', 'the page was not reloaded');
    assert.equal(await page.locator('#f-email').inputValue(), 'keiri@customer.example', 'what was typed is still there');
    await screenshot(page, 'idle-extended-typed-kept');

    // The extension kept the session: the next click is served, not sent to the logon page.
    await Promise.all([page.waitForURL('**/status'), page.locator('nav.menu a[href="/status"]').click()]);
    assertNoProblems(tab);
    await tab.context.close();
  } finally {
    await shortPortal.close();
  }
});

test('R7.1 without JavaScript: the meta refresh still takes an idle page to the logon page', { skip: noChromium }, async () => {
  const shortPortal = await startPortal(suite.database.db, { env: { SESSION_IDLE_SECONDS: String(shortIdleSeconds) } });
  try {
    const master = await onboardMaster(shortPortal.deps);
    await completeFirstLogon(new Client(shortPortal.app), shortPortal.deps, master);
    const context = await suite.browser.newContext({ baseURL: shortPortal.baseUrl, ignoreHTTPSErrors: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await logonInBrowser(page, master);
    shortPortal.deps.clock.advanceSeconds(shortIdleSeconds + 1);
    await page.waitForURL('**/logon?ended=idle', { timeout: (shortIdleSeconds + 10) * 1000 });
    assert.equal(await page.locator('.notice').textContent(), ja['logon.notice.idle']);
    await context.close();
  } finally {
    await shortPortal.close();
  }
});
