import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { activeMaster, appForFile } from '../helpers/http-app.ts';
import { addAccounts } from '../users/helpers.ts';
import { fromCsv } from '../../src/audit/csv.ts';
import { customerLedgerAccountId, bankLedgerAccountId } from '../../src/modules/ledger/post.ts';
import { statementCsvRowsMax } from '../../src/modules/accounts/service.ts';
import { assertRefusedQuery, move } from './support.ts';
import { statementCsvText } from '../../src/modules/accounts/statement-csv.ts';
import type { StatementLine } from '../../src/modules/accounts/repository.ts';
import { translator } from '../../src/web/i18n/index.ts';

/**
 * R8.1: a statement's CSV download, in UTF-8 (with a byte order mark, for Excel) and Shift_JIS; its
 * contents, its file name, the neutralising of formulas, and its record in the audit trail. Today
 * is 2026-04-01 in Tokyo.
 */
const t = appForFile();

const header = ['日付', '摘要', 'お引出し', 'お預入れ', '残高', '振込番号'];

async function accountWithHistory() {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  await move(t.deps, account, 1_000_000n, '2026-02-27', 'ｹﾞﾝｷﾝ');
  await move(t.deps, account, 250_000n, '2026-03-03', 'ﾌﾘｺﾐ ｶ)ﾃｽﾄｼﾖｳｼﾞ');
  await move(t.deps, account, -40_000n, '2026-03-31', 'ﾔﾁﾝ');
  await move(t.deps, account, 5_000n, '2026-04-01', 'ﾘｿｸ');
  const { account_number: number } = await t.deps.db.selectFrom('account').select('account_number').where('id', '=', account).executeTakeFirstOrThrow();
  return { master, client, account, number };
}

test('the UTF-8 download is an attachment with a byte order mark, a header and every line of the period', async () => {
  const { client, account, number } = await accountWithHistory();
  const response = await client.get(`/accounts/${account}/statement.csv?from=2026-03-01&to=2026-04-01`);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
  assert.equal(response.headers['content-disposition'], `attachment; filename="statement-001-${number}-20260301-20260401.csv"`);
  assert.equal(response.headers['cache-control'], 'no-store', 'account data is never kept by a browser or proxy');
  const bytes = response.rawPayload;
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark, for Excel');
  const text = bytes.toString('utf8');
  assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends (RFC 4180)');
  assert.deepEqual(fromCsv(text), [
    header,
    ['2026-03-03', 'ﾌﾘｺﾐ ｶ)ﾃｽﾄｼﾖｳｼﾞ', null, '250000', '1250000', null],
    ['2026-03-31', 'ﾔﾁﾝ', '40000', null, '1210000', null],
    ['2026-04-01', 'ﾘｿｸ', null, '5000', '1215000', null],
  ]);
  const english = await client.get(`/accounts/${account}/statement.csv?from=2026-03-01&to=2026-04-01&lang=en`);
  assert.deepEqual(fromCsv(english.rawPayload.toString('utf8'))[0], ['Date', 'Description', 'Withdrawal', 'Deposit', 'Balance', 'Transfer No.']);
  const defaults = await client.get(`/accounts/${account}/statement.csv`);
  assert.equal(fromCsv(defaults.rawPayload.toString('utf8')).length, 4, 'without a period, the last 30 days (2026-03-03 … 2026-04-01)');
});

test('the Shift_JIS download holds the same rows, half-width kana as single bytes', async () => {
  const { client, account } = await accountWithHistory();
  const utf8 = await client.get(`/accounts/${account}/statement.csv?from=2026-02-01&to=2026-04-01&encoding=utf-8`);
  const sjis = await client.get(`/accounts/${account}/statement.csv?from=2026-02-01&to=2026-04-01&encoding=shift_jis`);
  assert.equal(sjis.statusCode, 200);
  assert.equal(sjis.headers['content-type'], 'text/csv; charset=Shift_JIS');
  const bytes = sjis.rawPayload;
  assert.notEqual(bytes[0], 0xef, 'no byte order mark in Shift_JIS');
  // ﾔﾁﾝ is 0xD4 0xC1 0xDD in Shift_JIS: one byte each.
  assert.ok(bytes.includes(Buffer.from([0xd4, 0xc1, 0xdd])), 'half-width kana as Shift_JIS single bytes');
  assert.ok(bytes.includes(Buffer.from([0x93, 0xfa, 0x95, 0x74])), '日付 in Shift_JIS');
  const decoded = new TextDecoder('shift_jis').decode(bytes);
  assert.deepEqual(fromCsv(decoded), fromCsv(utf8.rawPayload.toString('utf8')));
  assert.equal(fromCsv(decoded).length, 5);
});

