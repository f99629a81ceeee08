import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '../helpers/client.ts';
import { lastEmailCode, lastOneTimePassword, logon, otpAddressOf, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, userRow } from '../helpers/http-app.ts';
import { fuzzForms, type FormFuzz, type FormTarget } from '../helpers/form-fuzz.ts';
import { addAccounts, newUserFields } from '../users/helpers.ts';
import { addPerson, securityPath, stopByWrongPasswords } from '../user-security/people.ts';
import { assignedToken, codeOf, type TestToken } from '../tokens/support.ts';
import { acquire, useCertificates } from '../certificates/support.ts';
import { certificateLogon, ProxiedClient, proxyEnv } from '../certificates/proxy-client.ts';
import { testDeps } from '../helpers/deps.ts';
import { buildApp } from '../../src/app.ts';
import { ensureAuthority } from '../../src/modules/certificates/authority.ts';
import { administrationForms } from './form-routes.ts';

/**
 * Every form of the person's own settings and of the administration of people, the contract and
 * its certificates, fuzzed through the application with a logged-on session and its CSRF token: no
 * 5xx, no stack trace, the form's page with an error code, and nothing changed in the database by a
 * refusal (test/helpers/form-fuzz.ts).
 */
const t = appForFile();
const runsPerForm = 5;
const now = () => t.deps.clock.now();

/** R6.3: a master whose contract has a token, who skipped its activation for this session. */
async function masterAtTokenSettings(): Promise<{ person: TestPerson; client: Client; token: TestToken }> {
  const { person, client } = await activeMaster(t);
  const token = await assignedToken(t.deps, person.contractId);
  await client.get('/token-activation');
  assert.equal((await client.post('/token-activation/skip', {})).headers.location, '/status');
  return { person, client, token };
}

/**
 * R6.5, R6.6, R6.7: a master and a user sharing an activated token, the user's token use stopped.
 * Each code is taken once (R6.8), so the clock moves to a fresh step before each is shown.
 */
async function tokenWorld() {
  const { person: master, client } = await activeMaster(t);
  const token = await assignedToken(t.deps, master.contractId);
  await client.get('/token-activation');
  assert.equal((await client.post('/token-activation', { serial: token.serial, tokenCode: codeOf(token, now()) })).statusCode, 303);
  const user = await addPerson(t.deps, master.contractId);
  const { id } = await userRow(t.deps, user);
  await t.deps.db.updateTable('users').set({ token_serial: token.serial, token_activated_at: now(), token_failed_attempts: 5, token_stopped_at: now() }).where('id', '=', id).execute();
  t.deps.clock.advanceSeconds(60);
  return { master, client, token, user };
}

