import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { buildConsole } from '../../src/operator/console/server.ts';
import type { Db } from '../../src/db/open.ts';
import { testDeps } from '../helpers/deps.ts';
import { administrationForms, consoleForms, logonForms, paymentForms, payeeAndBulkForms, postRoutesOf } from './form-routes.ts';

/** The fuzz files cover every form: the lists they fuzz are the POST routes the portal and the console register. */

/** Only the routes are read here: building the applications reaches no database. */
const noDatabase = new Proxy({}, {
  get() {
    throw new Error('the route lists need no database');
  },
}) as Db;

test('every form of the portal and of the console is in a fuzz file', async () => {
  const deps = testDeps(noDatabase);
  const portal = await buildApp(deps, { logger: false });
  const operatorConsole = await buildConsole(deps, { logger: false });
  try {
    await portal.ready();
    await operatorConsole.ready();
    const portalForms = postRoutesOf(portal).sort();
    assert.ok(portalForms.length > 40, `the portal's forms are read (${portalForms.length})`);
    assert.deepEqual(portalForms, [...logonForms, ...administrationForms, ...paymentForms, ...payeeAndBulkForms].sort());
    assert.deepEqual(postRoutesOf(operatorConsole).sort(), [...consoleForms].sort());
  } finally {
    await portal.close();
    await operatorConsole.close();
  }
});
