import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appForFile } from '../helpers/http-app.ts';
import { fuzzForms, type FormFuzz, type FormTarget } from '../helpers/form-fuzz.ts';
import { loggedOn, openReview, payeeFields, payeesWorld, registerPayee, submitEntry, type PayeesWorld } from '../payees/support.ts';
import { moneyContract } from '../transfers/pages/support.ts';
import { bulkUser, manyRecords, uploadBulk, uploadedId, zenginBytes } from '../bulk/support.ts';
import { payeeAndBulkForms } from './form-routes.ts';

/**
 * Every form of payees (R8.2, R8.5) and bulk transfer files (R8.4), the upload included, fuzzed
 * through the application with the person's session and CSRF token: no 5xx, no stack trace, the
 * form's page with an error code, and nothing changed in the database by a refusal but the audit
 * trail's record of it (test/helpers/form-fuzz.ts).
 */
const t = appForFile();
const runsPerForm = 5;

let accounts = 0;
/** A payee account of its own each time: the same account twice is refused as a duplicate. */
const newAccount = () => String(2_000_000 + ++accounts);

/** A payee the clerk registered, waiting for approval (single approval). */
async function waitingPayee(world: PayeesWorld, clerk: Awaited<ReturnType<typeof loggedOn>>): Promise<number> {
  return (await registerPayee(clerk, world.clerk, { accountNumber: newAccount() })).id;
}

/** An action on a payee by one person, moved to a new payee when a case went through. */
function payeeAction(action: 'approve' | 'reject' | 'withdraw' | 'delete'): FormFuzz {
  return {
    route: `/payees/:payeeId/${action}`,
    async setup() {
      // Deleting is the master's on a registered payee (no approval); the others are steps of a waiting one.
      const world = await payeesWorld(t, action === 'delete' ? 'none' : 'single');
      const clerk = await loggedOn(t, world.clerk);
      const actor = action === 'approve' || action === 'reject' ? await loggedOn(t, world.approverA, '198.51.100.41') : action === 'withdraw' ? clerk : world.masterClient;
      const next = async () => (action === 'delete' ? (await registerPayee(world.masterClient, world.master, { accountNumber: newAccount() })).id : waitingPayee(world, clerk));
      let id = await next();
      const typed: Record<string, string> = action === 'reject' ? { reason: '口座番号をお確かめください' } : action === 'withdraw' ? {} : { confirmationPassword: (action === 'delete' ? world.master : world.approverA).confirmationPassword };
      const target: FormTarget = {
        route: `/payees/:payeeId/${action}`,
        client: actor,
        page: `/payees/${id}/${action}`,
        action: `/payees/${id}/${action}`,
        typed,
        secrets: ['confirmationPassword'],
        async accepted() {
          id = await next();
          target.page = `/payees/${id}/${action}`;
          target.action = `/payees/${id}/${action}`;
        },
      };
      return target;
    },
  };
}

/** The review page of an entry (its sealed draft), for the person given. */
async function reviewOf(client: Awaited<ReturnType<typeof loggedOn>>, path: string): Promise<{ page: string; action: string }> {
  const review = await openReview(client, await submitEntry(client, path, payeeFields({ accountNumber: newAccount() })));
  return { page: review.location, action: review.action };
}

const forms: FormFuzz[] = [
  {
    route: '/payees/new',
    async setup() {
      const world = await payeesWorld(t, 'none');
      return { route: '/payees/new', client: world.masterClient, page: '/payees/new', typed: payeeFields({ accountNumber: newAccount() }) };
    },
  },
  {
    route: '/payees/new/confirm',
    async setup() {
      const world = await payeesWorld(t, 'none');
      const review = await reviewOf(world.masterClient, '/payees/new');
      const target: FormTarget = {
        route: '/payees/new/confirm',
        client: world.masterClient,
        page: review.page,
        typed: { confirmationPassword: world.master.confirmationPassword },
        secrets: ['confirmationPassword'],
        subject: ['draft'],
        async accepted() {
          target.page = (await reviewOf(world.masterClient, '/payees/new')).page;
        },
      };
      return target;
    },
  },
  {
    route: '/payees/:payeeId/change',
    async setup() {
      const world = await payeesWorld(t, 'none');
      const { id } = await registerPayee(world.masterClient, world.master, { accountNumber: newAccount() });
      return { route: '/payees/:payeeId/change', client: world.masterClient, page: `/payees/${id}/change`, action: `/payees/${id}/change`, typed: { nickname: '取引先' } };
    },
  },
  {
    route: '/payees/:payeeId/change/confirm',
    async setup() {
      const world = await payeesWorld(t, 'none');
      // A change of a new payee each time: a changed one is not changed again from the same draft.
      const next = async () => {
        const { id } = await registerPayee(world.masterClient, world.master, { accountNumber: newAccount() });
        return reviewOf(world.masterClient, `/payees/${id}/change`);
      };
      const review = await next();
      const target: FormTarget = {
        route: '/payees/:payeeId/change/confirm',
        client: world.masterClient,
        page: review.page,
        action: review.action,
        typed: { confirmationPassword: world.master.confirmationPassword },
        secrets: ['confirmationPassword'],
        subject: ['draft'],
        async accepted() {
          const again = await next();
          target.page = again.page;
          target.action = again.action;
        },
      };
      return target;
    },
  },
  payeeAction('approve'),
  payeeAction('reject'),
  payeeAction('withdraw'),
  payeeAction('delete'),
  {
    route: '/bulk/upload',
    // R8.4: a 総合振込 file as the customer's software writes it; each case breaks the form, not the file.
    async setup() {
      const contract = await moneyContract(t);
      const { client } = await bulkUser(t, contract.master.contractId, contract.from.id, { register: true });
      const file = zenginBytes(contract.from, manyRecords(2));
      return { route: '/bulk/upload', client, page: '/bulk/upload', upload: { field: 'file', filename: 'sogo.txt', content: () => file } };
    },
  },
  {
    route: '/bulk/build',
    async setup() {
      const contract = await moneyContract(t);
      const { client } = await bulkUser(t, contract.master.contractId, contract.from.id, { register: true });
      return { route: '/bulk/build', client, page: '/bulk/build' };
    },
  },
  {
    route: '/bulk/files/:id',
    // A draft of the uploader's: its first form (the registration) with the confirmation password.
    async setup() {
      const contract = await moneyContract(t);
      const { person, client } = await bulkUser(t, contract.master.contractId, contract.from.id, { register: true });
      const upload = async () => uploadedId(await uploadBulk(client, zenginBytes(contract.from, manyRecords(2, BigInt(1_000 + ++accounts)))));
      let id = await upload();
      const target: FormTarget = {
        route: '/bulk/files/:id',
        client,
        page: `/bulk/files/${id}`,
        action: `/bulk/files/${id}`,
        typed: { confirmationPassword: person.confirmationPassword },
        secrets: ['confirmationPassword'],
        async accepted() {
          id = await upload();
          target.page = `/bulk/files/${id}`;
          target.action = `/bulk/files/${id}`;
        },
      };
      return target;
    },
  },
];

test('every payee and bulk file form answers any input with its page and an error code, and a refusal changes nothing', async () => {
  assert.deepEqual(forms.map((form) => form.route).sort(), [...payeeAndBulkForms].sort(), 'every form of this area is fuzzed');
  await fuzzForms(t.db, forms, runsPerForm);
});
