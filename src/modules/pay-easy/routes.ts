import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { sentText, sentValue } from '../../web/form-input.ts';
import { confirmationPasswordField } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { confirmWithConfirmationPassword } from '../../access/confirmation-password.ts';
import { otpAddressMasked } from '../../access/email-otp/otp-address.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { accountBalances } from '../accounts/repository.ts';
import { usableAccountIds } from '../transfers/holder.ts';
import { actorOf, newFormKey } from '../transfers/pages-data.ts';
import type { Actor } from '../transfers/types.ts';
import type { PaymentCollector } from './collector/collector.ts';
import { simulatedCollector } from './collector/simulator.ts';
import { withUnavailableAnswered } from './collector/unavailable.ts';
import { openDraft, sealDraft, type PaymentDraft } from './draft.ts';
import { openPaymentCode, sendPaymentCode } from './email-otp.ts';
import { billerNumberField, billerNumberParam, billFormFields, billFormInput, field, idempotencyKeyField, isIdempotencyKey, paymentIdParam } from './form-input.ts';
import { findBiller, inquireBill, payBill, quotePayment, type PaymentQuote } from './pay.ts';
import { payerOf, requireHolder } from './payer.ts';
import { getPayment, paymentHistory, paymentHistoryDays } from './queries.ts';
import { billerPage, billPage, confirmPage, historyPage, noDraftPage, receiptPage } from './views.ts';
import { otpSection } from '../transfers/views-otp.ts';

/**
 * R8.3: 税金・各種料金の払込み (Pay-easy). The biller's number, then the bill's numbers by the biller's
 * kind, then the bill as the biller answered it, confirmed with the confirmation password and the
 * email one-time password of this payment (R5.2); the receipt and the history. The collector is the
 * link to the billers (./collector/collector.ts): the built-in one answers from its registry.
 */
