import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { testDeps } from '../helpers/deps.ts';
import { seedDemo } from '../../src/operator/demo-seed.ts';
import { seedDemoStaff } from '../../src/operator/demo-staff.ts';
import { demoBannerLines } from '../../src/operator/demo-banner.ts';
import { hashSecret } from '../../src/auth/password-hash.ts';

/** The start banner prints a demo secret only while it still works, and says how to get a new one. */
let database: TestDatabase;
let dataDir: string;
before(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'demo-banner-'));
});
after(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('R1.3, decision 0004: the start banner omits a used registration password and a replaced staff password, naming the commands that issue new ones', async () => {
  const deps = testDeps(database.db, { env: { DATA_DIR: dataDir } });
  const demo = await seedDemo(deps);
  const staff = await seedDemoStaff(deps);
  const c = demo.credentials!;
  const [recorder, approver] = staff.staff!;

  const fresh = (await demoBannerLines(deps, demo, staff)).join('\n');
  assert.ok(fresh.includes(c.registrationPassword), 'an unused registration password is shown');
  assert.ok(fresh.includes(c.gridCardFile));
  assert.ok(fresh.includes(recorder!.initialPassword) && fresh.includes(approver!.initialPassword));

  // As the first logon's setup leaves the master (password-service.ts): the registration password consumed.
  await deps.db
    .updateTable('users')
    .set({ registration_password_hash: null, login_password_hash: await hashSecret('Login2026pass') })
    .where('contract_id', '=', c.contractId)
    .where('user_id', '=', c.userId)
    .execute();
  // The recorder replaced the initial password with one only they know.
  await deps.db.updateTable('staff').set({ password_hash: await hashSecret('Replaced2026password') }).where('login_id', '=', recorder!.login).execute();

  const later = (await demoBannerLines(deps, { created: false, credentials: c }, { created: false, staff: staff.staff! })).join('\n');
  assert.ok(!later.includes(c.registrationPassword), 'a used registration password is not shown again');
  assert.ok(later.includes(`npm run operator -- new-registration-password --contract ${c.contractId} --user ${c.userId}`));
  assert.ok(!later.includes(recorder!.initialPassword), 'a replaced staff password is not shown again');
  assert.ok(later.includes(`npm run operator -- staff-reset --login ${recorder!.login}`));
  assert.ok(later.includes(approver!.initialPassword), 'a password still in force is shown');
  assert.ok(later.includes(recorder!.totpSecret), 'the authenticator secret still works and is shown');
});
