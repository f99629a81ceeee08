import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { Client } from '../helpers/client.ts';
import { onboardMaster } from '../helpers/people.ts';
import { fuzzForms, type Fields, type FormFuzz, type FormTarget } from '../helpers/form-fuzz.ts';
import { totpPeriodSeconds } from '../../src/operator/staff/totp.ts';
import { applicationIdOf, currentCode, newStaff, ownPasswordOf, passwordOf, passwordStep, record, staffLogon, startConsole, type TestConsole } from '../operator/console-support.ts';
import { addToken, assignToken, codeOf } from '../tokens/support.ts';
import { consoleForms } from './form-routes.ts';

/**
 * Every form of the bank's operator console, fuzzed through the console with the member's session
 * and CSRF token: no 5xx, no stack trace, the form's page with an error code, and nothing changed in
 * the database by a refusal but the audit trail's record of it (test/helpers/form-fuzz.ts).
 */
let database: TestDatabase;
let t: TestConsole;
before(async () => {
  database = await createTestDatabase();
  t = await startConsole(database.db);
});
after(async () => {
  await t.app.close();
  await database.drop();
});
const runsPerForm = 5;

/** A member who logged on and replaced the password IT issued. */
async function member(role: 'recorder' | 'approver') {
  const credentials = await newStaff(t.deps, role);
  return { credentials, client: await staffLogon(t, credentials) };
}

/** A member at the code step of the logon. */
async function atCodeStep() {
  const credentials = await newStaff(t.deps, 'approver');
  t.deps.clock.advanceSeconds(totpPeriodSeconds);
  const client = new Client(t.app, { ip: '10.20.0.6' });
  assert.equal((await passwordStep(client, credentials)).headers.location, '/operator/logon/totp');
  return { credentials, client };
}

/** A member logged on with the password IT issued, held at its replacement. */
async function atInitialPassword() {
  const { credentials, client } = await atCodeStep();
  await client.get('/operator/logon/totp');
  assert.equal((await client.post('/operator/logon/totp', { code: currentCode(t.deps, credentials) })).headers.location, '/operator/logon/password');
  return { credentials, client };
}

/** An application recorded by one member, for another to decide (four eyes). */
async function recordedApplication(recorder: Client): Promise<number> {
  const master = await onboardMaster(t.deps);
  return applicationIdOf(await record(recorder, master.contractId, { kind: 'issue_card', userId: master.userId, reference: `FUZZ-${master.contractId}` }));
}

function decision(step: 'approve' | 'reject' | 'withdraw'): FormFuzz {
  return {
    route: `/operator/applications/:id/${step}`,
    async setup() {
      const recorder = await member('recorder');
      // The recorder withdraws their own; another member approves or rejects it.
      const decider = step === 'withdraw' ? recorder : await member('approver');
      let id = await recordedApplication(recorder.client);
      const target: FormTarget = {
        route: `/operator/applications/:id/${step}`,
        client: decider.client,
        page: `/operator/applications/${id}`,
        action: `/operator/applications/${id}/${step}`,
        typed: step === 'reject' ? { reason: '書類不備' } : {},
        async accepted() {
          id = await recordedApplication(recorder.client);
          target.page = `/operator/applications/${id}`;
          target.action = `/operator/applications/${id}/${step}`;
        },
      };
      return target;
    },
  };
}

const pskcFile = readFileSync(new URL('../tokens/fixtures/pskc/made-plain.pskcxml', import.meta.url));

