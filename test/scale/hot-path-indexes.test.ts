import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { runDueTransfers } from '../../src/modules/ledger/scheduler.ts';
import { createTransfer, getTransfer, quoteTransfer, sendNewTransferCode, type TransferInput } from '../../src/modules/transfers/service.ts';
import { Client } from '../helpers/client.ts';
import { createTestDatabase, needsPostgres } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { completeFirstLogon, lastOneTimePassword, logon, onboardMaster } from '../helpers/people.ts';
import { sequentialScans } from '../helpers/sequential-scans.ts';
import { StatementCapture } from '../helpers/statement-capture.ts';
import { addAccount, addOwnBranches, fund, newKey, toAccount, today } from '../transfers/fixtures.ts';

/**
 * Flat at a million people (docs/decisions/0028; bench:scale measures it): every statement of the hot
 * paths finds its rows through an index, so its cost does not grow with the tables. The statements
 * are heard as the service sends them while a person logs on, resumes their session on the status,
 * statement and approvals pages, and makes transfers (quote, one-time password, create with posting
 * at once, and a dated one posted by the scheduler on its day), each with its audit records; then
 * each is planned with sequential scans priced out. A Seq Scan that remains means no index can
 * serve the statement, and on a table that grows with the customers that is a scan of millions.
 */

/**
 * Tables the bank keeps a handful of rows in, whatever the number of customers: scanning them
 * whole is as cheap as an index. Every other table grows with the customers and their use.
 */
const smallTables = new Map([
  ['own_branch', "the bank's own branches (tens)"],
  ['bank_notice', "the bank's notices on the status page (a few shown at a time, kept for months)"],
  ['certificate_authority', "the bank's client-certificate authorities (one active, a few retired)"],
  ['pay_easy_biller', 'the billers the bank accepts Pay-easy payments for (tens)'],
]);

test('every statement of logon, session resume, pages, transfers and audit uses an index on the tables that grow', { skip: needsPostgres }, async () => {
  const database = await createTestDatabase();
  const deps = testDeps(database.db);
  const app = await buildApp(deps, { logger: false });
  const capture = new StatementCapture();
  try {
    const person = await onboardMaster(deps);
    await completeFirstLogon(new Client(app), deps, person);
    const master = await deps.db.selectFrom('users').selectAll().where('contract_id', '=', person.contractId).where('user_id', '=', person.userId).executeTakeFirstOrThrow();
    const contract = await deps.db.selectFrom('contract').selectAll().where('id', '=', person.contractId).executeTakeFirstOrThrow();
    await addOwnBranches(deps.db);
    const from = await addAccount(deps, person.contractId, { fundYen: 10_000_000n });
    const to = await addAccount(deps, person.contractId, { branchCode: '002' });
    await deps.db.insertInto('user_account').values([from, to].map((a) => ({ user_ref: master.id, account_id: a.id }))).execute();
    await fund(deps.db, from.ledgerAccountId, 5_000n);
    const actor = { user: master, contract, ip: '192.0.2.10', userAgent: 'test' };
    const browser = new Client(app);
    // R5.2: quoted, its one-time password emailed and read (by the test, unheard), then created with it.
    const transfer = async (input: TransferInput) => {
      const quote = await quoteTransfer(deps, actor, input);
      await sendNewTransferCode(deps, actor, input.idempotencyKey, quote);
      const code = await capture.outside(() => lastOneTimePassword(deps, master.otp_email!));
      return createTransfer(deps, actor, input, code);
    };

    capture.start();
    const landed = await capture.during('logon with password and grid card', () => logon(browser, person));
    assert.equal(landed.headers.location, '/status');
    for (const url of ['/status', `/accounts/${from.id}/statement`, '/approvals']) {
      const page = await capture.during(`GET ${url} (session resumed)`, () => browser.get(url));
      assert.equal(page.statusCode, 200, `${url}: ${page.body.slice(0, 200)}`);
    }
    const now = await capture.during('transfer quote, code and create, posted at once', () =>
      transfer({ fromAccountId: from.id, destination: toAccount(to), amountYen: 1_000n, executionDate: today, idempotencyKey: newKey() }),
    );
    assert.equal(now.transfer.status, 'completed');
    const later = await capture.during('transfer dated tomorrow', () =>
      transfer({ fromAccountId: from.id, destination: toAccount(to), amountYen: 2_000n, executionDate: '2026-04-02', idempotencyKey: newKey() }),
    );
    assert.equal(later.transfer.status, 'scheduled');
    deps.clock.set('2026-04-01T15:00:00Z'); // midnight in Tokyo: the 2nd
    await capture.during('the scheduler posts the dated transfer', () => runDueTransfers(deps));
    capture.stop();
    assert.equal((await getTransfer(deps, actor, later.transfer.id)).status, 'completed');

    const scans = (await sequentialScans(database.url!, capture.statements)).filter((scan) => !smallTables.has(scan.table));
    // The capture heard the journeys (about thirty statements), not nothing.
    assert.ok(capture.statements.length >= 20, `statements heard: ${capture.statements.length}`);
    assert.deepEqual(
      scans.map((scan) => `${scan.table} scanned whole during ${scan.statement.during}: ${scan.statement.text.replace(/\s+/g, ' ').slice(0, 300)}`),
      [],
    );
  } finally {
    capture.stop();
    await app.close();
    await database.drop();
  }
});
