import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, assertNoStackTrace, en, ja, passwordStep, userRow } from '../helpers/http-app.ts';
import { addAdminUser, addNewUser, addPerson, securityPath, stopByWrongPasswords } from '../user-security/people.ts';

const t = appForFile();

/** The part of the page about one person, as the page marks it. */
function sectionOf(page: string, userId: string): string {
  const start = page.indexOf(`<section class="person" id="person-${userId}"`);
  assert.ok(start >= 0, `the page has a section for ${userId}`);
  return page.slice(start, page.indexOf('</section>', start));
}

async function cardSerial(person: TestPerson): Promise<string> {
  const row = await userRow(t.deps, person);
  const card = await t.deps.db.selectFrom('grid_card').select('serial').where('user_ref', '=', row.id).where('invalidated_at', 'is', null).executeTakeFirstOrThrow();
  return card.serial;
}

test('R7.4: the master sees the lock mode explained and, for every person of the contract, permissions and limits, card, password age, stop and recent logons', async () => {
  const { person: master } = await activeMaster(t, { ip: '198.51.100.9' });
  const admin = await addAdminUser(t.deps, master.contractId);
  const clerk = await addPerson(t.deps, master.contractId, ['inquiry', 'transfer']);
  const stopped = await addPerson(t.deps, master.contractId);
  const newcomer = await addNewUser(t.deps, master.contractId);
  const gone = await addPerson(t.deps, master.contractId);
  await t.deps.db.updateTable('users').set({ status: 'deleted' }).where('contract_id', '=', master.contractId).where('user_id', '=', gone.userId).execute();
  await logon(new Client(t.app, { ip: '198.51.100.21' }), clerk);
  await passwordStep(new Client(t.app, { ip: '198.51.100.22' }), clerk, 'Wrong2026pass');
  await stopByWrongPasswords(t, stopped);
  const newcomerRow = await userRow(t.deps, newcomer);
  await t.deps.db
    .insertInto('grid_card_request')
    .values({ user_ref: newcomerRow.id, requested_by: (await userRow(t.deps, master)).id, reason: 'lost', requested_at: t.deps.clock.now() })
    .execute();
  // Another contract's people, with logons of their own, must never show.
  const { person: outsider } = await activeMaster(t, { ip: '192.0.2.250' });

  t.deps.clock.advanceSeconds(3 * 86_400);
  const client = new Client(t.app, { ip: '198.51.100.9' });
  await logon(client, master);
  const page = await client.get('/security');
  assert.equal(page.statusCode, 200);
  assertNoStackTrace(page);
  const body = page.body;

  assert.match(body, /data-lock-mode="unlinked"/);
  assert.ok(body.includes(ja('securityPage.lockMode.explain.unlinked')));
  assert.ok(body.includes(`<td>${ja('securityPage.rule.stopped.user')}</td><td>${ja('securityPage.rule.blocks.person')}</td>`), 'the rule table: a user\'s stop blocks that user');
  assert.ok(body.includes(`<td>${ja('securityPage.rule.stopped.master')}</td><td>${ja('securityPage.rule.blocks.contract')}</td><td>${ja('securityPage.releaser.operator')}</td>`));

  for (const person of [master, admin, clerk, stopped, newcomer]) {
    const section = sectionOf(body, person.userId);
    assert.ok(section.includes(await cardSerial(person)), `${person.userId}: the card serial`);
  }
  assert.ok(!body.includes(`id="person-${gone.userId}"`), 'a deleted person is not listed');
  assert.ok(!body.includes(outsider.userId) && !body.includes('192.0.2.250'), 'nothing of another contract');

  const masterSection = sectionOf(body, master.userId);
  assert.ok(masterSection.includes(ja('userSecurity.role.master')));
  assert.ok(masterSection.includes('198.51.100.9'), "the master's own logon");
  assert.ok(masterSection.includes(ja('securityPage.yen', { amount: '10,000,000' })), "the master's limits");
  assert.ok(!masterSection.includes(ja('securityPage.manage')), 'the master is not managed from here');

  const adminSection = sectionOf(body, admin.userId);
  assert.ok(adminSection.includes(ja('userSecurity.role.admin_user')));
  assert.match(adminSection, /data-business="user_admin"/);

  const clerkSection = sectionOf(body, clerk.userId);
  assert.ok(clerkSection.includes(ja('userSecurity.role.general_user')));
  assert.match(clerkSection, /<tr data-business="transfer"><td>資金移動<\/td><td>登録<\/td><td>1,000,000円<\/td><td>3,000,000円<\/td><\/tr>/, 'steps and limits');
  assert.match(clerkSection, /<tr class="success"><td>[^<]+<\/td><td>198\.51\.100\.21<\/td><td>成功<\/td><\/tr>/, 'a logon: time, IP, result');
  assert.match(clerkSection, /<tr class="failure"><td>[^<]+<\/td><td>198\.51\.100\.22<\/td><td>失敗<\/td><\/tr>/, 'a failed logon too');
  assert.match(clerkSection, /ログイン暗証番号：\d{4}年\d{1,2}月\d{1,2}日（.） \d{2}:\d{2} に変更（3日前）/, 'the password age');
  assert.match(clerkSection, /確認用暗証番号：\d{4}年\d{1,2}月\d{1,2}日（.） \d{2}:\d{2} に変更（3日前）/);
  assert.ok(clerkSection.includes(`href="${securityPath(clerk)}"`), 'a link to lift or reset');

  assert.match(sectionOf(body, stopped.userId), /class="person-state"><strong class="warning">ご利用停止中/);
  const newcomerSection = sectionOf(body, newcomer.userId);
  assert.ok(newcomerSection.includes(ja('securityPage.passwordNone', { kind: ja('password.kind.login') })));
  assert.match(newcomerSection, /新しいカードを申込み中（[^、]+、理由: 紛失）/, 'a requested card');
  assert.ok(sectionOf(body, clerk.userId).includes(ja('securityPage.card.noRequest')));
  assert.ok(body.includes(ja('securityPage.guidance.noAsking')), 'the security guidance');
});

