import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { TransferStatus } from '../../db/schema-transfers.ts';
import { AppError, isAppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { sentValue } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { randomToken } from '../../platform/random.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import {
  approveTransfer,
  awaitingActor,
  createTransfer,
  finalises,
  getTransfer,
  listTransfers,
  newTransferTarget,
  openTransferCode,
  quoteTransfer,
  sendBackTransfer,
  sendNewTransferCode,
  sendTransfer,
  sendTransferCode,
  transferTarget,
  withdrawTransfer,
  type TransferQuote,
} from './service.ts';
import { otpField, otpSection } from './views-otp.ts';
import { otpAddressMasked } from '../../access/email-otp/otp-address.ts';
import {
  confirmationPasswordField,
  field,
  idempotencyKeyField,
  isIdempotencyKey,
  reasonField,
  transferFormFields,
  transferFormInput,
  transferIdParam,
} from './form-input.ts';
import { draftFormValues, openDraft, sealDraft } from './pages-draft.ts';
import { actorOf, codeLookupOf, transferFormChoices } from './pages-data.ts';
import { transferForm } from './views-form.ts';
import { confirmPage, noDraftPage } from './views-confirm.ts';
import { detailPage, transferActions, type TransferAction } from './views-detail.ts';
import { approvalsPage, listPage } from './views-list.ts';
import { codeLookup } from './views-lookup.ts';
import { listFilter, prefill } from './pages-query.ts';

/** R8.6: a key per money-moving form, made when the form is rendered: 24 random bytes, 32 characters. */
const idempotencyKeyBytes = 24;
/** The code look-up sits under the form on the same page. */
const codeLookupHref = '#code-lookup';

/** The notice after a step, by the `done` of the address (a Map: no inherited names such as `constructor`). */
const doneKeys = new Map<unknown, MessageKey>([
  ['created', 'transferPages.done.created'],
  ['approved', 'transferPages.done.approved'],
  ['sent', 'transferPages.done.sent'],
  ['withdrawn', 'transferPages.done.withdrawn'],
  ['sentBack', 'transferPages.done.sentBack'],
]);

const actionDone: Record<TransferAction, string> = { approve: 'approved', send: 'sent', withdraw: 'withdrawn', 'send-back': 'sentBack' };

/** A quote, or the refusal that the person has to see instead of it. */
async function quoteOrRefusal(run: () => Promise<TransferQuote>): Promise<{ quote?: TransferQuote; error?: AppError }> {
  try {
    return { quote: await run() };
  } catch (error) {
    if (isAppError(error)) return { error };
    throw error;
  }
}

/**
 * R8.2, R8.5, R8.6: entering a transfer, confirming it with the confirmation password, the list,
 * one transfer with the steps the person may take, and the items waiting for the person.
 */
