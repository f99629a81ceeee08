import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { enqueueEmail } from '../../src/outbox/enqueue.ts';
import { deliverDue } from '../../src/outbox/delivery.ts';
import { emlFileTransport } from '../../src/outbox/transport.ts';
import { readMail } from './read-mail.ts';

let database: TestDatabase;
let scratch: string;
before(async () => {
  database = await createTestDatabase();
  scratch = mkdtempSync(join(tmpdir(), 'ib-eml-'));
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await database.drop();
});

test('without SMTP each message becomes a readable .eml file, readable by its owner only', async () => {
  const clock = new FakeClock();
  const dir = join(scratch, 'mail');
  const transport = emlFileTransport(dir, 'ib-noreply@demo-bank.example');
  const messages = [
    { contractId: null, recipient: 'taro@customer.example', subject: 'メールアドレスの確認 / Confirm', body: '確認コード: 123456\nCode: 123456\n' },
    { contractId: null, recipient: 'hanako@customer.example', subject: 'ご利用停止 / Stopped', body: 'ご利用を停止しました。\n' },
  ];
  for (const message of messages) await enqueueEmail(database.db, message, clock.now());

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 2, failed: 0 });
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 2);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const rows = await database.db.selectFrom('outbox').select(['id', 'recipient', 'status']).orderBy('id').execute();
  for (const [i, row] of rows.entries()) {
    const file = join(dir, `${String(row.id).padStart(8, '0')}.eml`);
    assert.equal(files[i], `${String(row.id).padStart(8, '0')}.eml`);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'mail can hold codes: not for other users of the machine');
    const mail = readMail(readFileSync(file, 'utf8'));
    assert.equal(mail.headers.get('to'), messages[i]!.recipient);
    assert.equal(mail.headers.get('from'), 'ib-noreply@demo-bank.example');
    assert.equal(mail.subject, messages[i]!.subject);
    assert.equal(mail.body.trimEnd(), messages[i]!.body.trimEnd());
    assert.equal(row.status, 'sent');
  }

  assert.deepEqual(await deliverDue(database.db, clock, transport), { sent: 0, failed: 0 });
  assert.equal(readdirSync(dir).length, 2, 'nothing written twice');
});
