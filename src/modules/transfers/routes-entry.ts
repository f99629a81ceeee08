import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { sentValue } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import {
  createTransfer,
  newTransferTarget,
  openTransferCode,
  quoteTransfer,
  sendNewTransferCode,
  type TransferQuote,
} from './service.ts';
import { otpField, otpSection } from './views-otp.ts';
import { tokenAsk } from '../../access/hardware-token/requirement.ts';
import { tokenCodeField } from '../../web/form-input.ts';
import { otpAddressMasked } from '../../access/email-otp/otp-address.ts';
import {
  confirmationPasswordField,
  field,
  idempotencyKeyField,
  isIdempotencyKey,
  transferFormFields,
  transferFormInput,
} from './form-input.ts';
import { draftFormValues, draftKey, openDraft, sealDraft } from './pages-draft.ts';
import { confirmedDraft, transferOfDraft } from './confirmed-draft.ts';
import { findDuplicate, refuseDuplicate } from './duplicate.ts';
import { actorOf, codeLookupOf, transferFormChoices } from './pages-data.ts';
import { transferForm } from './views-form.ts';
import { confirmPage, noDraftPage } from './views-confirm.ts';
import { codeLookup } from './views-lookup.ts';
import { prefill } from './pages-query.ts';
import { isLookupRequest, openTyped, sealTyped, typedParam } from './pages-typed.ts';

/** The code look-up sits under the form on the same page. */
const codeLookupHref = '#code-lookup';

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
 * R8.2, R8.6, R5.2: entering a transfer, and confirming it with the confirmation password — and,
 * when the confirmation sends it at once, with the email one-time password of this very transfer.
 */
export function transferEntryRoutes(app: FastifyInstance, deps: Deps): void {

  registerPage(app, deps, {
    path: '/transfers/new',
    access: 'active',
    echo: transferFormFields,
    async render(request, state: FormState) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const choices = await transferFormChoices(deps, actorOf(request.live, requestContext(request)));
      let shown = state;
      // Values typed before a look-up come back with the codes picked there (pages-typed.ts).
      const typed = openTyped(deps, request.live.session.id, request.query);
      let values = state.values ?? { ...typed.values, ...prefill(request.query) };
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
${codeLookup(page.t, { ...(await codeLookupOf(deps, request.query, values)), typed: typed.sealed })}`;
      return layout(page, 'transferPages.new.title', body, chrome);
    },
    async submit(request) {
      if (isLookupRequest(request.body)) return `/transfers/new?${typedParam}=${sealTyped(deps, request.live.session.id, request.body)}${codeLookupHref}`;
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
    const draft = sealed as string;
    // A retry after an error keeps the key of the form that was sent (R8.6); so does the page after
    // its one-time password was sent, which is bound to that key (R5.2). Otherwise it is the draft's.
    const sentKey = state.error || otpState.error ? sentValue(request.body, field.idempotencyKey) : sentValue(request.query, 'key');
    const idempotencyKey = isIdempotencyKey(sentKey) ? sentKey : draftKey(draft);
    // R8.6: the draft was confirmed already (the Back button): the page shows that transfer, nothing to confirm again.
    const confirmed = await confirmedDraft(deps, actorOf(request.live, requestContext(request)), [draftKey(draft)]);
    if (confirmed) return layout(page, 'transferPages.confirm.title', confirmed(page.t), chrome);
    const { quote, error } = await quoteOrRefusal(() => quoteTransfer(deps, actorOf(request.live, requestContext(request)), input));
    // A refused request for a code is shown in the code's section, or above when the page asks for none.
    const shown = state.error ? state : otpState.error && !quote?.sendsNow ? otpState : error ? { error } : {};
    // R6.5: sent at once to an ad hoc destination, it asks for the token too (or instead, by the bank's setting).
    const token = quote?.sendsNow && quote.to.payeeId === null ? await tokenAsk(deps, request.live.user, request.live.contract) : undefined;
    const emailReplaced = token?.requirement === 'required' && request.live.contract.token_replaces_email_otp;
    const body = confirmPage(page.t, shown, {
      csrfToken: chrome.csrfToken,
      draft,
      idempotencyKey,
      quote,
      otpSection: quote?.sendsNow && !emailReplaced ? await confirmOtpSection(request, otpState, quote, draft, idempotencyKey) : undefined,
      tokenAsk: token,
    });
    return layout(page, 'transferPages.confirm.title', body, chrome);
  };

  registerPage(app, deps, {
    path: '/transfers/confirm',
    access: 'active',
    // R8.6: a tick given survives a refusal for another reason (a mistyped password, say).
    echo: [field.separatePayment],
    render: (request, state) => renderConfirm(request, state),
    async submit(request) {
      const context = requestContext(request);
      const draft = sentValue(request.body, field.draft);
      const input = openDraft(deps, request.live.session.id, draft);
      const actor = actorOf(request.live, context);
      // R8.6: a confirmation page sent again after its draft was confirmed (Back, then confirm) shows that transfer.
      const made = await transferOfDraft(deps, actor, draftKey(draft as string));
      if (made !== undefined) return `/transfers/${made.toString()}?done=created`;
      const idempotencyKey = idempotencyKeyField(request.body);
      const separatePayment = sentValue(request.body, field.separatePayment) === 'yes';
      // R8.6: held as a likely double payment until ticked — asked before the password, so it costs no attempt (R2.3).
      if (!separatePayment) {
        const { quote } = await quoteOrRefusal(() => quoteTransfer(deps, actor, input));
        // A twin of this page's request that committed meanwhile is its result, not a duplicate.
        if (quote) refuseDuplicate(await findDuplicate(deps, deps.db, actor, quote, [draftKey(draft as string), idempotencyKey]), false);
      }
      const password = confirmationPasswordField(request.body);
      // R2.3: a wrong confirmation password counts towards the person's stop.
      await confirmWithConfirmationPassword(deps, request.live, password, context, 'transfer.register');
      const { transfer } = await createTransfer(deps, actor, { ...input, idempotencyKey, separatePayment }, sentValue(request.body, otpField), tokenCodeField(request.body));
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
}
