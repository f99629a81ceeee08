import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { ja } from '../../src/web/i18n/ja.ts';
import { en } from '../../src/web/i18n/en.ts';
import {
  assertNoProblems,
  noChromium,
  openTab,
  screenshot,
  submit,
  typeGridStep,
  typePasswordStep,
  where,
  browserSuite,
} from './browser-helpers.ts';

const suite = browserSuite();

/** A master who has completed the first logon (over app.inject, which is quicker than the suite.browser). */
async function readyMaster(): Promise<TestPerson> {
  const master = await onboardMaster(suite.portal.deps);
  await completeFirstLogon(new Client(suite.portal.app), suite.portal.deps, master);
  return master;
}

/** Japanese text left on an English page, apart from the names given (bank, company, person). */
const japanese = /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+/g;
function japaneseLeft(text: string, names: string[]): string[] {
  let rest = text;
  for (const name of names) rest = rest.replaceAll(name, '');
  return rest.match(japanese) ?? [];
}

test('R3.1, R7.2 in a browser: a normal logon lands on the status page with the recent uses, and logging off returns to the logon page with its notice', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;

  await page.goto('/logon');
  await typePasswordStep(page, master, master.loginPassword);
  assert.equal(where(page), '/logon/grid');
  await screenshot(page, 'logon-grid');
  await typeGridStep(page, master.digits);
  assert.equal(where(page), '/status');
  assert.equal(await page.locator('h1').textContent(), ja['status.title']);
  // The first logon and this one, newest first, with the method used (R7.2).
  const rows = page.locator('table.uses tbody tr');
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.nth(0).locator('td').nth(2).textContent(), ja['method.password']);
  assert.equal(await rows.nth(1).locator('td').nth(2).textContent(), ja['method.registration']);
  assert.equal(await page.locator('#failures-since').getAttribute('class'), 'hint', 'no failures since the last logon');
  await screenshot(page, 'logon-status');

  await submit(page, '/logout');
  assert.equal(where(page), '/logon?ended=logout');
  assert.equal(await page.locator('.notice').textContent(), ja['logon.notice.logout']);
  await screenshot(page, 'logout');

  // The ended session opens nothing any more, and says nothing about why.
  await page.goto('/status');
  assert.equal(where(page), '/logon');
  assertNoProblems(tab);
  await tab.context.close();
});

test('R2.3 in a browser: a wrong password shows the one logon failure on the same page, keeps the IDs typed and never the password', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await page.goto('/logon');
  await typePasswordStep(page, master, 'Wrong2026pass');
  assert.equal(where(page), '/logon');
  assert.equal(await page.locator('#form-error').getAttribute('data-code'), 'AUTH_LOGON_FAILED');
  assert.equal(await page.locator('#f-contractId').inputValue(), master.contractId);
  assert.equal(await page.locator('#f-userId').inputValue(), master.userId);
  assert.equal(await page.locator('#f-password').inputValue(), '');
  await screenshot(page, 'logon-failed');
  assertNoProblems(tab);
  await tab.context.close();
});

test('the English switch on the logon page turns the page English, and the choice lasts through the logon to the status page', { skip: noChromium }, async () => {
  const master = await readyMaster();
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await page.goto('/logon');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
  await Promise.all([page.waitForURL('**/logon?lang=en'), page.getByRole('link', { name: 'English' }).click()]);

  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), en['logon.title']);
  const bank = suite.portal.deps.config.bankName;
  const left: Record<string, string[]> = {};
  left.logon = japaneseLeft(await page.locator('body').innerText(), [bank, en['app.switchLanguage']]);
  await screenshot(page, 'logon-en');

  await typePasswordStep(page, master, master.loginPassword);
  left.grid = japaneseLeft(await page.locator('body').innerText(), [bank, en['app.switchLanguage']]);
  await screenshot(page, 'logon-grid-en');
  await typeGridStep(page, master.digits);
  assert.equal(where(page), '/status');
  assert.equal(await page.locator('h1').textContent(), en['status.title']);
  const contract = await suite.portal.deps.db.selectFrom('contract').select('company_name').where('id', '=', master.contractId).executeTakeFirstOrThrow();
  const person = await suite.portal.deps.db.selectFrom('users').select('display_name').where('contract_id', '=', master.contractId).executeTakeFirstOrThrow();
  left.status = japaneseLeft(await page.locator('body').innerText(), [bank, en['app.switchLanguage'], contract.company_name, person.display_name]);
  await screenshot(page, 'status-en');

  await Promise.all([page.waitForURL('**/status?lang=ja'), page.getByRole('link', { name: '日本語' }).click()]);
  assert.equal(await page.locator('h1').textContent(), ja['status.title']);
  assertNoProblems(tab);
  await tab.context.close();
  assert.deepEqual(left, { logon: [], grid: [], status: [] }, 'no Japanese text (not even a full-width space) on the English pages');
});

test('the page names an icon the portal serves, so no page logs a 404 for the browser\'s favicon request', { skip: noChromium }, async () => {
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  await tab.page.goto('/logon');
  // Without a declared icon, the browser asks for /favicon.ico by itself.
  const declared = await tab.page.evaluate(() => document.querySelector('link[rel~="icon"]')?.getAttribute('href') ?? null);
  const icon = await tab.page.request.get(declared ?? '/favicon.ico');
  assert.equal(icon.status(), 200, `icon ${declared ?? '/favicon.ico'}`);
  await tab.context.close();
});

test('the CSP blocks an inline script and an inline style put into a portal page, and the browser tests see the violation', { skip: noChromium }, async () => {
  const tab = await openTab(suite.browser, suite.portal.baseUrl);
  const { page } = tab;
  await page.goto('/logon');
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true;';
    document.body.append(script);
    const style = document.createElement('style');
    style.textContent = 'body { display: none; }';
    document.head.append(style);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return (window as unknown as { injected?: boolean }).injected === true;
  });
  assert.equal(ran, false, 'the inline script did not run');
  assert.equal(await page.locator('main').isVisible(), true, 'the inline style was not applied');
  assert.ok(tab.problems.some((p) => p.includes('CSP violation: script-src')), tab.problems.join('\n'));
  assert.ok(tab.problems.some((p) => p.includes('CSP violation: style-src')), tab.problems.join('\n'));
  await tab.context.close();
});
