import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../helpers/client.ts';
import { gridAnswerFields, lastEmailCode, lastOneTimePassword, logon, onboardMaster, type TestPerson } from '../helpers/people.ts';
import { activeMaster, appForFile, passwordStep } from '../helpers/http-app.ts';
import { fuzzForms, type FormFuzz, type FormTarget } from '../helpers/form-fuzz.ts';
import { assignedToken, codeOf } from '../tokens/support.ts';
import { addPerson, securityPath } from '../user-security/people.ts';
import { acquisitionLogon, requireCertificates } from '../certificate-acquire/support.ts';
import { makeCertificateRequest } from '../certificates/csr.ts';
import { certificateCommonName } from '../../src/modules/certificates/issue.ts';
import { logonForms } from './form-routes.ts';

/**
 * Every form of the logon and of the steps before the first page (setup, OTP address, token
 * activation, certificate acquisition), fuzzed through the application with the person's own
 * session and CSRF token: no 5xx, no stack trace, the form's page (or the JSON error) with an error
 * code, and nothing changed in the database by a refusal (test/helpers/form-fuzz.ts).
 */
const t = appForFile();
const runsPerForm = 5;

/** A master after the password and grid steps of the first logon, at the setup's first step. */
async function atSetup(): Promise<{ person: TestPerson; client: Client }> {
  const person = await onboardMaster(t.deps);
  const client = new Client(t.app);
  assert.equal((await logon(client, person, person.registrationPassword)).headers.location, '/setup');
  return { person, client };
}

const newPasswords = (person: TestPerson) => ({
  login: person.loginPassword,
  loginRepeat: person.loginPassword,
  confirmation: person.confirmationPassword,
  confirmationRepeat: person.confirmationPassword,
});

/** A master whose passwords are set, at the setup's email step. */
async function atSetupEmail(): Promise<{ person: TestPerson; client: Client }> {
  const { person, client } = await atSetup();
  await client.get('/setup');
  assert.equal((await client.post('/setup/passwords', newPasswords(person))).statusCode, 303);
  return { person, client };
}

/** A master who sent the setup's address and waits for its code. */
async function atSetupCode(): Promise<{ person: TestPerson; client: Client }> {
  const { person, client } = await atSetupEmail();
  await client.get('/setup');
  assert.equal((await client.post('/setup/email', { email: person.email, confirmationPassword: person.confirmationPassword })).statusCode, 303);
  return { person, client };
}

/** R5.1: a master through the setup, held at the OTP address. */
async function atOtpAddress(): Promise<{ person: TestPerson; client: Client }> {
  const { person, client } = await atSetupCode();
  await client.get('/setup');
  assert.equal((await client.post('/setup/email/verify', { code: await lastEmailCode(t.deps, person.email) })).headers.location, '/status');
  assert.equal((await client.get('/status')).headers.location, '/otp-address');
  return { person, client };
}

const otpAddress = (person: TestPerson) => `${person.userId}.${person.contractId}@otp.customer.example`;

/** R6.3: a master whose contract was given a token, offered its activation. */
async function atTokenActivation() {
  const { person, client } = await activeMaster(t);
  const token = await assignedToken(t.deps, person.contractId);
  assert.equal((await client.get('/status')).headers.location, '/token-activation');
  return { person, client, token };
}

/** R2.5: a user whose login password the master reset, held at the forced change. */
async function atForcedChange() {
  const { person: master, client: masterClient } = await activeMaster(t);
  const user = await addPerson(t.deps, master.contractId);
  await masterClient.get(securityPath(user));
  const temporary = 'Temporary2026x';
  const reset = await masterClient.post(`${securityPath(user)}/reset`, { kind: 'login', temporary, temporaryRepeat: temporary, confirmationPassword: master.confirmationPassword });
  assert.equal(reset.statusCode, 303);
  const client = new Client(t.app);
  assert.equal((await logon(client, user, temporary)).headers.location, '/setup');
  return { user, client, temporary };
}

