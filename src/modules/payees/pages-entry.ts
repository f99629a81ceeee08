import { AppError } from '../../errors.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { PageRequest } from '../../web/page-route.ts';
import { sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { draftLengthMax, openDraft, sealDraft } from './draft.ts';
import { confirmationPasswordField, payeeEntryFields, type PayeeEntry } from './form-input.ts';
import { entryPage, reviewPage, reviewRestart } from './form-views.ts';
import { changeablePayee, destinationOf, entryNeedsApproval } from './pages-data.ts';
import { entryFormState } from './pages-entry-state.ts';
import { payeeIdParam, sentTextUpTo, type PayeeRoute } from './pages-request.ts';
import { admitPayeeForm, changePayee, detailsOf, payeeRights, registerPayee, reviewEntry } from './service.ts';

/**
 * R8.2: registering and changing a payee, each in two pages: the form (with the bank and branch
 * searches), then the review of the converted entry with the confirmation password (R1.5).
 */

/** A registration (no payee) or a change of the payee of the path. */
interface EntryKind {
  /** The form's path; its review is the same path with /confirm. */
  path: string;
  title: MessageKey;
  payeeId(request: PageRequest<'active'>): number | undefined;
}

const registering: EntryKind = { path: '/payees/new', title: 'payees.create.title', payeeId: () => undefined };
const changing: EntryKind = { path: '/payees/:payeeId/change', title: 'payees.change.title', payeeId: payeeIdParam };

const formPathOf = (payeeId: number | undefined) => (payeeId === undefined ? '/payees/new' : `/payees/${payeeId}/change`);
const reviewPathOf = (payeeId: number | undefined) => `${formPathOf(payeeId)}/confirm`;
const auditActionOf = (payeeId: number | undefined) => (payeeId === undefined ? 'payee.register' : 'payee.change');

const entryFormPage = (kind: EntryKind): PayeeRoute => (deps) => ({
  path: kind.path,
  access: 'active',
  async render(request, state: FormState) {
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const payeeId = kind.payeeId(request);
    const current = payeeId === undefined ? undefined : await changeablePayee(deps, request.live, payeeId, state);
    if (payeeId === undefined) {
      const rights = await payeeRights(deps, request.live);
      if (!rights.register && !state.error) throw new AppError('PAYEES_REGISTER_FORBIDDEN');
    }
    const path = formPathOf(payeeId);
    const { values, search } = await entryFormState(deps, request.live, request.query, state, { path, payeeId, stored: current && detailsOf(current.payee) });
    const body = entryPage(page.t, state, {
      action: path,
      csrfToken: chrome.csrfToken,
      values,
      search,
      submitLabel: page.t('payees.form.next'),
      current: current ? await destinationOf(deps, current.payee) : undefined,
      backHref: payeeId === undefined ? '/payees' : `/payees/${payeeId}`,
    });
    return layout(page, kind.title, body, chrome);
  },
  async submit(request) {
    const payeeId = kind.payeeId(request);
    const context = requestContext(request);
    await admitPayeeForm(deps, request.live, auditActionOf(payeeId), context, payeeId);
    const entry = await payeeEntryFields(deps, deps.db, request.body);
    const outcome = await reviewEntry(deps, request.live, entry, payeeId, context);
    if (outcome === 'unchanged') return `/payees/${payeeId}?done=unchanged`;
    return `${reviewPathOf(payeeId)}?draft=${encodeURIComponent(sealDraft(deps, request.live, payeeId, entry))}`;
  },
  echo: ['bankCode', 'branchCode', 'accountType', 'accountNumber', 'name', 'nickname'],
});

const entryReviewPage = (kind: EntryKind): PayeeRoute => (deps) => ({
  path: `${kind.path}/confirm`,
  access: 'active',
  async render(request, state: FormState) {
    const page = pageContext(deps, request);
    const { t } = page;
    const chrome = sessionChrome(deps, request.live);
    const payeeId = kind.payeeId(request);
    if (payeeId !== undefined) await changeablePayee(deps, request.live, payeeId, state);
    const sealed = sentText(request.body, 'draft') ?? sentTextUpTo(request.query, 'draft', draftLengthMax);
    const formPath = formPathOf(payeeId);
    let opened: { sealed: string; entry: PayeeEntry };
    try {
      // No draft at all is refused as a draft that does not open.
      if (sealed === undefined) throw new AppError('PAYEES_DRAFT_INVALID');
      opened = { sealed, entry: openDraft(deps, request.live, payeeId, sealed) };
    } catch (error) {
      // A submission whose draft does not open shows why, with the way back to the form.
      if (!state.error) throw error;
      return layout(page, 'payees.review.title', reviewRestart(t, state, formPath), chrome);
    }
    const body = reviewPage(t, state, {
      action: reviewPathOf(payeeId),
      csrfToken: chrome.csrfToken,
      draft: opened.sealed,
      destination: await destinationOf(deps, opened.entry),
      nameTyped: opened.entry.nameTyped,
      needsApproval: await entryNeedsApproval(deps, request.live),
      backHref: `${formPath}?draft=${encodeURIComponent(opened.sealed)}`,
      submitLabel: t(payeeId === undefined ? 'payees.review.register' : 'payees.review.change'),
    });
    return layout(page, 'payees.review.title', body, chrome);
  },
  async submit(request) {
    const payeeId = kind.payeeId(request);
    const context = requestContext(request);
    await admitPayeeForm(deps, request.live, auditActionOf(payeeId), context, payeeId);
    const entry = openDraft(deps, request.live, payeeId, sentText(request.body, 'draft'));
    const password = confirmationPasswordField(request.body);
    if (payeeId === undefined) {
      const outcome = await registerPayee(deps, request.live, entry, password, context);
      return `/payees/${outcome.payeeId}?done=${outcome.status === 'active' ? 'registered' : 'registeredPending'}`;
    }
    const outcome = await changePayee(deps, request.live, payeeId, entry, password, context);
    if (outcome.status === 'unchanged') return `/payees/${payeeId}?done=unchanged`;
    return `/payees/${outcome.payeeId}?done=${outcome.status === 'active' ? 'changed' : 'changedPending'}`;
  },
});

export const newPayeePage = entryFormPage(registering);
export const newPayeeReviewPage = entryReviewPage(registering);
export const changePayeePage = entryFormPage(changing);
export const changePayeeReviewPage = entryReviewPage(changing);