test('a description a spreadsheet would run as a formula is written with a leading apostrophe', async () => {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  const dangerous = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3+4', '@SUM(A1)', '=1,"2"'];
  for (const [i, description] of dangerous.entries()) await move(t.deps, account, BigInt(1000 + i), '2026-03-20', description);
  for (const encoding of ['utf-8', 'shift_jis']) {
    const response = await client.get(`/accounts/${account}/statement.csv?from=2026-03-20&to=2026-03-20&encoding=${encoding}`);
    const text = encoding === 'utf-8' ? response.rawPayload.toString('utf8').slice(1) : new TextDecoder('shift_jis').decode(response.rawPayload);
    const lines = text.split('\r\n').slice(1, -1);
    assert.equal(lines.length, dangerous.length);
    for (const line of lines) {
      const description = line.slice('2026-03-20,'.length);
      assert.match(description, /^"?'/, `${encoding}: ${line} starts its description with an apostrophe`);
    }
    // Read back, the text is exactly what the ledger holds.
    assert.deepEqual(fromCsv(text).slice(1).map((row) => row[1]), dangerous);
  }
  const page = await client.get(`/accounts/${account}/statement?from=2026-03-20&to=2026-03-20`);
  assert.ok(page.body.includes('=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)'), 'the page shows the text, escaped');
});

test('every download is recorded in the audit trail with the account, the period, the line count and the encoding', async () => {
  const { master, client, account, number } = await accountWithHistory();
  await client.get(`/accounts/${account}/statement.csv?from=2026-03-01&to=2026-03-31&encoding=shift_jis`);
  await client.get(`/accounts/${account}/statement.csv?from=2026-01-01&to=2026-01-31`);
  const records = await t.deps.db
    .selectFrom('audit_log')
    .select(['actor', 'outcome', 'ip', 'details', 'user_ref'])
    .where('contract_id', '=', master.contractId)
    .where('action', '=', 'statement.download')
    .orderBy('seq')
    .execute();
  assert.equal(records.length, 2);
  assert.equal(records[0]!.actor, `user:${master.contractId}/${master.userId}`);
  assert.equal(records[0]!.outcome, 'success');
  assert.equal(records[0]!.ip, client.ip);
  assert.deepEqual(records[0]!.details, {
    accountId: account,
    branchCode: '001',
    accountType: 'ordinary',
    accountNumber: number,
    from: '2026-03-01',
    to: '2026-03-31',
    lines: 2,
    encoding: 'shift_jis',
  });
  assert.equal((records[1]!.details as Record<string, unknown>).lines, 0, 'an empty period is a download too');
});

test('a period holding more lines than one download may is refused with a message, and nothing is recorded', async () => {
  const { person: master, client } = await activeMaster(t);
  const [account] = (await addAccounts(t.deps, master.contractId, 1)) as [number];
  // Written in bulk (balanced entries of 1 yen, balances kept): posting ten thousand entries one by one is slow.
  const customer = await customerLedgerAccountId(t.deps.db, account);
  const cash = await bankLedgerAccountId(t.deps.db, 'cash');
  const lines = statementCsvRowsMax + 1;
  await t.deps.db.transaction().execute(async (tx) => {
    await sql`
      WITH entries AS (
        INSERT INTO journal_entry (kind, description, value_date, posted_at)
        SELECT 'deposit', 'ﾆﾕｳｷﾝ', '2026-03-15'::date, ${t.deps.clock.now()} FROM generate_series(1, ${lines}) RETURNING id
      ), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM entries)
      INSERT INTO posting (entry_id, ledger_account_id, amount_yen, balance_after_yen)
      SELECT id, ${customer}::int, 1, n FROM numbered
      UNION ALL SELECT id, ${cash}::int, -1, 0 FROM numbered`.execute(tx);
    await sql`UPDATE ledger_account SET balance_yen = balance_yen + CASE WHEN id = ${customer}::int THEN ${lines}::int8 ELSE ${-lines}::int8 END WHERE id IN (${customer}::int, ${cash}::int)`.execute(tx);
  });
  const tooMany = await client.get(`/accounts/${account}/statement.csv?from=2026-03-15&to=2026-03-15`);
  assertRefusedQuery(tooMany, 'ACCOUNTS_CSV_TOO_MANY_ROWS', 'too many lines');
  const recorded = await t.deps.db.selectFrom('audit_log').select('id').where('contract_id', '=', master.contractId).where('action', '=', 'statement.download').execute();
  assert.equal(recorded.length, 0);
  // The page still shows the period, a page at a time.
  const page = await client.get(`/accounts/${account}/statement?from=2026-03-15&to=2026-03-15&page=201`);
  assert.equal(page.statusCode, 200);
  assert.ok(page.body.includes('201 / 201'));
});

test('the statement CSV has the transfer-number column the statement page has, its dates still YYYY-MM-DD for accounting software', () => {
  const line = { postingId: 1n, valueDate: '2026-12-07', kind: 'transfer', description: 'ﾌﾘｺﾐ ﾔﾏﾀﾞｼﾖｳｼﾞ', amountYen: -40_000n, balanceAfterYen: 960_000n } as const;
  const fee = { ...line, postingId: 2n, description: 'ﾌﾘｺﾐﾃｽｳﾘﾖｳ', amountYen: -220n, balanceAfterYen: 959_780n } as const;
  const text = statementCsvText(translator('ja'), [
    { ...line, transferId: 4021n },
    { ...fee, transferId: 4021n },
    { ...line, postingId: 3n, kind: 'deposit', description: 'ﾘｿｸ', amountYen: 5n, transferId: null },
  ] as StatementLine[]);
  assert.deepEqual(fromCsv(text), [
    header,
    ['2026-12-07', 'ﾌﾘｺﾐ ﾔﾏﾀﾞｼﾖｳｼﾞ', '40000', null, '960000', '4021'],
    ['2026-12-07', 'ﾌﾘｺﾐﾃｽｳﾘﾖｳ', '220', null, '959780', '4021'],
    ['2026-12-07', 'ﾘｿｸ', null, '5', '960000', null],
  ]);
});
