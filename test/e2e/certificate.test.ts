import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { embeddedTlsCertificate } from '../../src/platform/embedded-secrets.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { translator } from '../../src/web/i18n/index.ts';
import { assertNoProblems, launchBrowser, noChromium, screenshot, submit, typeGridStep, where, type Tab } from './browser-helpers.ts';

/**
 * R4.3 end to end in Chromium: the person acquires a certificate through the page (key pair and
 * PKCS#12 file made in the browser), takes the downloaded file and its password, and logs on with
 * it at the certificate listener in a new browser profile; a profile without it is refused there.
 */

const t = translator('ja');

interface Portals {
  deps: ReturnType<typeof testDeps>;
  ordinary: FastifyInstance;
  certificate: FastifyInstance;
  ordinaryUrl: string;
  certificateUrl: string;
}

let database: TestDatabase;
let portals: Portals;
let browser: Browser;
let workDir: string;
before(async () => {
  if (noChromium) return;
  database = await createTestDatabase();
  workDir = mkdtempSync(join(tmpdir(), 'ib-e2e-certificate-'));
  const deps = testDeps(database.db);
  // The browser checks the server's certificate against its own (real) clock, not the fake one.
  const https = await embeddedTlsCertificate(workDir, ['localhost', '127.0.0.1'], new Date());
  const authority = await ensureAuthority(deps);
  const ordinary = await buildApp(deps, { https, logger: false });
  const certificate = await buildApp(deps, { https, logger: false, clientCertificates: { ca: authority.certificatePem } });
  await ordinary.listen({ host: '127.0.0.1', port: 0 });
  await certificate.listen({ host: '127.0.0.1', port: 0 });
  const certificatePort = (certificate.server.address() as AddressInfo).port;
  const certificateUrl = `https://localhost:${certificatePort}`;
  // The pages link to the certificate listener where this test started it.
  deps.config.certPort = certificatePort;
  deps.config.certPublicUrl = certificateUrl;
  portals = { deps, ordinary, certificate, ordinaryUrl: `https://127.0.0.1:${(ordinary.server.address() as AddressInfo).port}`, certificateUrl };
  browser = await launchBrowser();
});
after(async () => {
  if (noChromium) return;
  await browser.close();
  await portals.certificate.close();
  await portals.ordinary.close();
  await database.drop();
  rmSync(workDir, { recursive: true, force: true });
});

/** A browser profile of its own, recording what would mean a broken page (as openTab does), with extra options. */
async function openProfile(baseURL: string, options: BrowserContextOptions = {}): Promise<Tab> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL, locale: 'ja-JP', viewport: { width: 1024, height: 768 }, acceptDownloads: true, ...options });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (new URL(message.location().url || 'about:blank').pathname === '/favicon.ico') return;
    // A refused logon answers its page with 403; its test asserts that.
    if (message.text().startsWith('Failed to load resource') && message.location().url === page.url()) return;
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`${response.status()} for ${response.url()}`);
  });
  return { context, page, problems };
}

/** A master of a contract switched to certificates (R4.2), first logon done over app.inject. */
async function readyMaster(): Promise<TestPerson> {
  const master = await onboardMaster(portals.deps);
  await completeFirstLogon(new Client(portals.ordinary), portals.deps, master);
  await portals.deps.db.updateTable('contract').set({ certificate_required: true }).where('id', '=', master.contractId).execute();
  return master;
}

async function typeIds(tab: Tab, person: TestPerson, formAction: string): Promise<void> {
  await tab.page.locator('#f-contractId').fill(person.contractId);
  await tab.page.locator('#f-userId').fill(person.userId);
  await tab.page.locator('#f-password').fill(person.loginPassword);
  await submit(tab.page, formAction);
}

/** 電子証明書の取得・更新 from the ordinary logon page to the acquisition page, in a new profile. */
async function openAcquisition(person: TestPerson): Promise<Tab> {
  const tab = await openProfile(portals.ordinaryUrl);
  const { page } = tab;
  await page.goto('/logon');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/logon/certificate'),
    page.getByRole('button', { name: t('certificateLogon.acquireButton') }).first().click(),
  ]);
  await typeIds(tab, person, '/logon/certificate');
  assert.equal(where(page), '/logon/grid');
  await typeGridStep(page, person.digits);
  assert.equal(where(page), '/certificate/acquire');
  await page.locator('#acquire-start:enabled').waitFor();
  return tab;
}