test('R7.4: a general user sees their own entry and whom to ask, never another person\'s logons, limits or card', async () => {
  const { person: master } = await activeMaster(t);
  const admin = await addAdminUser(t.deps, master.contractId);
  const general = await addPerson(t.deps, master.contractId);
  const colleague = await addPerson(t.deps, master.contractId, ['inquiry', 'transfer']);
  await logon(new Client(t.app, { ip: '198.51.100.61' }), colleague);
  const client = new Client(t.app, { ip: '198.51.100.60' });
  await logon(client, general);
  const page = await client.get('/security');
  assert.equal(page.statusCode, 200);
  const own = sectionOf(page.body, general.userId);
  assert.ok(own.includes(ja('securityPage.you')));
  assert.ok(own.includes('198.51.100.60'));
  assert.ok(own.includes(await cardSerial(general)));
  assert.ok(page.body.includes(ja('securityPage.scope.own')));
  for (const leak of [`id="person-${colleague.userId}"`, `id="person-${master.userId}"`, '198.51.100.61', await cardSerial(colleague), colleague.userId]) {
    assert.ok(!page.body.includes(leak), `not shown: ${leak}`);
  }
  const administrators = page.body.slice(page.body.indexOf('id="administrators"'));
  assert.ok(administrators.includes(`（${master.userId}）`));
  assert.ok(administrators.includes(`（${admin.userId}）`));
  assert.ok(!page.body.includes('/security/lift') && !page.body.includes(`href="/users/`), 'no administrative links');
});

