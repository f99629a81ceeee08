import { basename, join, resolve } from 'node:path';
import type { Deps } from '../deps.ts';
import { verifySecret } from '../auth/password-hash.ts';
import type { DemoCredentials } from './demo-seed.ts';
import { demoStaffFile } from './demo-staff.ts';
import { staffTotpAssociatedData, type StaffCredentials } from './staff/accounts.ts';
import { usableGridCardSql } from '../access/grid-card-standing.ts';

/**
 * The demo's part of the start banner (`npm start`). The demo's secrets are kept in the data folder
 * so a later start can show them again, but a secret is printed only while it still opens
 * something: a registration password once used (decision 0004) or replaced (R2.5), a grid card
 * invalidated or replaced (R3.3), a staff password its holder changed, or an authenticator secret
 * reset, would only mislead — and printing a used secret teaches nobody anything useful. In its
 * place the banner names the operator command that issues a new one.
 */
export async function demoBannerLines(
  deps: Deps,
  demo: { created: boolean; credentials?: DemoCredentials } | undefined,
  demoStaff: { created: boolean; staff?: StaffCredentials[] } | undefined,
): Promise<string[]> {
  const lines: string[] = [];
  if (demo?.credentials) lines.push(...(await contractLines(deps, demo.created, demo.credentials)));
  if (demoStaff?.staff) lines.push(...(await staffLines(deps, demoStaff.created, demoStaff.staff)));
  return lines;
}

const operatorCommand = 'npm run operator --';

async function contractLines(deps: Deps, created: boolean, c: DemoCredentials): Promise<string[]> {
  const now = deps.clock.now();
  const person = `--contract ${c.contractId} --user ${c.userId}`;
  const master = await deps.db
    .selectFrom('users')
    .select(['id', 'registration_password_hash', 'registration_password_expires_at'])
    .where('contract_id', '=', c.contractId)
    .where('user_id', '=', c.userId)
    .executeTakeFirst();
  const registrationValid =
    master !== undefined && master.registration_password_hash !== null &&
    master.registration_password_expires_at !== null &&
    master.registration_password_expires_at > now &&
    (await verifySecret(master.registration_password_hash, c.registrationPassword));
  // The card file is named <contract>-<user>-<serial>.html (grid-card-print.ts).
  const serial = basename(c.gridCardFile, '.html').split('-').at(-1) ?? '';
  const card = master
    ? await deps.db.selectFrom('grid_card').select('id').where('user_ref', '=', master.id).where('serial', '=', serial).where(usableGridCardSql('grid_card', now)).executeTakeFirst()
    : undefined;
  return [
    '',
    `  Demo contract ${created ? 'created' : '(created at first start)'} — ${registrationValid ? 'first logon of the master' : 'the master'}:`,
    `    Contract ID:            ${c.contractId}`,
    `    User ID:                ${c.userId}`,
    registrationValid
      ? `    Registration password:  ${c.registrationPassword}   (one-time, until ${c.registrationPasswordExpiresAt.slice(0, 10)})`
      : `    Registration password:  used or no longer valid; the master logs on with their own password. A new one: ${operatorCommand} new-registration-password ${person}`,
    card
      ? `    Grid card (print/open): ${c.gridCardFile}`
      : `    Grid card:              the printed card no longer works. A new one: ${operatorCommand} issue-card ${person}`,
    `    Kept in:                ${join(resolve(deps.config.dataDir), 'demo-credentials.json')}`,
  ];
}

async function staffLines(deps: Deps, created: boolean, staff: StaffCredentials[]): Promise<string[]> {
  const lines = ['', `  Demo bank staff ${created ? 'created' : '(created at first start)'} — operator console logon (password, then the authenticator code):`];
  for (const member of staff) {
    const row = await deps.db.selectFrom('staff').selectAll().where('login_id', '=', member.login).executeTakeFirst();
    const label = `    ${member.role === 'approver' ? 'Approver' : 'Recorder'}:`;
    if (!row || row.disabled_at !== null) {
      lines.push(`${label}  ${member.login}: disabled. A new member: ${operatorCommand} staff-add --login LOGIN --name NAME --role ${member.role}`);
      continue;
    }
    const passwordValid = await verifySecret(row.password_hash, member.initialPassword);
    const totpValid = deps.keyring.open(row.totp_secret_sealed, staffTotpAssociatedData(member.login)) === member.totpSecret;
    lines.push(
      passwordValid
        ? `${label}  ${member.login} / ${member.initialPassword}   (replaced by one of the member's own at the first logon)`
        : `${label}  ${member.login} / (password replaced by its holder; forgotten: ${operatorCommand} staff-reset --login ${member.login})`,
      totpValid
        ? `      Authenticator secret: ${member.totpSecret}   (add to an authenticator app, or: oathtool --totp -b ${member.totpSecret})`
        : `      Authenticator secret: reset since; the new one was given with it (lost: ${operatorCommand} staff-reset --login ${member.login})`,
    );
    if (row.stopped_at !== null) lines.push(`      Stopped after wrong entries: ${operatorCommand} staff-lift-stop --login ${member.login}`);
  }
  lines.push(`    Kept in:                ${demoStaffFile(deps.config.dataDir)}`);
  return lines;
}