/** R4.3: a person of a contract that uses certificates, at the acquisition page. */
async function atAcquisition() {
  const { person } = await activeMaster(t);
  await requireCertificates(t.deps, person.contractId);
  const acquiring = new Client(t.app, { ip: '203.0.113.77' });
  await acquisitionLogon(acquiring, person);
  return { person, client: acquiring };
}

/** A master who logged on once, whose IDs and password the logon forms are sent with. */
async function logonFields() {
  const { person } = await activeMaster(t);
  return { person, fields: { contractId: person.contractId, userId: person.userId, password: person.loginPassword } };
}

/** Each form, with the person and session it needs; `accepted` puts a fresh one in place when a case went through. */
const forms: FormFuzz[] = [
  {
    route: '/logon',
    // R2.4, R9.1: a failed logon is recorded with its reason, whatever was wrong (the audit trail's failures are allowed).
    async setup() {
      const { fields } = await logonFields();
      return { route: '/logon', client: new Client(t.app, { ip: '203.0.113.20' }), page: '/logon', typed: fields, secrets: ['password'] };
    },
  },
  {
    route: '/logon/certificate',
    async setup() {
      const { fields } = await logonFields();
      return { route: '/logon/certificate', client: new Client(t.app, { ip: '203.0.113.21' }), page: '/logon/certificate', typed: fields, secrets: ['password'] };
    },
  },
  {
    route: '/logon/grid',
    async setup() {
      const { person } = await logonFields();
      const grid = new Client(t.app, { ip: '203.0.113.22' });
      const challenge = async () => {
        await passwordStep(grid, person);
        return gridAnswerFields((await grid.get('/logon/grid')).body, person.digits);
      };
      let answer = await challenge();
      return {
        route: '/logon/grid',
        client: grid,
        page: '/logon/grid',
        typed: () => answer,
        secrets: ['cell0', 'cell1', 'cell2', 'cell3'],
        async accepted() {
          answer = await challenge();
        },
      };
    },
  },
  {
    route: '/setup/passwords',
    async setup() {
      const first = await atSetup();
      const target: FormTarget = {
        route: '/setup/passwords',
        client: first.client,
        page: '/setup',
        typed: newPasswords(first.person),
        async accepted() {
          const next = await atSetup();
          target.client = next.client;
          target.typed = newPasswords(next.person);
        },
      };
      return target;
    },
  },
  {
    route: '/setup/finish',
    // The last step's form, sent while the passwords are still to be set: refused, the passwords' form shown.
    async setup() {
      const early = await atSetup();
      return { route: '/setup/finish', client: early.client, page: '/setup', formOf: '/setup/passwords', shows: '/setup/passwords' };
    },
  },
  {
    route: '/setup/email',
    async setup() {
      const first = await atSetupEmail();
      const target: FormTarget = {
        route: '/setup/email',
        client: first.client,
        page: '/setup',
        typed: { email: first.person.email, confirmationPassword: first.person.confirmationPassword },
        secrets: ['confirmationPassword'],
        shows: '/setup/email',
        async accepted() {
          const next = await atSetupEmail();
          target.client = next.client;
          target.typed = { email: next.person.email, confirmationPassword: next.person.confirmationPassword };
        },
      };
      return target;
    },
  },
  {
    route: '/setup/email/verify',
    async setup() {
      const first = await atSetupCode();
      const target: FormTarget = {
        route: '/setup/email/verify',
        client: first.client,
        page: '/setup',
        typed: { code: await lastEmailCode(t.deps, first.person.email) },
        secrets: ['code'],
        async accepted() {
          const next = await atSetupCode();
          target.client = next.client;
          target.typed = { code: await lastEmailCode(t.deps, next.person.email) };
        },
      };
      return target;
    },
  },
  {
    route: '/setup/change',
    async setup() {
      const forced = await atForcedChange();
      const target: FormTarget = {
        route: '/setup/change',
        client: forced.client,
        page: '/setup',
        typed: { current: forced.temporary, next: 'Fresh2026pass', nextRepeat: 'Fresh2026pass' },
        secrets: ['current'],
        async accepted() {
          target.client = (await atForcedChange()).client;
        },
      };
      return target;
    },
  },
  {
    route: '/otp-address',
    async setup() {
      const held = await atOtpAddress();
      const target: FormTarget = {
        route: '/otp-address',
        client: held.client,
        page: '/otp-address',
        typed: { address: otpAddress(held.person), confirmationPassword: held.person.confirmationPassword },
        secrets: ['confirmationPassword'],
        async accepted() {
          const next = await atOtpAddress();
          target.client = next.client;
          target.typed = { address: otpAddress(next.person), confirmationPassword: next.person.confirmationPassword };
        },
      };
      return target;
    },
  },
  {
    route: '/otp-address/verify',
    async setup() {
      // Held at the OTP address with its code sent, the code read from the person's mail.
      const sent = async () => {
        const held = await atOtpAddress();
        await held.client.get('/otp-address');
        assert.equal((await held.client.post('/otp-address', { address: otpAddress(held.person), confirmationPassword: held.person.confirmationPassword })).statusCode, 303);
        return { client: held.client, otp: await lastOneTimePassword(t.deps, otpAddress(held.person)) };
      };
      const first = await sent();
      const target: FormTarget = {
        route: '/otp-address/verify',
        client: first.client,
        page: '/otp-address',
        typed: { otp: first.otp },
        secrets: ['otp'],
        async accepted() {
          const next = await sent();
          target.client = next.client;
          target.typed = { otp: next.otp };
        },
      };
      return target;
    },
  },
  {
    route: '/token-activation',
    async setup() {
      let offered = await atTokenActivation();
      const target: FormTarget = {
        route: '/token-activation',
        client: offered.client,
        page: '/token-activation',
        typed: () => ({ serial: offered.token.serial, tokenCode: codeOf(offered.token, t.deps.clock.now()) }),
        // R6.6: a wrong serial costs an attempt like a wrong code, so that serials cannot be probed.
        secrets: ['serial', 'tokenCode'],
        async accepted() {
          offered = await atTokenActivation();
          target.client = offered.client;
        },
      };
      return target;
    },
  },
  {
    route: '/token-activation/skip',
    // Skipping holds for the session: a new logon is offered the activation again.
    async setup() {
      const skipping = await atTokenActivation();
      const target: FormTarget = {
        route: '/token-activation/skip',
        client: skipping.client,
        page: '/token-activation',
        async accepted() {
          target.client = new Client(t.app);
          assert.equal((await logon(target.client, skipping.person)).headers.location, '/status');
          assert.equal((await target.client.get('/status')).headers.location, '/token-activation');
        },
      };
      return target;
    },
  },
  {
    route: '/certificate/acquire',
    async setup() {
      const requestFor = async (person: TestPerson) => (await makeCertificateRequest({ commonName: certificateCommonName(person.contractId, person.userId) })).pem;
      const acquiring = await atAcquisition();
      const target: FormTarget = {
        route: '/certificate/acquire',
        client: acquiring.client,
        page: '/certificate/acquire',
        json: true,
        typed: { csr: await requestFor(acquiring.person) },
        async accepted() {
          const next = await atAcquisition();
          target.client = next.client;
          target.typed = { csr: await requestFor(next.person) };
        },
      };
      return target;
    },
  },
  {
    route: '/logout',
    async setup() {
      const leaving = await activeMaster(t);
      return {
        route: '/logout',
        client: leaving.client,
        page: '/status',
        redirects: { done: '/logon?ended=logout' },
        async accepted() {
          assert.equal((await logon(leaving.client, leaving.person)).headers.location, '/status');
        },
      };
    },
  },
];

test('every logon and first-logon form answers any input with its page and an error code, and a refusal changes nothing', async () => {
  assert.deepEqual(forms.map((form) => form.route).sort(), [...logonForms].sort(), 'every form of this area is fuzzed');
  await fuzzForms(t.db, forms, runsPerForm);
});
