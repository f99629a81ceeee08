import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastOneTimePassword, otpAddressOf } from '../helpers/people.ts';
import { appForFile } from '../helpers/http-app.ts';
import { fuzzForms, type FormFuzz, type FormTarget } from '../helpers/form-fuzz.ts';
import { adHocFields, createThroughPages, draftOf, hiddenValue, moneyContract, transferUser, type MoneyContract } from '../transfers/pages/support.ts';
import { addBill, billFields, payer, toConfirmation } from '../pay-easy/support.ts';
import { paymentForms } from './form-routes.ts';

/**
 * Every form of transfers (R8.2, R8.5) and tax and fee payments (R8.3), fuzzed through the
 * application with the person's session and CSRF token: no 5xx, no stack trace, the form's page
 * with an error code, and nothing changed in the database by a refusal but the audit trail's record
 * of it (test/helpers/form-fuzz.ts). A wrong confirmation password or one-time password is counted
 * (R2.3, R5.4), so only the right one or a malformed one is sent.
 */
const t = appForFile();
const runsPerForm = 5;

/** R8.5: a contract with single approval: the master registers, an approver approves, a sender sends. */
async function approvalWorld() {
  const contract = await moneyContract(t, 'single');
  const approver = await transferUser(t, contract, { approve: true });
  const sender = await transferUser(t, contract, { send: true });
  return { contract, approver, sender };
}

let transfers = 0;
/** A transfer the master registered through the pages, waiting for approval; each of its own amount (R8.6 holds a likely double payment). */
function registered(contract: MoneyContract): Promise<bigint> {
  return createThroughPages(contract.client, contract.master, adHocFields(contract, { amount: String(1_000 + ++transfers) }), t.deps);
}

type World = Awaited<ReturnType<typeof approvalWorld>>;

/** A registered transfer the approver approved, waiting for the sender, whose one-time password was sent (R5.2). */
async function waitingToSend(world: World): Promise<{ id: bigint; otp: string }> {
  const id = await registered(world.contract);
  const page = await world.approver.client.get(`/transfers/${id}`);
  const idempotencyKey = hiddenValue(page.body, 'idempotencyKey', `/transfers/${id}/approve`);
  const approved = await world.approver.client.post(`/transfers/${id}/approve`, { idempotencyKey, confirmationPassword: world.approver.person.confirmationPassword });
  assert.equal(approved.statusCode, 303, `approved: ${approved.body.slice(0, 200)}`);
  // One code a minute to a person (the resend cooldown).
  t.deps.clock.advanceSeconds(61);
  await world.sender.client.get(`/transfers/${id}`);
  assert.equal((await world.sender.client.post(`/transfers/${id}/otp`, {})).statusCode, 303);
  return { id, otp: await lastOneTimePassword(t.deps, otpAddressOf(world.sender.person)) };
}

/** The confirmation page of a new transfer (its sealed draft), for a contract's master. */
async function confirmationPage(contract: MoneyContract): Promise<string> {
  await contract.client.get('/transfers/new');
  return `/transfers/confirm?draft=${draftOf(await contract.client.post('/transfers/new', adHocFields(contract)))}`;
}

/** A step on a transfer by one person, moved to a new transfer when a case went through. */
function stepOnTransfer(step: 'approve' | 'send-back' | 'withdraw', who: (world: World) => World['approver'] | World['contract'], typed: (world: World) => Record<string, string>): FormFuzz {
  return {
    route: `/transfers/:id/${step}`,
    async setup() {
      const world = await approvalWorld();
      const person = who(world);
      let id = await registered(world.contract);
      const target: FormTarget = {
        route: `/transfers/:id/${step}`,
        client: person.client,
        page: `/transfers/${id}`,
        action: `/transfers/${id}/${step}`,
        typed: typed(world),
        secrets: ['confirmationPassword'],
        async accepted() {
          id = await registered(world.contract);
          target.page = `/transfers/${id}`;
          target.action = `/transfers/${id}/${step}`;
        },
      };
      return target;
    },
  };
}