test('R7.4, R2.3: a linked contract\'s page explains that any stop stops everyone and only the bank lifts it', async () => {
  const { client } = await activeMaster(t, { lockMode: 'linked' });
  const page = await client.get('/security');
  assert.match(page.body, /data-lock-mode="linked"/);
  assert.ok(page.body.includes(ja('securityPage.lockMode.explain.linked')));
  assert.ok(page.body.includes(`<td>${ja('securityPage.rule.stopped.user')}</td><td>${ja('securityPage.rule.blocks.contract')}</td><td>${ja('securityPage.releaser.operator')}</td>`));
});

test('R2.6, R2.5: an old password and a reset one are flagged on the page', async () => {
  const { person: master, client } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await client.get(securityPath(user));
  await client.post(`${securityPath(user)}/reset`, { kind: 'confirmation', temporary: 'Temporary2026x', temporaryRepeat: 'Temporary2026x', confirmationPassword: master.confirmationPassword });
  t.deps.clock.advanceSeconds((t.deps.config.passwordMaxAgeDays + 1) * 86_400);
  const fresh = new Client(t.app);
  await logon(fresh, master);
  const page = await fresh.get('/security');
  assert.ok(sectionOf(page.body, master.userId).includes(ja('securityPage.passwordOld', { days: t.deps.config.passwordMaxAgeDays })));
  assert.ok(sectionOf(page.body, user.userId).includes(ja('securityPage.mustChange', { kind: ja('password.kind.confirmation') })));
});

test('R7.4: the page is complete in English', async () => {
  const { person: master, client } = await activeMaster(t);
  await addPerson(t.deps, master.contractId, ['inquiry', 'transfer']);
  const page = await client.get('/security?lang=en');
  assert.equal(page.statusCode, 200);
  for (const text of [en('securityPage.title'), en('securityPage.lockMode.explain.unlinked'), en('securityPage.business.transfer'), en('securityPage.guidance')]) {
    assert.ok(page.body.includes(text), text);
  }
  assert.ok(!page.body.includes(ja('securityPage.lockMode.explain.unlinked')));
  assert.doesNotMatch(page.body, /securityPage\.|userSecurity\./, 'no message key shows through');
});

test('R7.4: the page needs a completed logon; no inline script or style', async () => {
  const anonymous = new Client(t.app);
  assert.equal((await anonymous.get('/security')).headers.location, '/logon');
  const { client } = await activeMaster(t);
  const page = await client.get('/security');
  assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)/, 'scripts only from files');
  assert.doesNotMatch(page.body, /\sstyle=|<style/, 'styles only from the stylesheet');
});

test('R5.1: the master sees who may finalise payments without an OTP address; each person\'s address is shown masked; a general user sees no such list', async () => {
  const { person: master } = await activeMaster(t);
  const payer = await addPerson(t.deps, master.contractId, ['inquiry', 'tax_payment']);
  const viewer = await addPerson(t.deps, master.contractId, ['inquiry']);
  const client = new Client(t.app);
  await logon(client, master);
  const page = await client.get('/security');
  const missing = page.body.slice(page.body.indexOf('id="otp-address-missing"'), page.body.indexOf('id="people"'));
  assert.ok(missing.includes(`data-user-id="${payer.userId}"`), 'the person who pays taxes and fees lacks one');
  assert.ok(!missing.includes(`data-user-id="${viewer.userId}"`) && !missing.includes(`data-user-id="${master.userId}"`));
  assert.ok(sectionOf(page.body, payer.userId).includes(ja('securityPage.otpAddress.missing')));
  assert.ok(sectionOf(page.body, viewer.userId).includes(ja('securityPage.otpAddress.notNeeded')));
  const masterOtp = (await userRow(t.deps, master)).otp_email!;
  assert.ok(sectionOf(page.body, master.userId).includes(`${masterOtp[0]}*****@`), 'the master\'s own, masked');
  assert.ok(!page.body.includes(masterOtp), 'never in full');

  const general = new Client(t.app);
  await logon(general, viewer);
  assert.ok(!(await general.get('/security')).body.includes('id="otp-address-missing"'));
});