test('R4.3 in a browser: acquire a certificate through the page, take the PKCS#12 file and its password, and log on with it at the certificate listener; without it the logon is refused', { skip: noChromium, timeout: 180_000 }, async () => {
  const master = await readyMaster();

  // 1. 電子証明書の取得・更新 on the logon page: IDs, password, grid card.
  const acquiring = await openAcquisition(master);
  const { page } = acquiring;
  assert.equal(await page.locator('h1').textContent(), t('certificateAcquire.title'));
  await screenshot(page, 'certificate-acquire');

  // 2. The button: key pair, request, certificate, PKCS#12 — all in the page.
  const posted: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posted.push(request.postData() ?? '');
  });
  await page.locator('#acquire-start').click();
  await page.locator('#acquire-result').waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await page.locator('#acquire-error').isHidden(), true);
  const password = (await page.locator('#p12-password').textContent())!.trim();
  assert.match(password, /^[A-HJ-NP-Za-km-np-z2-9]{16}$/);
  assert.equal(await page.locator('#p12-not-after').textContent(), '2027年4月1日（木）', 'the last day through the one date formatter');
  assert.equal(await page.locator('#certificate-logon').getAttribute('href'), `${portals.certificateUrl}/logon`);
  await screenshot(page, 'certificate-acquire-result');

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#p12-download').click()]);
  assert.equal(download.suggestedFilename(), `${master.contractId}-${master.userId}.p12`);
  const pfxPath = join(workDir, download.suggestedFilename());
  await download.saveAs(pfxPath);
  const pfx = readFileSync(pfxPath);
  tls.createSecureContext({ pfx, passphrase: password });
  // The only POST of the acquisition carried the request, not the key (R4.3).
  assert.equal(posted.length, 1);
  assert.deepEqual([...new URLSearchParams(posted[0]).keys()].sort(), ['_csrf', 'csr', 'replace']);
  assert.doesNotMatch(posted[0]!, /PRIVATE/);
  assertNoProblems(acquiring);
  await acquiring.context.close();

  // 3. A new profile holding the file logs on at the certificate listener: password and grid card.
  const holder = await openProfile(portals.certificateUrl, {
    clientCertificates: [{ origin: portals.certificateUrl, pfxPath, passphrase: password }],
  });
  await holder.page.goto('/logon');
  await typeIds(holder, master, '/logon');
  assert.equal(where(holder.page), '/logon/grid', `password step with the certificate: ${await holder.page.locator('.error').allTextContents()}`);
  await typeGridStep(holder.page, master.digits);
  assert.equal(where(holder.page), '/status');
  assert.equal(await holder.page.locator('h1').textContent(), t('status.title'));
  await screenshot(holder.page, 'certificate-logon-status');
  assertNoProblems(holder);
  await holder.context.close();

  // 4. A profile without the file is refused at the certificate listener, with a message that says why.
  const stranger = await openProfile(portals.certificateUrl);
  await stranger.page.goto('/logon');
  await typeIds(stranger, master, '/logon');
  assert.equal(where(stranger.page), '/logon');
  const refusal = stranger.page.locator('.error[role=alert]');
  assert.equal(await refusal.getAttribute('data-code'), 'CERT_LOGON_MISSING');
  assert.equal((await refusal.textContent())?.trim(), t('error.CERT_LOGON_MISSING'));
  await screenshot(stranger.page, 'certificate-logon-refused');
  assertNoProblems(stranger);
  await stranger.context.close();
});

test('R4.6 in a browser: with a current certificate the page warns, shows the refusal of an unconfirmed request, and replaces the certificate once confirmed', { skip: noChromium, timeout: 180_000 }, async () => {
  const master = await readyMaster();
  const first = await openAcquisition(master);
  await first.page.locator('#acquire-start').click();
  await first.page.locator('#acquire-result').waitFor({ state: 'visible', timeout: 60_000 });
  await first.context.close();

  const again = await openAcquisition(master);
  const { page } = again;
  assert.equal((await page.locator('#acquire-existing p').textContent())?.trim(), t('certificateAcquire.existing', { date: '2027年4月1日（木）' }));
  // Not confirmed: the bank refuses, and the page says why; nothing is offered for download.
  await page.locator('#acquire-start').click();
  const refusal = page.locator('#acquire-error');
  await refusal.waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await refusal.getAttribute('data-code'), 'CERT_REPLACE_CONFIRM');
  assert.equal(await refusal.textContent(), t('error.CERT_REPLACE_CONFIRM'));
  assert.equal(await page.locator('#acquire-result').isHidden(), true);
  await screenshot(page, 'certificate-acquire-replace-refused');

  await page.locator('#f-replace').check();
  await page.locator('#acquire-start').click();
  await page.locator('#acquire-result').waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await refusal.isHidden(), true);
  const certificates = await portals.deps.db
    .selectFrom('client_certificate')
    .innerJoin('users', 'users.id', 'client_certificate.user_ref')
    .select(['client_certificate.revoked_at'])
    .where('users.contract_id', '=', master.contractId)
    .orderBy('client_certificate.id')
    .execute();
  assert.equal(certificates.length, 2);
  assert.notEqual(certificates[0]!.revoked_at, null, 'the first certificate is revoked');
  assert.equal(certificates[1]!.revoked_at, null);
  assertNoProblems(again);
  await again.context.close();
});
