import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Deps } from '../deps.ts';
import { addStaff, type StaffCredentials } from './staff/accounts.ts';

/**
 * On the first start of the demo: two members of the bank's staff, one who records change
 * applications and one who approves them, so that a newcomer can try the four-eyes flow of the
 * operator console. Their initial passwords and authenticator secrets are kept in the data folder
 * (readable by its owner only) so a later start shows them again.
 */
const staffFileName = 'demo-staff.json';

export async function seedDemoStaff(deps: Deps): Promise<{ created: boolean; staff?: StaffCredentials[] }> {
  const file = resolve(join(deps.config.dataDir, staffFileName));
  const any = await deps.db.selectFrom('staff').select('id').limit(1).executeTakeFirst();
  if (any) {
    try {
      return { created: false, staff: JSON.parse(readFileSync(file, 'utf8')) as StaffCredentials[] };
    } catch {
      return { created: false }; // staff were created by the bank's IT, not by the demo
    }
  }
  const staff = [
    await addStaff(deps, { login: 'demo.recorder', name: '受付 一郎', role: 'recorder', operator: 'demo-seed' }),
    await addStaff(deps, { login: 'demo.approver', name: '承認 花子', role: 'approver', operator: 'demo-seed' }),
  ];
  writeFileSync(file, JSON.stringify(staff, null, 2), { mode: 0o600 });
  return { created: true, staff };
}

export function demoStaffFile(dataDir: string): string {
  return resolve(join(dataDir, staffFileName));
}
