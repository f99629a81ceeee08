import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator } from '../../src/web/i18n/index.ts';
import { waitingPage } from '../../src/modules/approvals/views.ts';
import type { WaitingList } from '../../src/modules/approvals/waiting-items.ts';

/** The 承認待ち page renders its rows from the list alone, so it is checked here without a database. */
const list: WaitingList = {
  entries: [{ kind: 'transfer', id: '41', step: 'approve', label: 'ﾔﾏﾀﾞｼﾖｳｼﾞ', amountYen: 120_000n, date: '2026-12-07', registeredAt: new Date('2026-12-04T01:00:00Z') }],
  counts: { transfer: 1, payee: 0, bulk: 0 },
  total: 1,
};

function amountCell(language: 'ja' | 'en'): string {
  const page = waitingPage(translator(language), list).toString();
  const cell = /<td class="amount">([^<]*)<\/td>/.exec(page);
  assert.ok(cell, 'the row has an amount cell');
  return cell[1]!;
}

test('the 承認待ち page shows amounts with 円 (and "yen" in English), as every other page does', () => {
  assert.equal(amountCell('ja'), '120,000円');
  assert.equal(amountCell('en'), '120,000 yen');
});

test('the 承認待ち page shows the designated day through the one date formatter', () => {
  assert.match(waitingPage(translator('ja'), list).toString(), /<td>2026年12月7日（月）<\/td>/);
  assert.match(waitingPage(translator('en'), list).toString(), /<td>2026-12-07 \(Mon\)<\/td>/);
});
