import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { appForFile } from '../helpers/http-app.ts';
import { fuzzPage } from '../helpers/page-fuzz.ts';
import { fuzzRuns } from '../helpers/fuzz.ts';
import { adHocFields, createThroughPages, moneyContract } from '../transfers/pages/support.ts';
import { registerPayee } from '../payees/support.ts';
import { newStaff, staffLogon, startConsole } from '../operator/console-support.ts';

/**
 * The pages that read a query string or name a subject in their path (statements and their CSV,
 * lists and their filters, the code lookup, the console's searches and exports), asked with any
 * query and any subject: no 5xx, no stack trace, a refusal names its code, and asking changes
 * nothing in the database (test/helpers/form-fuzz.ts).
 */
const t = appForFile();
const runsPerPage = 4;

test('every page answers any query string and any subject in its path without a server error, and changes nothing', async () => {
  const contract = await moneyContract(t, 'single');
  const transferId = await createThroughPages(contract.client, contract.master, adHocFields(contract), t.deps);
  const { id: payeeId } = await registerPayee(contract.client, contract.master);
  const account = contract.from.id;
  const portal = [
    ['/status', '/status'], ['/accounts', '/accounts'], ['/accounts/:id/statement', `/accounts/${account}/statement`], ['/accounts/:id/statement.csv', `/accounts/${account}/statement.csv`],
    ['/transfers', '/transfers'], ['/transfers/new', '/transfers/new'], ['/transfers/:id', `/transfers/${transferId}`], ['/payees', '/payees'], ['/payees/:payeeId', `/payees/${payeeId}`],
    ['/payees/new', '/payees/new'], ['/pay-easy', '/pay-easy'], ['/pay-easy/payments', '/pay-easy/payments'], ['/bulk', '/bulk'], ['/bulk/build', '/bulk/build'], ['/users', '/users'],
    ['/users/:userId', `/users/${contract.master.userId}`], ['/approvals', '/approvals'], ['/security', '/security'], ['/certificates', '/certificates'], ['/settings/password', '/settings/password'],
  ] as const;
  for (const [route, path] of portal) await fuzzPage(t.db, contract.client, { route, path }, runsPerPage);
  const anonymous = new Client(t.app);
  for (const path of ['/logon', '/logon/certificate']) await fuzzPage(t.db, anonymous, { route: path, path }, runsPerPage);

  const operatorConsole = await startConsole(t.db, {}, t.deps);
  try {
    const staff = await staffLogon(operatorConsole, await newStaff(t.deps, 'approver'));
    const cid = contract.master.contractId;
    const pages = [
      ['/operator/contracts', '/operator/contracts'], ['/operator/contracts/:contractId', `/operator/contracts/${cid}`], ['/operator/contracts/:contractId/audit.csv', `/operator/contracts/${cid}/audit.csv`],
      ['/operator/contracts/:contractId/tokens', `/operator/contracts/${cid}/tokens`], ['/operator/logon-watch', '/operator/logon-watch'], ['/operator/applications', '/operator/applications'],
      ['/operator/queue', '/operator/queue'], ['/operator/tokens', '/operator/tokens'], ['/operator/expiring-tokens', '/operator/expiring-tokens'], ['/operator/notices', '/operator/notices'],
    ] as const;
    for (const [route, path] of pages) {
      const report = await fuzzPage(t.db, staff, { route, path }, runsPerPage);
      assert.equal(report.cases, fuzzRuns(runsPerPage), route);
    }
  } finally {
    await operatorConsole.app.close();
  }
});
