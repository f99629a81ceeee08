import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import type { PageRequest } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { actionPage, type PayeeAction } from './action-views.ts';
import { confirmationPasswordField, reasonField } from './form-input.ts';
import { destinationOf } from './pages-data.ts';
import { payeeIdParam, type PayeeRoute } from './pages-request.ts';
import { admitPayeeForm, approvePayee, deletePayee, payeePage, rejectPayee, withdrawPayee } from './service.ts';

/** R8.5: approving, sending back and withdrawing a payee; R8.2: deleting one. */

/** What an action's form does once the person is admitted: the use case, and the `done` of the page it leads to. */
type ActionSubmit = (deps: Deps, request: PageRequest<'active'>, payeeId: number, context: RequestContext) => Promise<string>;

const payeeActionPage = (action: PayeeAction, submit: ActionSubmit): PayeeRoute => (deps) => ({
  path: `/payees/:payeeId/${action}`,
  access: 'active',
  async render(request, state: FormState) {
    const page = pageContext(deps, request);
    const chrome = sessionChrome(deps, request.live);
    const found = await payeePage(deps, request.live, payeeIdParam(request));
    const refusal = found.refused[action];
    if (!state.error && refusal) throw new AppError(refusal);
    const body = actionPage(page.t, state, { action, found, destination: await destinationOf(deps, found.payee), csrfToken: chrome.csrfToken });
    return layout(page, `payees.${action}.title`, body, chrome);
  },
  echo: action === 'reject' ? ['reason'] : [],
  async submit(request) {
    const payeeId = payeeIdParam(request);
    const context = requestContext(request);
    await admitPayeeForm(deps, request.live, `payee.${action}`, context, payeeId);
    return `/payees/${payeeId}?done=${await submit(deps, request, payeeId, context)}`;
  },
});

export const approvePayeePage = payeeActionPage('approve', async (deps, request, payeeId, context) => {
  const status = await approvePayee(deps, request.live, payeeId, confirmationPasswordField(request.body), context);
  return status === 'active' ? 'approved' : 'approvalRecorded';
});

export const rejectPayeePage = payeeActionPage('reject', async (deps, request, payeeId, context) => {
  await rejectPayee(deps, request.live, payeeId, reasonField(request.body), context);
  return 'rejected';
});

export const withdrawPayeePage = payeeActionPage('withdraw', async (deps, request, payeeId, context) => {
  await withdrawPayee(deps, request.live, payeeId, context);
  return 'withdrawn';
});

export const deletePayeePage = payeeActionPage('delete', async (deps, request, payeeId, context) => {
  await deletePayee(deps, request.live, payeeId, confirmationPasswordField(request.body), context);
  return 'deleted';
});
