import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { ja } from '../../src/web/i18n/ja.ts';
import {
  assertNoProblems,
  launchBrowser,
  noChromium,
  openTab,
  screenshot,
  where,
  startPortal,
  type Portal,
  logonInBrowser,
} from './browser-helpers.ts';

/**
 * R7.1: the idle end. The server's FakeClock is advanced instead of waiting; the page's warning runs
 * on the browser's clock, which Playwright's clock controls the same way.
 */
const idleSeconds = 600;

let database: TestDatabase;
let portal: Portal;
let browser: Browser;
before(async () => {
  if (noChromium) return;
  database = await createTestDatabase();
  portal = await startPortal(database.db, { env: { SESSION_IDLE_SECONDS: String(idleSeconds) } });
  browser = await launchBrowser();
});
after(async () => {
  if (noChromium) return;
  await browser.close();
  await portal.close();
  await database.drop();
});

async function readyMaster(): Promise<TestPerson> {
  const master = await onboardMaster(portal.deps);
  await completeFirstLogon(new Client(portal.app), portal.deps, master);
  return master;
}

test('R7.1 in a browser: a session left idle past SESSION_IDLE_SECONDS ends, and the next click lands on the logon page with the idle notice', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const tab = await openTab(browser, portal.baseUrl);
  const { page } = tab;
  await logonInBrowser(page, master);

  // One second short of the end, a click still works and counts as activity.
  portal.deps.clock.advanceSeconds(idleSeconds - 1);
  await Promise.all([page.waitForURL('**/settings/password'), page.locator('nav.menu a[href="/settings/password"]').click()]);
  await screenshot(page, 'settings-password');

  portal.deps.clock.advanceSeconds(idleSeconds);
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
  const tab = await openTab(browser, portal.baseUrl);
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

  // Extending is a request, which keeps the session alive on the server.
  portal.deps.clock.advanceSeconds(idleSeconds - 1);
  await Promise.all([page.waitForEvent('load'), page.locator('#idle-extend').click()]);
  assert.equal(where(page), '/status');
  assert.equal(await warning.isVisible(), false, 'a fresh page starts a fresh countdown');

  // Left alone, the countdown reaches zero and the page reloads onto the logon page.
  portal.deps.clock.advanceSeconds(idleSeconds + 1);
  await Promise.all([page.waitForURL('**/logon?ended=idle'), page.clock.runFor((idleSeconds + 1) * 1000)]);
  assert.equal(await page.locator('.notice').textContent(), ja['logon.notice.idle']);
  assertNoProblems(tab);
  await tab.context.close();
});
