import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridCardHtml } from '../../src/operator/grid-card-print.ts';

test('the printed grid card shows its last day in Japan time through the one date formatter, in both languages', () => {
  // 15:00 UTC on 31 March is already 1 April in Tokyo: the card reads the Tokyo day, not the UTC one.
  const card = { serial: 'GC-0001', digits: '0123456789'.repeat(5).slice(0, 48), expiresAt: new Date('2031-03-31T15:00:00.000Z') };
  const page = gridCardHtml(card, { bankName: 'デモ銀行', companyName: 'テスト商事', contractId: '12345678903', userId: 'master' });
  assert.ok(page.includes('有効期限 / Valid until: 2031年4月1日（火） / 2031-04-01 (Tue)<br>'), 'the expiry day in both languages');
});