const forms: FormFuzz[] = [
  {
    route: '/transfers/new',
    async setup() {
      const contract = await moneyContract(t, 'single');
      return { route: '/transfers/new', client: contract.client, page: '/transfers/new', typed: adHocFields(contract) };
    },
  },
  {
    route: '/transfers/confirm',
    async setup() {
      const contract = await moneyContract(t, 'single');
      const target: FormTarget = {
        route: '/transfers/confirm',
        client: contract.client,
        page: await confirmationPage(contract),
        typed: { confirmationPassword: contract.master.confirmationPassword },
        secrets: ['confirmationPassword'],
        subject: ['draft'],
        // R8.6: a confirmed draft's page shows its transfer, with nothing to confirm again: a new draft.
        async accepted() {
          target.page = await confirmationPage(contract);
        },
      };
      return target;
    },
  },
  {
    route: '/transfers/confirm/otp',
    // Without approval the master's confirmation sends the transfer at once, and asks for the emailed code (R5.2).
    async setup() {
      const contract = await moneyContract(t, 'none');
      const page = await confirmationPage(contract);
      return {
        route: '/transfers/confirm/otp',
        client: contract.client,
        page,
        subject: ['draft'],
        accepted() {
          t.deps.clock.advanceSeconds(61);
        },
      };
    },
  },
  {
    route: '/transfers/:id/otp',
    async setup() {
      const world = await approvalWorld();
      const { id } = await waitingToSend(world);
      t.deps.clock.advanceSeconds(61);
      return {
        route: '/transfers/:id/otp',
        client: world.sender.client,
        page: `/transfers/${id}`,
        action: `/transfers/${id}/otp`,
        accepted() {
          t.deps.clock.advanceSeconds(61);
        },
      };
    },
  },
  stepOnTransfer('approve', (world) => world.approver, (world) => ({ confirmationPassword: world.approver.person.confirmationPassword })),
  stepOnTransfer('send-back', (world) => world.approver, () => ({ reason: '金額をお確かめください' })),
  stepOnTransfer('withdraw', (world) => world.contract, () => ({})),
  {
    route: '/transfers/:id/send',
    async setup() {
      const world = await approvalWorld();
      let waiting = await waitingToSend(world);
      const target: FormTarget = {
        route: '/transfers/:id/send',
        client: world.sender.client,
        page: `/transfers/${waiting.id}`,
        action: `/transfers/${waiting.id}/send`,
        typed: () => ({ confirmationPassword: world.sender.person.confirmationPassword, otp: waiting.otp }),
        secrets: ['confirmationPassword', 'otp'],
        async accepted() {
          waiting = await waitingToSend(world);
          target.page = `/transfers/${waiting.id}`;
          target.action = `/transfers/${waiting.id}/send`;
        },
      };
      return target;
    },
  },
  {
    route: '/pay-easy',
    async setup() {
      const contract = await moneyContract(t);
      const { client } = await payer(t, contract, { perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n });
      const bill = await addBill(t.deps, 'national');
      return { route: '/pay-easy', client, page: '/pay-easy', typed: { billerNumber: bill.billerNumber } };
    },
  },
  {
    route: '/pay-easy/bill',
    async setup() {
      const contract = await moneyContract(t);
      const { client } = await payer(t, contract, { perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n });
      const bill = await addBill(t.deps, 'national');
      // The biller the bill form is for: another one leads back to the biller form.
      return { route: '/pay-easy/bill', client, page: `/pay-easy/bill?billerNumber=${bill.billerNumber}`, typed: billFields(bill, contract.from.id), subject: ['billerNumber'] };
    },
  },
  {
    route: '/pay-easy/confirm',
    async setup() {
      const contract = await moneyContract(t);
      const paying = await payer(t, contract, { perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n });
      // A new bill, its confirmation page and its emailed code (R5.2); a code a minute at most.
      const next = async () => {
        const bill = await addBill(t.deps, 'national');
        const { draft, key } = await toConfirmation(paying.client, bill, contract.from.id);
        t.deps.clock.advanceSeconds(61);
        const sent = await paying.client.post('/pay-easy/confirm/otp', { draft, idempotencyKey: key });
        assert.equal(sent.statusCode, 303);
        return { page: `/pay-easy/confirm?draft=${draft}&key=${key}`, otp: await lastOneTimePassword(t.deps, otpAddressOf(paying.person)) };
      };
      let current = await next();
      const target: FormTarget = {
        route: '/pay-easy/confirm',
        client: paying.client,
        page: current.page,
        typed: () => ({ confirmationPassword: paying.person.confirmationPassword, otp: current.otp }),
        secrets: ['confirmationPassword', 'otp'],
        subject: ['draft'],
        async accepted() {
          current = await next();
          target.page = current.page;
        },
      };
      return target;
    },
  },
  {
    route: '/pay-easy/confirm/otp',
    async setup() {
      const contract = await moneyContract(t);
      const paying = await payer(t, contract, { perTransactionLimitYen: 1_000_000n, dailyLimitYen: 3_000_000n });
      const bill = await addBill(t.deps, 'national');
      const { draft } = await toConfirmation(paying.client, bill, contract.from.id);
      return {
        route: '/pay-easy/confirm/otp',
        client: paying.client,
        page: `/pay-easy/confirm?draft=${draft}`,
        subject: ['draft'],
        accepted() {
          t.deps.clock.advanceSeconds(61);
        },
      };
    },
  },
];

test('every transfer and Pay-easy form answers any input with its page and an error code, and a refusal changes nothing', async () => {
  assert.deepEqual(forms.map((form) => form.route).sort(), [...paymentForms].sort(), 'every form of this area is fuzzed');
  await fuzzForms(t.db, forms, runsPerForm);
});
