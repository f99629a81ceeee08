import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { TransferStatus } from '../../db/schema-transfers.ts';
import { isAppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { sentValue, tokenCodeField } from '../../web/form-input.ts';
import { tokenAsk } from '../../access/hardware-token/requirement.ts';
import { stepNeedsToken } from './token.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import {
  approveTransfer,
  finalises,
  getTransfer,
  listTransfers,
  openTransferCode,
  sendBackTransfer,
  sendTransfer,
  sendTransferCode,
  transferTarget,
  withdrawTransfer,
} from './service.ts';
import { otpField, otpSection } from './views-otp.ts';
import { formError } from './views-controls.ts';
import { otpAddressMasked } from '../../access/email-otp/otp-address.ts';
import { confirmationPasswordField, field, idempotencyKeyField, reasonField, transferIdParam } from './form-input.ts';
import { actorOf, newFormKey } from './pages-data.ts';
import { detailPage, transferActions, type TransferAction } from './views-detail.ts';
import { listPage } from './views-list.ts';
import { listFilter } from './pages-query.ts';

/** The notice after a step, by the `done` of the address (a Map: no inherited names such as `constructor`). */
const doneKeys = new Map<unknown, MessageKey>([
  ['created', 'transferPages.done.created'],
  ['approved', 'transferPages.done.approved'],
  ['sent', 'transferPages.done.sent'],
  ['withdrawn', 'transferPages.done.withdrawn'],
  ['sentBack', 'transferPages.done.sentBack'],
]);

const actionDone: Record<TransferAction, string> = { approve: 'approved', send: 'sent', withdraw: 'withdrawn', 'send-back': 'sentBack' };

/**
 * R8.1, R8.5, R5.2: the list and one transfer with the steps the
 * person may take — the step that finalises it with the email one-time password.
 */
export function transferItemRoutes(app: FastifyInstance, deps: Deps): void {
  const newKey = () => newFormKey(deps);

  registerPage(app, deps, {
    path: '/transfers',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      let state: FormState = {};
      let filter: { status: TransferStatus | undefined; page: number } = { status: undefined, page: 1 };
      try {
        filter = listFilter(request.query);
      } catch (error) {
        if (!isAppError(error)) throw error;
        state = { error };
      }
      const list = await listTransfers(deps, actorOf(request.live, requestContext(request)), filter);
      return layout(page, 'transferPages.list.title', listPage(page.t, state, { ...filter, ...list }), chrome);
    },
  });

  // The waiting page [承認待ち] of every kind of item is src/modules/approvals/routes.ts.

  const renderDetail = async (request: PageRequest<'active'>, state: FormState, failed: TransferAction | 'otp' | undefined) => {
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const actor = actorOf(request.live, requestContext(request));
    const detail = await getTransfer(deps, actor, transferIdParam(request.params));
    const doneKey = doneKeys.get(sentValue(request.query, 'done'));
    const keys = Object.fromEntries(transferActions.map((action) => [action, newKey()])) as Record<TransferAction, string>;
    // R6.5: the step that finalises a transfer to an ad hoc destination needs the token password.
    const tokenSteps = (['approve', 'send'] as const).filter((step) => (step === 'approve' ? detail.mayApprove : detail.maySend) && stepNeedsToken(detail.transfer, detail.approvals.length, step));
    const ask = tokenSteps.length > 0 ? await tokenAsk(deps, request.live.user, request.live.contract) : undefined;
    const tokenAsks = Object.fromEntries(tokenSteps.map((step) => [step, ask]));
    // The bank may set the contract to ask for the token alone where a step would need both.
    const emailReplaced = ask?.requirement === 'required' && request.live.contract.token_replaces_email_otp;
    // R5.2: the approval that sends the transfer, or the send, needs the email one-time password.
    const otp =
      !emailReplaced && (finalises(detail, 'approve') || finalises(detail, 'send'))
        ? otpSection(page.t, {
            csrfToken: chrome.csrfToken,
            addressMasked: otpAddressMasked(request.live.user),
            open: await openTransferCode(deps, actor, transferTarget(detail.transfer)),
            action: `/transfers/${detail.id.toString()}/otp`,
            hidden: {},
            state: failed === 'otp' ? state : {},
          })
        : undefined;
    // A refused request for a code on a page that no longer asks for one (another person was quicker) is shown above.
    const orphanOtpError = failed === 'otp' && !otp ? formError(page.t, state, []) : '';
    const body = html`${noticeBox(doneKey ? page.t(doneKey, { id: detail.id.toString() }) : undefined)}${orphanOtpError}
${detailPage(page.t, failed === 'otp' ? {} : state, detail, { csrfToken: chrome.csrfToken, keys, failed: failed === 'otp' ? undefined : failed, otpSection: otp, tokenAsks })}`;
    return layout(page, 'transferPages.detail.title', body, chrome);
  };

  registerPage(app, deps, {
    path: '/transfers/:id',
    access: 'active',
    render: (request, state) => renderDetail(request, state, undefined),
  });

  registerPage(app, deps, {
    path: '/transfers/:id/otp',
    access: 'active',
    render: (request, state) => renderDetail(request, state, state.error ? 'otp' : undefined),
    async submit(request) {
      const actor = actorOf(request.live, requestContext(request));
      const detail = await getTransfer(deps, actor, transferIdParam(request.params));
      await sendTransferCode(deps, actor, detail);
      return `/transfers/${detail.id.toString()}#email-otp`;
    },
  });

  for (const action of transferActions) {
    registerPage(app, deps, {
      path: `/transfers/:id/${action}`,
      access: 'active',
      echo: action === 'send-back' ? [field.reason] : [],
      render: (request, state) => renderDetail(request, state, state.error ? action : undefined),
      async submit(request) {
        const context = requestContext(request);
        const transferId = transferIdParam(request.params);
        const idempotencyKey = idempotencyKeyField(request.body);
        const actor = actorOf(request.live, context);
        const emailOtp = sentValue(request.body, otpField);
        if (action === 'approve') {
          const password = confirmationPasswordField(request.body);
          // R2.3: a wrong confirmation password counts towards the approver's stop.
          await confirmWithConfirmationPassword(deps, request.live, password, context, 'transfer.approve');
          await approveTransfer(deps, actor, transferId, idempotencyKey, emailOtp, tokenCodeField(request.body));
        } else if (action === 'send') {
          const password = confirmationPasswordField(request.body);
          // R5.2: the code is entered with the sender's confirmation password, which counts towards their stop (R2.3).
          await confirmWithConfirmationPassword(deps, request.live, password, context, 'transfer.send');
          await sendTransfer(deps, actor, transferId, idempotencyKey, emailOtp, tokenCodeField(request.body));
        } else if (action === 'withdraw') {
          await withdrawTransfer(deps, actor, transferId, idempotencyKey);
        } else {
          await sendBackTransfer(deps, actor, transferId, reasonField(request.body), idempotencyKey);
        }
        return `/transfers/${transferId.toString()}?done=${actionDone[action]}`;
      },
    });
  }
}
