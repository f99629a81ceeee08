import type { FastifyInstance } from 'fastify';

/**
 * Every form (POST route) of the portal and the console, by the fuzz file that fuzzes it. The
 * coverage test (form-coverage.test.ts) compares these lists with the routes the applications
 * register, so a new form cannot be left out of the fuzz.
 */
export const logonForms = [
  '/logon',
  '/logon/certificate',
  '/logon/grid',
  '/logout',
  '/setup/passwords',
  '/setup/change',
  '/setup/finish',
  '/setup/email',
  '/setup/email/verify',
  '/otp-address',
  '/otp-address/verify',
  '/token-activation',
  '/token-activation/skip',
  '/certificate/acquire',
] as const;

export const administrationForms = [
  '/settings/password',
  '/settings/email',
  '/settings/email/verify',
  '/settings/otp-address',
  '/settings/otp-address/verify',
  '/settings/token',
  '/users/new',
  '/users/:userId',
  '/users/:userId/suspend',
  '/users/:userId/resume',
  '/users/:userId/delete',
  '/users/:userId/security/lift',
  '/users/:userId/security/reset',
  '/users/:userId/security/token-lift',
  '/users/:userId/security/token-revoke',
  '/contract-settings',
  '/certificates/:userId/reissue',
] as const;

export const paymentForms = [
  '/transfers/new',
  '/transfers/confirm',
  '/transfers/confirm/otp',
  '/transfers/:id/otp',
  '/transfers/:id/approve',
  '/transfers/:id/send',
  '/transfers/:id/send-back',
  '/transfers/:id/withdraw',
  '/pay-easy',
  '/pay-easy/bill',
  '/pay-easy/confirm',
  '/pay-easy/confirm/otp',
] as const;

export const payeeAndBulkForms = [
  '/payees/new',
  '/payees/new/confirm',
  '/payees/:payeeId/change',
  '/payees/:payeeId/change/confirm',
  '/payees/:payeeId/approve',
  '/payees/:payeeId/reject',
  '/payees/:payeeId/withdraw',
  '/payees/:payeeId/delete',
  '/bulk/upload',
  '/bulk/build',
  '/bulk/files/:id',
] as const;

export const consoleForms = [
  '/operator/logon',
  '/operator/logon/totp',
  '/operator/logon/password',
  '/operator/logout',
  '/operator/password',
  '/operator/contracts/:contractId/applications',
  '/operator/contracts/:contractId/tokens/assign',
  '/operator/applications/new-contract',
  '/operator/applications/:id/approve',
  '/operator/applications/:id/reject',
  '/operator/applications/:id/withdraw',
  '/operator/applications/:id/handover',
  '/operator/mail/:id/requeue',
  '/operator/notices',
  '/operator/tokens/:serial/test',
  '/operator/tokens/:serial/resync',
  '/operator/token-import',
] as const;

/** The POST routes an application registers, read from Fastify's route tree. */
export function postRoutesOf(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ commonPrefix: false, method: 'POST' });
  const found: string[] = [];
  const parents: string[] = [];
  for (const line of tree.split('\n')) {
    const branch = /^((?:[│ ] {3})*)[├└]── (\S+)(.*)$/.exec(line);
    if (!branch) continue;
    const depth = branch[1]!.length / 4;
    const path = (parents[depth - 1] ?? '') + branch[2]!;
    parents[depth] = path;
    parents.length = depth + 1;
    if (/\(POST\b/.test(branch[3]!)) found.push(path);
  }
  return found;
}