const forms: FormFuzz[] = [
  {
    route: '/operator/logon',
    async setup() {
      const credentials = await newStaff(t.deps, 'recorder');
      return { route: '/operator/logon', client: new Client(t.app, { ip: '10.20.0.7' }), page: '/operator/logon', typed: { login: credentials.login, password: passwordOf(credentials) }, secrets: ['password'] };
    },
  },
  {
    route: '/operator/logon/totp',
    async setup() {
      let step = await atCodeStep();
      const target: FormTarget = {
        route: '/operator/logon/totp',
        client: step.client,
        page: '/operator/logon/totp',
        typed: () => ({ code: currentCode(t.deps, step.credentials) }),
        secrets: ['code'],
        async accepted() {
          step = await atCodeStep();
          target.client = step.client;
        },
      };
      return target;
    },
  },
  {
    route: '/operator/logon/password',
    async setup() {
      let held = await atInitialPassword();
      const target: FormTarget = {
        route: '/operator/logon/password',
        client: held.client,
        page: '/operator/logon/password',
        typed: () => ({ current: held.credentials.initialPassword, next: ownPasswordOf(held.credentials), repeat: ownPasswordOf(held.credentials) }),
        secrets: ['current'],
        async accepted() {
          held = await atInitialPassword();
          target.client = held.client;
        },
      };
      return target;
    },
  },
  {
    route: '/operator/logout',
    async setup() {
      const { credentials, client } = await member('recorder');
      const target: FormTarget = {
        route: '/operator/logout',
        client,
        page: '/operator/contracts',
        redirects: { done: '/operator/logon?ended=logout' },
        async accepted() {
          target.client = await staffLogon(t, credentials);
        },
      };
      return target;
    },
  },
  {
    route: '/operator/password',
    async setup() {
      const { credentials, client } = await member('recorder');
      let current = passwordOf(credentials);
      let changes = 0;
      const fresh = () => `${credentials.initialPassword}-fresh${changes}`;
      return {
        route: '/operator/password',
        client,
        page: '/operator/password',
        typed: () => ({ current, next: fresh(), repeat: fresh() }),
        secrets: ['current'],
        accepted(sent) {
          // The member's password is now the one sent: the next cases confirm with it.
          current = String(sent.next);
          changes++;
        },
      };
    },
  },
  {
    route: '/operator/contracts/:contractId/applications',
    async setup() {
      const { client } = await member('recorder');
      const master = await onboardMaster(t.deps);
      return {
        route: '/operator/contracts/:contractId/applications',
        client,
        page: `/operator/contracts/${master.contractId}`,
        action: `/operator/contracts/${master.contractId}/applications`,
        // The page's first form is the lift of a stop, which nobody here needs: a new grid card instead.
        typed: { kind: 'issue_card', userId: master.userId, reference: 'FUZZ-1' },
      };
    },
  },
  {
    route: '/operator/contracts/:contractId/tokens/assign',
    async setup() {
      const { client } = await member('recorder');
      const master = await onboardMaster(t.deps);
      const token = await addToken(t.deps);
      return {
        route: '/operator/contracts/:contractId/tokens/assign',
        client,
        page: `/operator/contracts/${master.contractId}/tokens`,
        action: `/operator/contracts/${master.contractId}/tokens/assign`,
        typed: { serial: token.serial, reason: 'new', reference: 'FUZZ-TOKEN' },
      };
    },
  },
  {
    route: '/operator/applications/new-contract',
    async setup() {
      const { client } = await member('recorder');
      return {
        route: '/operator/applications/new-contract',
        client,
        page: '/operator/applications/new-contract',
        typed: { companyName: '株式会社ファズ', masterUserId: 'boss', masterName: '試験 太郎', masterEmail: 'boss@fuzz.example', lockMode: 'unlinked', reference: 'FUZZ-NEW' },
      };
    },
  },
  decision('approve'),
  decision('reject'),
  decision('withdraw'),
  {
    route: '/operator/applications/:id/handover',
    // R2.5: an approved new registration password is shown once, to its approver.
    async setup() {
      const recorder = await member('recorder');
      const approver = await member('approver');
      const approved = async () => {
        const master = await onboardMaster(t.deps);
        const id = applicationIdOf(await record(recorder.client, master.contractId, { kind: 'new_registration_password', userId: master.userId, reference: `PW-${master.contractId}` }));
        await approver.client.get(`/operator/applications/${id}`);
        assert.match(String((await approver.client.post(`/operator/applications/${id}/approve`, {})).headers.location), /done=approved/);
        return id;
      };
      let id = await approved();
      const target: FormTarget = {
        route: '/operator/applications/:id/handover',
        client: approver.client,
        page: `/operator/applications/${id}`,
        action: `/operator/applications/${id}/handover`,
        async accepted() {
          id = await approved();
          target.page = `/operator/applications/${id}`;
          target.action = `/operator/applications/${id}/handover`;
        },
      };
      return target;
    },
  },
  {
    route: '/operator/notices',
    async setup() {
      const { client } = await member('recorder');
      return { route: '/operator/notices', client, page: '/operator/notices', typed: { title: 'システムメンテナンスのお知らせ', body: '4月5日の深夜に停止します。', shownFrom: '2026-04-01', shownUntil: '2026-04-05' } };
    },
  },
  {
    route: '/operator/mail/:id/requeue',
    // A message the mail server refused for good, sent again at a member's word; once queued again it
    // is refused as not failed (OUTBOX_NOT_FAILED), so an accepted case fails it once more.
    async setup() {
      const { client } = await member('recorder');
      const row = await t.deps.db
        .insertInto('outbox')
        .values({ created_at: t.deps.clock.now(), contract_id: null, recipient: 'fuzz@example.jp', subject: 'fuzz', body: 'fuzz', next_attempt_at: t.deps.clock.now(), status: 'dead', attempts: 1, last_error: '550 no such mailbox' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return {
        route: '/operator/mail/:id/requeue',
        client,
        page: '/operator/mail',
        action: `/operator/mail/${row.id}/requeue`,
        typed: {},
        async accepted() {
          await t.deps.db.updateTable('outbox').set({ status: 'dead' }).where('id', '=', row.id).execute();
        },
      };
    },
  },
  ...(['test', 'resync'] as const).map((step): FormFuzz => ({
    route: `/operator/tokens/:serial/${step}`,
    // The help desk's check of a code a customer reads out; each code is taken once (R6.8).
    async setup() {
      const { client } = await member('recorder');
      const master = await onboardMaster(t.deps);
      const token = await addToken(t.deps);
      await assignToken(t.deps, token.serial, master.contractId);
      const codes = (): Fields => {
        const now = t.deps.clock.now();
        return step === 'test' ? { code: codeOf(token, now) } : { first: codeOf(token, now, 4), second: codeOf(token, now, 5) };
      };
      return {
        route: `/operator/tokens/:serial/${step}`,
        client,
        page: `/operator/tokens/${token.serial}`,
        action: `/operator/tokens/${token.serial}/${step}`,
        typed: codes,
        accepted() {
          t.deps.clock.advanceSeconds(60);
        },
      };
    },
  })),
  {
    route: '/operator/token-import',
    async setup() {
      const { client } = await member('recorder');
      return { route: '/operator/token-import', client, page: '/operator/token-import', typed: { reference: 'FUZZ-PSKC' }, upload: { field: 'file', filename: 'tokens.pskcxml', content: () => pskcFile } };
    },
  },
];

test('every form of the operator console answers any input with its page and an error code, and a refusal changes nothing', async () => {
  assert.deepEqual(forms.map((form) => form.route).sort(), [...consoleForms].sort(), 'every form of the console is fuzzed');
  await fuzzForms(database.db, forms, runsPerForm);
});
