import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Client } from '../helpers/client.ts';
import { completeFirstLogon, lastOneTimePassword, onboardMaster, otpAddressOf } from '../helpers/people.ts';
import { addUserWith } from '../users/helpers.ts';
import { ja } from '../helpers/http-app.ts';
import { addAccount, addContract, balanceOf, otherOwnBranchCode, addOwnBranches } from '../transfers/fixtures.ts';
import { readMail } from '../outbox/read-mail.ts';
import { deliverDue } from '../../src/outbox/delivery.ts';
import { emlFileTransport } from '../../src/outbox/transport.ts';
import {
  assertNoProblems,
  noChromium,
  openTab,
  registerOtpAddressInBrowser,
  screenshot,
  where,
  logonInBrowser,
  browserSuite,
} from './browser-helpers.ts';

const suite = browserSuite();
let mailDir: string;
before(() => {
  mailDir = mkdtempSync(join(tmpdir(), 'ib-e2e-mail-'));
});
after(() => rmSync(mailDir, { recursive: true, force: true }));

/** Presses the submit button of one form (picked by a selector) and waits for the page it leads to. */
async function press(page: Page, form: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.locator(`${form} button[type=submit]`).click()]);
  await page.waitForLoadState('load');
}

test('R8.2, R8.5, R7.3 in a browser: a payee registered and approved, a transfer to it entered and confirmed, approved by a second person, and the result emailed', { skip: noChromium, timeout: 180_000 }, async () => {
  const { deps } = suite.portal;
  await addOwnBranches(deps.db);
  const master = await onboardMaster(deps);
  await completeFirstLogon(new Client(suite.portal.app), deps, master);
  // R8.5: single approval; the second person holds approve (and send, so the approval sends it).
  await deps.db.updateTable('contract').set({ approval_mode: 'single' }).where('id', '=', master.contractId).execute();
  const from = await addAccount(deps, master.contractId, { fundYen: 2_000_000n });
  const payeeAccount = await addAccount(deps, (await addContract(deps)).contractId, { branchCode: otherOwnBranchCode });
  const approver = await addUserWith(deps, master.contractId, [{ business: 'transfer', approve: true, send: true, perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n }], [from.id]);

  // The master registers the payee, typing the name in hiragana.
  const masterTab = await openTab(suite.browser, suite.portal.baseUrl);
  const mp = masterTab.page;
  await logonInBrowser(mp, master);
  await Promise.all([mp.waitForURL('**/payees'), mp.locator('nav.menu a[href="/payees"]').click()]);
  await Promise.all([mp.waitForURL('**/payees/new'), mp.locator('a[href="/payees/new"]').click()]);
  await mp.locator('#f-bankCode').fill('0999');
  await mp.locator('#f-branchCode').fill(otherOwnBranchCode);
  await mp.locator('input[name="accountType"][value="ordinary"]').check();
  await mp.locator('#f-accountNumber').fill(payeeAccount.accountNumber);
  await mp.locator('#f-name').fill('とりひきさき');
  await mp.locator('#f-nickname').fill('取引先');
  await screenshot(mp, 'money-payee-new');
  await press(mp, 'form.payee-form');
  assert.match(where(mp), /^\/payees\/new\/confirm\?draft=/);
  await mp.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await screenshot(mp, 'money-payee-review');
  await press(mp, 'form[action="/payees/new/confirm"]');
  const payeePath = /^\/payees\/(\d+)\?done=registeredPending$/.exec(where(mp));
  assert.ok(payeePath, `the payee waits for approval: ${where(mp)}`);
  const payeeId = payeePath[1]!;

  // The second person approves the payee.
  const approverTab = await openTab(suite.browser, suite.portal.baseUrl);
  const ap = approverTab.page;
  // R5.1: the approver may send transfers, so the first page after the logon asks for the OTP address.
  await logonInBrowser(ap, approver, '/otp-address');
  await screenshot(ap, 'otp-address-register');
  await registerOtpAddressInBrowser(ap, (address) => lastOneTimePassword(deps, address), approver, otpAddressOf(approver));
  assert.equal(where(ap), '/status');
  await ap.goto(`/payees/${payeeId}/approve`);
  await ap.locator('#f-confirmationPassword').fill(approver.confirmationPassword);
  await press(ap, `form[action="/payees/${payeeId}/approve"]`);
  assert.equal(where(ap), `/payees/${payeeId}?done=approved`);

  // The master enters a transfer to the payee; a fractional amount is refused next to the field first.
  await Promise.all([mp.waitForURL('**/transfers/new'), mp.locator('nav.menu a[href="/transfers/new"]').click()]);
  assert.equal(await mp.locator('h1').textContent(), '振込・振替');
  await mp.locator('#f-fromAccountId').selectOption(String(from.id));
  await mp.locator('#f-destination-payee').check();
  await mp.locator('#f-payeeId').selectOption(payeeId);
  await mp.locator('#f-amount').fill('１２０，０００．５');
  await press(mp, 'form[action="/transfers/new"]');
  assert.equal(where(mp), '/transfers/new');
  assert.equal(await mp.locator('#form-error').getAttribute('data-code'), 'TRANSFER_PAGES_AMOUNT_FRACTION');
  assert.equal(await mp.locator('#f-amount').getAttribute('aria-invalid'), 'true');
  assert.equal(await mp.locator('#f-payeeId').inputValue(), payeeId, 'the choices made are kept');
  await screenshot(mp, 'money-transfer-refused');
  await mp.locator('#f-amount').fill('１２０，０００円');
  await screenshot(mp, 'money-transfer-new');
  await press(mp, 'form[action="/transfers/new"]');
  assert.match(where(mp), /^\/transfers\/confirm\?draft=/);
  assert.equal(await mp.locator('#payee-kana').textContent(), 'ﾄﾘﾋｷｻｷ');
  assert.equal(await mp.locator('#quote-fee').textContent(), '220円');
  assert.equal(await mp.locator('#quote-total').textContent(), '120,220円');
  assert.equal(await mp.locator('#approvals-note').textContent(), ja('transferPages.approvals.count', { count: 1 }));
  await mp.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await screenshot(mp, 'money-transfer-confirm');
  await press(mp, 'form[action="/transfers/confirm"]');
  const created = /^\/transfers\/(\d+)\?done=created$/.exec(where(mp));
  assert.ok(created, `the transfer page: ${where(mp)}`);
  const transferId = created[1]!;
  assert.equal(await mp.locator('#transfer-status').getAttribute('data-status'), 'awaiting_approval');
  // R8.5 [承認依頼通知]: the approver is asked by email, and the email names the transfer.
  const request = await deps.db.selectFrom('outbox').select('body').where('recipient', '=', approver.email).where('subject', 'like', '承認依頼のお知らせ%').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.ok(request.body.includes(transferId), 'the approval request names the transfer');
  await screenshot(mp, 'money-transfer-created');
  await mp.goto(`/transfers/${transferId}?lang=en`);
  assert.equal(await mp.locator('h1').textContent(), 'Transfer details');
  await screenshot(mp, 'money-transfer-created-en');
  await mp.goto('/transfers?lang=ja');
  await screenshot(mp, 'money-transfer-list');
  assertNoProblems(masterTab);

  // The second person finds it waiting, and approves it with the confirmation password.
  await Promise.all([ap.waitForURL('**/approvals'), ap.locator('nav.menu a[href="/approvals"]').click()]);
  await screenshot(ap, 'money-approvals');
  await Promise.all([ap.waitForURL(`**/transfers/${transferId}`), ap.locator(`tr[data-transfer-id="${transferId}"] a`).click()]);
  // R5.2, R5.3: the approval sends the transfer, so the approver has the one-time password emailed,
  // and compares the email with the page before entering it.
  await press(ap, `form[action="/transfers/${transferId}/otp"]`);
  assert.ok(await ap.locator('#otp-sent').isVisible(), 'the page says the code was sent');
  const otpMail = await deps.db.selectFrom('outbox').selectAll().where('recipient', '=', otpAddressOf(approver)).where('subject', 'like', '%振込内容のご確認%').orderBy('id', 'desc').executeTakeFirstOrThrow();
  for (const shown of ['受取人名: ﾄﾘﾋｷｻｷ', '振込金額: 120,000円', '振込手数料: 220円', `口座: 普通 ${payeeAccount.accountNumber}`, '駅前支店（支店コード 002）', `受付番号: ${transferId}`]) {
    assert.ok(otpMail.body.includes(shown), `the email states ${shown}`);
  }
  const pageText = (await ap.locator('main').textContent()) ?? '';
  for (const shown of ['ﾄﾘﾋｷｻｷ', '120,000円', '220円', payeeAccount.accountNumber]) assert.ok(pageText.includes(shown), `the page states ${shown} too`);
  await screenshot(ap, 'money-transfer-otp-sent');
  const mailTab = await suite.browser.newPage();
  await mailTab.setContent(`<pre style="font: 14px 'IPAGothic', monospace; padding: 16px">${`件名: ${otpMail.subject}\n\n${otpMail.body}`.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>`);
  await screenshot(mailTab, 'money-transfer-otp-email');
  await mailTab.close();
  await ap.locator(`form[action="/transfers/${transferId}/approve"] #f-otp`).fill(await lastOneTimePassword(deps, otpAddressOf(approver)));
  await ap.locator(`form[action="/transfers/${transferId}/approve"] #f-confirmationPassword`).fill(approver.confirmationPassword);
  await screenshot(ap, 'money-transfer-approve');
  await press(ap, `form[action="/transfers/${transferId}/approve"]`);
  assert.equal(where(ap), `/transfers/${transferId}?done=approved`);
  assert.equal(await ap.locator('#transfer-status').getAttribute('data-status'), 'completed');
  await screenshot(ap, 'money-transfer-completed');
  assertNoProblems(approverTab);
  assert.equal(await balanceOf(deps.db, from.id), 2_000_000n - 120_220n);
  assert.equal(await balanceOf(deps.db, payeeAccount.id), 120_000n);

  // R7.3: the result is emailed to the people who operated it and the master, readable as .eml files.
  const results = await deps.db.selectFrom('outbox').selectAll().where('contract_id', '=', master.contractId).where('subject', 'like', `${ja('ledger.mail.completed.subject')}%`).orderBy('id').execute();
  assert.deepEqual(results.map((row) => row.recipient).sort(), [master.email, approver.email].sort());
  await deliverDue(deps.db, deps.clock, emlFileTransport(mailDir, 'ib-noreply@demo-bank.example'));
  for (const row of results) {
    const mail = readMail(readFileSync(join(mailDir, `${String(row.id).padStart(8, '0')}.eml`), 'utf8'));
    assert.equal(mail.headers.get('to'), row.recipient);
    assert.match(mail.subject, new RegExp(`^${ja('ledger.mail.completed.subject')}`));
    assert.match(mail.body, new RegExp(`${transferId}[\\s\\S]*ﾄﾘﾋｷｻｷ[\\s\\S]*120,000`));
  }

  // R8.6, the duplicate-transfer check: the same transfer entered again is held, the earlier one shown, until ticked.
  await mp.goto('/transfers/new');
  await mp.locator('#f-fromAccountId').selectOption(String(from.id));
  await mp.locator('#f-destination-payee').check();
  await mp.locator('#f-payeeId').selectOption(payeeId);
  await mp.locator('#f-amount').fill('120,000');
  await press(mp, 'form[action="/transfers/new"]');
  assert.match(where(mp), /^\/transfers\/confirm\?draft=/);
  assert.equal(await mp.locator('#duplicate-warning').getAttribute('data-transfer-id'), transferId);
  await mp.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await press(mp, 'form[action="/transfers/confirm"]');
  assert.equal(await mp.locator('#form-error').getAttribute('data-code'), 'TRANSFER_DUPLICATE_UNCONFIRMED');
  await screenshot(mp, 'money-transfer-duplicate-hold');
  const transfersBefore = await deps.db.selectFrom('transfer').select('id').where('contract_id', '=', master.contractId).execute();
  assert.equal(transfersBefore.length, 1, 'held: nothing made');
  await mp.locator('#f-separatePayment').check();
  await mp.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await press(mp, 'form[action="/transfers/confirm"]');
  const second = /^\/transfers\/(\d+)\?done=created$/.exec(where(mp));
  assert.ok(second, `the second transfer, ticked as separate: ${where(mp)}`);
  // R8.5: the page names who is awaited: the approver, by name.
  const approverName = (await deps.db.selectFrom('users').select('display_name').where('id', '=', approver.ref).executeTakeFirstOrThrow()).display_name;
  assert.equal(await mp.locator('#awaited').getAttribute('data-step'), 'approve');
  assert.ok(((await mp.locator('#awaited').textContent()) ?? '').includes(approverName), 'the approver is named');
  await screenshot(mp, 'money-transfer-awaited');

  // R8.6: Back after a confirmed transfer shows the transfer made, nothing to confirm again, no second transfer.
  await mp.goto('/transfers/new');
  await mp.locator('#f-fromAccountId').selectOption(String(from.id));
  await mp.locator('#f-destination-payee').check();
  await mp.locator('#f-payeeId').selectOption(payeeId);
  await mp.locator('#f-amount').fill('1,000');
  await press(mp, 'form[action="/transfers/new"]');
  await mp.locator('#f-confirmationPassword').fill(master.confirmationPassword);
  await press(mp, 'form[action="/transfers/confirm"]');
  const third = /^\/transfers\/(\d+)\?done=created$/.exec(where(mp));
  assert.ok(third, `the third transfer: ${where(mp)}`);
  await mp.goBack();
  await mp.waitForLoadState('load');
  assert.match(where(mp), /^\/transfers\/confirm\?draft=/);
  assert.equal(await mp.locator('#already-confirmed').getAttribute('data-transfer-id'), third[1]);
  assert.equal(await mp.locator('form[action="/transfers/confirm"]').count(), 0, 'nothing to confirm again');
  await screenshot(mp, 'money-transfer-back-confirmed');
  const after = await deps.db.selectFrom('transfer').select('id').where('contract_id', '=', master.contractId).execute();
  assert.equal(after.length, 3, 'no fourth transfer');
  assertNoProblems(masterTab);

  await approverTab.context.close();
  await masterTab.context.close();
});