export function transfersRoutes(app: FastifyInstance, deps: Deps): void {
  const newKey = () => randomToken(deps.random, idempotencyKeyBytes);

  registerPage(app, deps, {
    path: '/transfers/new',
    access: 'active',
    echo: transferFormFields,
    async render(request, state: FormState) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const choices = await transferFormChoices(deps, actorOf(request.live, requestContext(request)));
      let shown = state;
      let values = state.values ?? prefill(request.query);
      // "Change the details" from the confirmation page brings the draft back into the form.
      const draft = sentValue(request.query, field.draft);
      if (!state.error && draft !== undefined) {
        try {
          values = draftFormValues(openDraft(deps, request.live.session.id, draft));
        } catch (error) {
          if (!isAppError(error)) throw error;
          shown = { error };
        }
      }
      const body = html`<p>${page.t('transferPages.new.intro')}</p>
${transferForm(page.t, shown, { csrfToken: chrome.csrfToken, choices, values, lookupHref: codeLookupHref })}
${codeLookup(page.t, await codeLookupOf(deps, request.query, values))}`;
      return layout(page, 'transferPages.new.title', body, chrome);
    },
    async submit(request) {
      const input = transferFormInput(request.body);
      // Everything the creation will check is checked now, so the confirmation page shows a transfer that can be made.
      await quoteTransfer(deps, actorOf(request.live, requestContext(request)), input);
      return `/transfers/confirm?draft=${sealDraft(deps, request.live.session.id, input)}`;
    },
  });

  /** R5.2: the email one-time password of a confirmation that sends the transfer, bound to its key. */
  const confirmOtpSection = async (request: PageRequest<'active'>, state: FormState, quote: TransferQuote, draft: string, idempotencyKey: string) => {
    const actor = actorOf(request.live, requestContext(request));
    const t = pageContext(deps, request).t;
    return otpSection(t, {
      csrfToken: request.live.session.csrf_token,
      addressMasked: otpAddressMasked(request.live.user),
      open: await openTransferCode(deps, actor, newTransferTarget(actor, idempotencyKey, quote)),
      action: '/transfers/confirm/otp',
      hidden: { [field.draft]: draft, [field.idempotencyKey]: idempotencyKey },
      state,
    });
  };

  const renderConfirm = async (request: PageRequest<'active'>, state: FormState, otpState: FormState = {}) => {
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const sealed = state.error || otpState.error ? sentValue(request.body, field.draft) : sentValue(request.query, field.draft);
    let input;
    try {
      input = openDraft(deps, request.live.session.id, sealed);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return layout(page, 'transferPages.confirm.title', noDraftPage(page.t, state.error ? state : { error }), chrome);
    }
    const { quote, error } = await quoteOrRefusal(() => quoteTransfer(deps, actorOf(request.live, requestContext(request)), input));
    // A retry after an error keeps the key of the form that was sent (R8.6); so does the page after
    // its one-time password was sent, which is bound to that key (R5.2).
    const sentKey = state.error || otpState.error ? sentValue(request.body, field.idempotencyKey) : sentValue(request.query, 'key');
    const idempotencyKey = isIdempotencyKey(sentKey) ? sentKey : newKey();
    const draft = sealed as string;
    const body = confirmPage(page.t, state.error ? state : error ? { error } : {}, {
      csrfToken: chrome.csrfToken,
      draft,
      idempotencyKey,
      quote,
      otpSection: quote?.sendsNow ? await confirmOtpSection(request, otpState, quote, draft, idempotencyKey) : undefined,
    });
    return layout(page, 'transferPages.confirm.title', body, chrome);
  };

  registerPage(app, deps, {
    path: '/transfers/confirm',
    access: 'active',
    render: (request, state) => renderConfirm(request, state),
    async submit(request) {
      const context = requestContext(request);
      const input = openDraft(deps, request.live.session.id, sentValue(request.body, field.draft));
      const idempotencyKey = idempotencyKeyField(request.body);
      const password = confirmationPasswordField(request.body);
      // R2.3: a wrong confirmation password counts towards the person's stop.
      await confirmWithConfirmationPassword(deps, request.live, password, context, 'transfer.register');
      const { transfer } = await createTransfer(deps, actorOf(request.live, context), { ...input, idempotencyKey }, sentValue(request.body, otpField));
      return `/transfers/${transfer.id.toString()}?done=created`;
    },
  });

  registerPage(app, deps, {
    path: '/transfers/confirm/otp',
    access: 'active',
    render: (request, state) => renderConfirm(request, {}, state),
    async submit(request) {
      const actor = actorOf(request.live, requestContext(request));
      const draft = sentValue(request.body, field.draft);
      const input = openDraft(deps, request.live.session.id, draft);
      const idempotencyKey = idempotencyKeyField(request.body);
      await sendNewTransferCode(deps, actor, idempotencyKey, await quoteTransfer(deps, actor, input));
      return `/transfers/confirm?draft=${draft as string}&key=${idempotencyKey}#email-otp`;
    },
  });

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

  registerPage(app, deps, {
    path: '/approvals',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const items = await awaitingActor(deps, actorOf(request.live, requestContext(request)));
      return layout(page, 'transferPages.approvals.title', approvalsPage(page.t, items), sessionChrome(deps, request.live));
    },
  });

  const renderDetail = async (request: PageRequest<'active'>, state: FormState, failed: TransferAction | 'otp' | undefined) => {
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const actor = actorOf(request.live, requestContext(request));
    const detail = await getTransfer(deps, actor, transferIdParam(request.params));
    const doneKey = doneKeys.get(sentValue(request.query, 'done'));
    const keys = Object.fromEntries(transferActions.map((action) => [action, newKey()])) as Record<TransferAction, string>;
    // R5.2: the approval that sends the transfer, or the send, needs the email one-time password.
    const otp =
      finalises(detail, 'approve') || finalises(detail, 'send')
        ? otpSection(page.t, {
            csrfToken: chrome.csrfToken,
            addressMasked: otpAddressMasked(request.live.user),
            open: await openTransferCode(deps, actor, transferTarget(detail.transfer)),
            action: `/transfers/${detail.id.toString()}/otp`,
            hidden: {},
            state: failed === 'otp' ? state : {},
          })
        : undefined;
    const body = html`${noticeBox(doneKey ? page.t(doneKey, { id: detail.id.toString() }) : undefined)}
${detailPage(page.t, failed === 'otp' ? {} : state, detail, { csrfToken: chrome.csrfToken, keys, failed: failed === 'otp' ? undefined : failed, otpSection: otp })}`;
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
          await approveTransfer(deps, actor, transferId, idempotencyKey, emailOtp);
        } else if (action === 'send') {
          const password = confirmationPasswordField(request.body);
          // R5.2: the code is entered with the sender's confirmation password, which counts towards their stop (R2.3).
          await confirmWithConfirmationPassword(deps, request.live, password, context, 'transfer.send');
          await sendTransfer(deps, actor, transferId, idempotencyKey, emailOtp);
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
