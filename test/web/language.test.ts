import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, errorCode } from '../helpers/client.ts';
import { activeMaster, appForFile, en, ja, passwordStep } from '../helpers/http-app.ts';

const t = appForFile();

const languageCookie = '__Host-lang';

function titleOf(body: string): string | undefined {
  return /<title>([^<]*)<\/title>/.exec(body)?.[1];
}

function htmlLang(body: string): string | undefined {
  return /<html lang="(\w+)">/.exec(body)?.[1];
}

test('pages are in Japanese by default', async () => {
  const page = await new Client(t.app).get('/logon');
  assert.equal(htmlLang(page.body), 'ja');
  assert.equal(titleOf(page.body), `${ja('logon.title')} | ${t.deps.config.bankName} ${ja('app.title')}`);
  assert.match(page.body, /<a href="\/logon\?lang=en" lang="en">/, 'the switch to English is offered');
});

test('?lang=en switches to English, the choice persists in a cookie, and ?lang=ja switches back', async () => {
  const client = new Client(t.app);
  const english = await client.get('/logon?lang=en');
  assert.equal(htmlLang(english.body), 'en');
  assert.equal(titleOf(english.body), `${en('logon.title')} | ${t.deps.config.bankName} ${en('app.title')}`);
  assert.equal(client.cookies.get(languageCookie), 'en');

  const later = await client.get('/logon');
  assert.equal(htmlLang(later.body), 'en', 'the choice is remembered');
  assert.match(later.body, /<a href="\/logon\?lang=ja" lang="ja">/);

  const back = await client.get('/logon?lang=ja');
  assert.equal(htmlLang(back.body), 'ja');
  assert.equal(htmlLang((await client.get('/logon')).body), 'ja');
});

test('the language chosen before logon stays for the whole session', async () => {
  const { client } = await activeMaster(t);
  await client.get('/status?lang=en');
  for (const path of ['/status', '/settings/password', '/settings/email']) {
    const page = await client.get(path);
    assert.equal(htmlLang(page.body), 'en', path);
  }
  assert.ok((await client.get('/status')).body.includes(en('status.recent')));
});

test('an unknown language is ignored and sets no cookie', async () => {
  const client = new Client(t.app);
  for (const asked of ['fr', 'EN', '', 'en%00', '<script>']) {
    const page = await client.get(`/logon?lang=${encodeURIComponent(asked)}`);
    assert.equal(page.statusCode, 200, asked);
    assert.equal(htmlLang(page.body), 'ja', asked);
    assert.equal(client.cookies.has(languageCookie), false, asked);
  }
});

test('errors carry the same code in both languages', async () => {
  const { person } = await activeMaster(t);
  const english = new Client(t.app);
  await english.get('/logon?lang=en');
  const failed = await passwordStep(english, person, 'Wrong2026pass');
  assert.equal(htmlLang(failed.body), 'en');
  assert.equal(errorCode(failed.body), 'AUTH_LOGON_FAILED');
  assert.ok(failed.body.includes(en('logon.title')));
});
