import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { before, after } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/open.ts';
import { embeddedTlsCertificate } from '../../src/platform/embedded-secrets.ts';
import { expectedAnswer } from '../../src/auth/grid-card.ts';
import { testDeps } from '../helpers/deps.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildConsole } from '../../src/operator/console/server.ts';

/**
 * Browser tests drive Debian's Chromium against the real portal, started in this process over
 * HTTPS; the server's clock is a FakeClock, so session ends are reached by advancing it.
 */
export const chromiumPath = '/usr/bin/chromium';
export const noChromium: string | false = existsSync(chromiumPath)
  ? false
  : `Chromium not found at ${chromiumPath}: install Debian's chromium, as .ci/run does`;

const screenshotDir = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

export interface Portal {
  app: FastifyInstance;
  deps: ReturnType<typeof testDeps>;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startPortal(db: Db, options: { env?: Record<string, string> } = {}): Promise<Portal> {
  const deps = testDeps(db, { env: options.env });
  const certDir = mkdtempSync(join(tmpdir(), 'ib-e2e-tls-'));
  // The browser checks the certificate against its own (real) clock, not the server's fake one.
  const https = await embeddedTlsCertificate(certDir, ['localhost', '127.0.0.1'], new Date());
  const app = await buildApp(deps, { https, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    deps,
    baseUrl: `https://127.0.0.1:${port}`,
    async close() {
      await app.close();
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}

/** The operator console, started on the portal's deps (the same database and clock) over HTTPS. */
export interface Console {
  app: FastifyInstance;
  url: string;
}

/** What the tests of one browser file share; filled in by the file's `before`, when Chromium is there. */
export interface BrowserSuite {
  database: TestDatabase;
  portal: Portal;
  browser: Browser;
  /** Only when the suite was asked for one. */
  console: Console;
}

/**
 * Registers the `before` and `after` of a browser file: a database of its own, the portal on it
 * (with the configuration given), the operator console when asked, and one Chromium. Nothing is
 * started without Chromium: the file's tests skip with `noChromium` as their reason.
 */
export function browserSuite(options: { env?: Record<string, string>; console?: boolean } = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  let consoleCertDir: string | undefined;
  before(async () => {
    if (noChromium) return;
    suite.database = await createTestDatabase();
    suite.portal = await startPortal(suite.database.db, { env: options.env });
    if (options.console) {
      consoleCertDir = mkdtempSync(join(tmpdir(), 'ib-e2e-console-tls-'));
      const https = await embeddedTlsCertificate(consoleCertDir, ['localhost', '127.0.0.1'], new Date());
      const app = await buildConsole(suite.portal.deps, { https, logger: false });
      await app.listen({ host: '127.0.0.1', port: 0 });
      suite.console = { app, url: `https://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
    }
    suite.browser = await launchBrowser();
  });
  after(async () => {
    if (noChromium) return;
    await suite.browser?.close();
    await suite.console?.app.close();
    await suite.portal?.close();
    if (consoleCertDir) rmSync(consoleCertDir, { recursive: true, force: true });
    await suite.database?.drop();
  });
  return suite;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors, CSP violations and server errors seen so far. */
  problems: string[];
}

/**
 * A fresh browser profile (its own cookies) with one page that records everything that would mean a
 * broken page: the CSP blocks silently in the page, so its violations are reported to the console.
 */
export async function openTab(browser: Browser, baseUrl: string): Promise<Tab> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: baseUrl, locale: 'ja-JP', viewport: { width: 1024, height: 768 } });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // The browser's own favicon request is checked once, by its own test, rather than on every page.
    if (new URL(message.location().url || 'about:blank').pathname === '/favicon.ico') return;
    // A page's own status (401 for a failed logon) is asserted by its test; Chromium logs it as an error.
    if (message.text().startsWith('Failed to load resource') && message.location().url === page.url()) return;
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`${response.status()} for ${response.url()}`);
  });
  return { context, page, problems };
}

export function assertNoProblems(tab: Tab): void {
  assert.deepEqual(tab.problems, [], 'no console errors, page errors, CSP violations or server errors');
}

/**
 * Saves the page for a person to look at. `npm test` runs the browser files on one database; a
 * file named to run on both writes its copy under a name of its own and renames it into place, so
 * a reader never sees a torn file.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name}.png`);
  const partial = `${file}.${process.pid}.partial`;
  await page.screenshot({ path: partial, fullPage: true, type: 'png' });
  renameSync(partial, file);
}

/** The pathname and search of the page now shown, to compare with where a flow should land. */
export function where(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** The password step of the logon page, typed as a person types it. */
export async function typePasswordStep(page: Page, person: { contractId: string; userId: string }, password: string): Promise<void> {
  await page.locator('#f-contractId').fill(person.contractId);
  await page.locator('#f-userId').fill(person.userId);
  await page.locator('#f-password').fill(password);
  await submit(page, '/logon');
}

/** The grid step: read the four cells the page names and type the card's digits for them. */
export async function typeGridStep(page: Page, digits: string): Promise<void> {
  const cells = await page.locator('.cell-name').allTextContents();
  assert.equal(cells.length, 4, 'the grid page names four cells');
  const answer = expectedAnswer(digits, cells);
  for (let i = 0; i < cells.length; i++) await page.locator(`#f-cell${i}`).fill(answer[i]!);
  await submit(page, '/logon/grid');
}

/**
 * A whole logon as a person does it in the browser (R3.1, R3.2): the logon page, the password, the
 * grid card; it must land on the status page.
 */
export async function logonInBrowser(page: Page, person: { contractId: string; userId: string; loginPassword: string; digits: string }, landing = '/status'): Promise<void> {
  await page.goto('/logon');
  await typePasswordStep(page, person, person.loginPassword);
  await typeGridStep(page, person.digits);
  assert.equal(where(page), landing);
}

/** Submits a form and waits until the page it leads to has loaded. */
export async function submit(page: Page, formAction: string): Promise<void> {
  await Promise.all([
    page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()),
    page.locator(`form[action="${formAction}"] button[type=submit]`).click(),
  ]);
  await page.waitForLoadState('load');
}

/**
 * R5.1 in the browser: at the OTP address page, the address and the confirmation password, then the
 * one-time password read from the person's mail; the person lands where the page leads.
 */
export async function registerOtpAddressInBrowser(page: Page, code: (address: string) => Promise<string>, person: { confirmationPassword: string }, address: string, path = '/otp-address'): Promise<void> {
  await page.locator('#f-address').fill(address);
  await page.locator('#f-confirmationPassword').fill(person.confirmationPassword);
  await submit(page, path);
  await page.locator('#f-otp').fill(await code(address));
  await submit(page, `${path}/verify`);
}