export function payEasyRoutes(app: FastifyInstance, deps: Deps, link: PaymentCollector = simulatedCollector(deps.db)): void {
  const collector = withUnavailableAnswered(link);
  const actor = (request: PageRequest<'active'>): Actor => actorOf(request.live, requestContext(request));

  /** R1.4: every page is for a holder of the business; anyone else is told so. */
  const holderOnly = async (request: PageRequest<'active'>) => {
    requireHolder(await payerOf(deps.db, actor(request), tokyoDate(deps.clock.now())));
  };

  registerPage(app, deps, {
    path: '/pay-easy',
    access: 'active',
    echo: [field.billerNumber],
    async render(request, state) {
      await holderOnly(request);
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      return layout(page, 'payEasy.title', billerPage(page.t, state, chrome.csrfToken), chrome);
    },
    async submit(request) {
      await holderOnly(request);
      const biller = await findBiller(collector, billerNumberField(request.body));
      return `/pay-easy/bill?${field.billerNumber}=${biller.number}`;
    },
  });

  registerPage(app, deps, {
    path: '/pay-easy/bill',
    access: 'active',
    echo: billFormFields,
    async render(request, state) {
      await holderOnly(request);
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const billerNumber = billerNumberParam(state.error ? request.body : request.query);
      const biller = billerNumber === undefined ? undefined : await collector.biller(billerNumber);
      if (!biller) {
        const error = new AppError('PAY_EASY_BILLER_UNKNOWN', { field: field.billerNumber });
        return layout(page, 'payEasy.title', billerPage(page.t, { error }, chrome.csrfToken), chrome);
      }
      const person = actor(request);
      const accounts = await accountBalances(deps.db, person.contract.id, await usableAccountIds(deps.db, person, { openOnly: true }));
      return layout(page, 'payEasy.bill.title', billPage(page.t, state, { csrfToken: chrome.csrfToken, biller, accounts }), chrome);
    },
    async submit(request) {
      await holderOnly(request);
      const billerNumber = billerNumberParam(request.body);
      if (billerNumber === undefined) throw new AppError('PAY_EASY_BILLER_UNKNOWN', { field: field.billerNumber });
      const biller = await findBiller(collector, billerNumber);
      const { query, fromAccountId } = billFormInput(request.body, biller);
      const draft = await inquireBill(deps, collector, actor(request), fromAccountId, query);
      return `/pay-easy/confirm?${field.draft}=${sealDraft(deps, request.live.session.id, draft)}`;
    },
  });

  const renderConfirm = async (request: PageRequest<'active'>, state: FormState, otpState: FormState = {}) => {
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const failed = state.error !== undefined || otpState.error !== undefined;
    const sealed = sentValue(failed ? request.body : request.query, field.draft);
    let draft: PaymentDraft;
    try {
      draft = openDraft(deps, request.live.session.id, sealed);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return layout(page, 'payEasy.confirm.title', noDraftPage(page.t, state.error ? state : { error }), chrome);
    }
    const person = actor(request);
    let quote: PaymentQuote | undefined;
    let refusal: AppError | undefined;
    try {
      quote = await quotePayment(deps, person, draft);
    } catch (error) {
      if (!isAppError(error)) throw error;
      refusal = error;
    }
    // R8.6, R5.2: the key of the form that was sent stays with its retry and with the code sent for it.
    const sentKey = failed ? sentValue(request.body, field.idempotencyKey) : sentText(request.query, 'key');
    const idempotencyKey = isIdempotencyKey(sentKey) ? sentKey : newFormKey(deps);
    const shown: FormState = state.error ? state : refusal ? { error: refusal } : {};
    const otp = quote
      ? otpSection(page.t, {
          csrfToken: chrome.csrfToken,
          addressMasked: otpAddressMasked(request.live.user),
          open: await openPaymentCode(deps, person, idempotencyKey, draft),
          action: '/pay-easy/confirm/otp',
          hidden: { [field.draft]: sealed as string, [field.idempotencyKey]: idempotencyKey },
          state: otpState,
          compare: 'payEasy.otp.compare',
        })
      : undefined;
    const body = confirmPage(page.t, shown, { csrfToken: chrome.csrfToken, draft: sealed as string, idempotencyKey, quote, otpSection: otp, billerNumber: draft.bill.billerNumber });
    return layout(page, 'payEasy.confirm.title', body, chrome);
  };

  registerPage(app, deps, {
    path: '/pay-easy/confirm',
    access: 'active',
    render: (request, state) => renderConfirm(request, state),
    async submit(request) {
      const context = requestContext(request);
      // The amount is the draft's, as the biller answered it: no field of the form is read for it.
      const draft = openDraft(deps, request.live.session.id, sentValue(request.body, field.draft));
      const idempotencyKey = idempotencyKeyField(request.body);
      const password = confirmationPasswordField(request.body);
      // R2.3: a wrong confirmation password counts towards the person's stop.
      await confirmWithConfirmationPassword(deps, request.live, password, context, 'payment.pay');
      const { payment } = await payBill(deps, collector, actor(request), draft, idempotencyKey, sentValue(request.body, field.otp));
      return `/pay-easy/payments/${payment.id.toString()}?done=paid`;
    },
  });

  registerPage(app, deps, {
    path: '/pay-easy/confirm/otp',
    access: 'active',
    render: (request, state) => renderConfirm(request, {}, state),
    async submit(request) {
      const draftText = sentValue(request.body, field.draft);
      const draft = openDraft(deps, request.live.session.id, draftText);
      const idempotencyKey = idempotencyKeyField(request.body);
      const person = actor(request);
      const quote = await quotePayment(deps, person, draft);
      await sendPaymentCode(deps, person, idempotencyKey, draft, quote.account);
      return `/pay-easy/confirm?${field.draft}=${draftText as string}&key=${idempotencyKey}#email-otp`;
    },
  });

  registerPage(app, deps, {
    path: '/pay-easy/payments',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const history = await paymentHistory(deps, actor(request));
      return layout(page, 'payEasy.history.title', historyPage(page.t, { ...history, days: paymentHistoryDays }), chrome);
    },
  });

  registerPage(app, deps, {
    path: '/pay-easy/payments/:id',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const payment = await getPayment(deps, actor(request), paymentIdParam(request.params));
      return layout(page, 'payEasy.receipt.title', receiptPage(page.t, payment, sentText(request.query, 'done') === 'paid'), chrome);
    },
  });
}