const forms: FormFuzz[] = [
  {
    route: '/settings/password',
    // R2.7: the password change; an accepted case changed the login password, which the next ones use.
    async setup() {
      const own = await activeMaster(t);
      let fresh = 0;
      const nextPassword = () => `Fresh${fresh}pass2026`;
      return {
        route: '/settings/password',
        client: own.client,
        page: '/settings/password',
        // The kind stays login (or malformed): the current password sent is the login one.
        typed: () => ({ current: own.person.loginPassword, next: nextPassword(), nextRepeat: nextPassword() }),
        secrets: ['kind', 'current'],
        accepted(sent) {
          own.person.loginPassword = String(sent.next);
          fresh++;
        },
      };
    },
  },
  {
    route: '/settings/email',
    async setup() {
      const mail = await activeMaster(t);
      return {
        route: '/settings/email',
        client: mail.client,
        page: '/settings/email?again=1',
        typed: { email: 'changed@customer.example', confirmationPassword: mail.person.confirmationPassword },
        secrets: ['confirmationPassword'],
      };
    },
  },
  {
    route: '/settings/email/verify',
    async setup() {
      const verifying = await activeMaster(t);
      const sendCode = async () => {
        await verifying.client.get('/settings/email?again=1');
        assert.equal((await verifying.client.post('/settings/email', { email: 'verified@customer.example', confirmationPassword: verifying.person.confirmationPassword })).statusCode, 303);
        return { code: await lastEmailCode(t.deps, 'verified@customer.example') };
      };
      const target: FormTarget = {
        route: '/settings/email/verify',
        client: verifying.client,
        page: '/settings/email',
        typed: await sendCode(),
        secrets: ['code'],
        async accepted() {
          target.typed = await sendCode();
        },
      };
      return target;
    },
  },
  {
    route: '/settings/otp-address',
    async setup() {
      const otp = await activeMaster(t);
      return {
        route: '/settings/otp-address',
        client: otp.client,
        page: '/settings/otp-address?again=1',
        typed: { address: `new.${otpAddressOf(otp.person)}`, confirmationPassword: otp.person.confirmationPassword },
        secrets: ['confirmationPassword'],
      };
    },
  },
  {
    route: '/settings/otp-address/verify',
    // A few codes per person and purpose at most (EMAIL_OTP_SEND_LIMIT): an accepted case moves on to another person.
    async setup() {
      let verifying = await activeMaster(t);
      const sendOtp = async () => {
        const address = `next.${otpAddressOf(verifying.person)}`;
        // A code a minute at most (the resend cooldown): the setup sent the first.
        t.deps.clock.advanceSeconds(61);
        await verifying.client.get('/settings/otp-address?again=1');
        assert.equal((await verifying.client.post('/settings/otp-address', { address, confirmationPassword: verifying.person.confirmationPassword })).statusCode, 303);
        return { otp: await lastOneTimePassword(t.deps, address) };
      };
      const target: FormTarget = {
        route: '/settings/otp-address/verify',
        client: verifying.client,
        page: '/settings/otp-address',
        typed: await sendOtp(),
        secrets: ['otp'],
        async accepted() {
          verifying = await activeMaster(t);
          target.client = verifying.client;
          target.typed = await sendOtp();
        },
      };
      return target;
    },
  },
  {
    route: '/settings/token',
    async setup() {
      let settings = await masterAtTokenSettings();
      const target: FormTarget = {
        route: '/settings/token',
        client: settings.client,
        page: '/settings/token',
        typed: () => ({ serial: settings.token.serial, tokenCode: codeOf(settings.token, now()) }),
        // R6.6: a wrong serial costs an attempt like a wrong code.
        secrets: ['serial', 'tokenCode'],
        async accepted() {
          settings = await masterAtTokenSettings();
          target.client = settings.client;
        },
      };
      return target;
    },
  },
  {
    route: '/users/new',
    // R1.4, R1.5: the master creates users, confirmed with the confirmation password.
    async setup() {
      const admin = await activeMaster(t);
      const accountIds = await addAccounts(t.deps, admin.person.contractId, 2);
      let created = 0;
      return {
        route: '/users/new',
        client: admin.client,
        page: '/users/new',
        typed: () => newUserFields(admin.person, accountIds, { userId: `clerk${created}`, email: `clerk${created}@customer.example` }),
        secrets: ['confirmationPassword'],
        accepted() {
          created++;
        },
      };
    },
  },
  {
    route: '/users/:userId',
    async setup() {
      const admin = await activeMaster(t);
      const changed = await addPerson(t.deps, admin.person.contractId);
      return { route: '/users/:userId', client: admin.client, page: `/users/${changed.userId}`, action: `/users/${changed.userId}`, typed: { confirmationPassword: admin.person.confirmationPassword }, secrets: ['confirmationPassword'] };
    },
  },
  ...(['suspend', 'resume', 'delete'] as const).map((act): FormFuzz => ({
    route: `/users/:userId/${act}`,
    async setup() {
      const admin = await activeMaster(t);
      const subject = await addPerson(t.deps, admin.person.contractId);
      const { id } = await userRow(t.deps, subject);
      const status = act === 'resume' ? 'suspended' : 'active';
      await t.deps.db.updateTable('users').set({ status }).where('id', '=', id).execute();
      return {
        route: `/users/:userId/${act}`,
        client: admin.client,
        page: `/users/${subject.userId}/${act}`,
        action: `/users/${subject.userId}/${act}`,
        typed: { confirmationPassword: admin.person.confirmationPassword },
        secrets: ['confirmationPassword'],
        // The subject back as it was, so that the form can be sent again.
        async accepted() {
          await t.deps.db.updateTable('users').set({ status }).where('id', '=', id).execute();
        },
      };
    },
  })),
  {
    route: '/users/:userId/security/lift',
    async setup() {
      const admin = await activeMaster(t);
      const stopped = await addPerson(t.deps, admin.person.contractId);
      await stopByWrongPasswords(t, stopped);
      return {
        route: '/users/:userId/security/lift',
        client: admin.client,
        page: securityPath(stopped),
        action: `${securityPath(stopped)}/lift`,
        typed: { confirmationPassword: admin.person.confirmationPassword },
        secrets: ['confirmationPassword'],
        async accepted() {
          await stopByWrongPasswords(t, stopped);
        },
      };
    },
  },
  {
    route: '/users/:userId/security/reset',
    async setup() {
      const admin = await activeMaster(t);
      const forgetful = await addPerson(t.deps, admin.person.contractId);
      return {
        route: '/users/:userId/security/reset',
        client: admin.client,
        page: securityPath(forgetful),
        action: `${securityPath(forgetful)}/reset`,
        typed: { confirmationPassword: admin.person.confirmationPassword, temporary: 'Temporary2026x', temporaryRepeat: 'Temporary2026x' },
        secrets: ['confirmationPassword'],
      };
    },
  },
  {
    route: '/users/:userId/security/token-lift',
    async setup() {
      const world = await tokenWorld();
      return {
        route: '/users/:userId/security/token-lift',
        client: world.client,
        page: securityPath(world.user),
        action: `${securityPath(world.user)}/token-lift`,
        typed: () => ({ confirmationPassword: world.master.confirmationPassword, tokenCode: codeOf(world.token, now()) }),
        secrets: ['confirmationPassword', 'tokenCode'],
        async accepted() {
          const { id } = await userRow(t.deps, world.user);
          await t.deps.db.updateTable('users').set({ token_failed_attempts: 5, token_stopped_at: now() }).where('id', '=', id).execute();
          t.deps.clock.advanceSeconds(60);
        },
      };
    },
  },
  {
    route: '/users/:userId/security/token-revoke',
    async setup() {
      let world = await tokenWorld();
      const target: FormTarget = {
        route: '/users/:userId/security/token-revoke',
        client: world.client,
        page: securityPath(world.user),
        action: `${securityPath(world.user)}/token-revoke`,
        typed: () => ({ confirmationPassword: world.master.confirmationPassword, tokenCode: codeOf(world.token, now()) }),
        secrets: ['confirmationPassword', 'tokenCode'],
        async accepted() {
          // The token is revoked for everyone who shared it: a new contract with its own.
          world = await tokenWorld();
          target.client = world.client;
          target.page = securityPath(world.user);
          target.action = `${securityPath(world.user)}/token-revoke`;
        },
      };
      return target;
    },
  },
  {
    route: '/contract-settings',
    async setup() {
      const settings = await activeMaster(t);
      return { route: '/contract-settings', client: settings.client, page: '/contract-settings', typed: { confirmationPassword: settings.person.confirmationPassword }, secrets: ['confirmationPassword'] };
    },
  },
  {
    route: '/certificates/:userId/reissue',
    // R4.5: the master reissues a user's certificate, logged on with the master's own through the bank's proxy.
    async setup() {
      const certificateDeps = testDeps(t.db, { env: proxyEnv, clock: t.deps.clock });
      const authority = await ensureAuthority(certificateDeps);
      const certificateSite = await buildApp(certificateDeps, { logger: false, clientCertificates: { ca: authority.certificatePem } });
      after(() => certificateSite.close());
      const { person: master } = await activeMaster(t);
      const holder = await addPerson(t.deps, master.contractId);
      await useCertificates(t.deps, master.contractId);
      const masterCertificate = (await acquire(t.deps, master)).certificatePem;
      await acquire(t.deps, holder);
      const client = new ProxiedClient(certificateSite, masterCertificate);
      assert.equal((await certificateLogon(client, master)).headers.location, '/status');
      return {
        route: '/certificates/:userId/reissue',
        client,
        headers: { 'x-ssl-client-cert': encodeURIComponent(masterCertificate) },
        page: `/certificates/${holder.userId}/reissue`,
        action: `/certificates/${holder.userId}/reissue`,
        typed: { confirmationPassword: master.confirmationPassword },
        secrets: ['confirmationPassword'],
        async accepted() {
          await acquire(t.deps, holder);
        },
      };
    },
  },
];

test('every settings and administration form answers any input with its page and an error code, and a refusal changes nothing', async () => {
  assert.deepEqual(forms.map((form) => form.route).sort(), [...administrationForms].sort(), 'every form of this area is fuzzed');
  await fuzzForms(t.db, forms, runsPerForm);
});
