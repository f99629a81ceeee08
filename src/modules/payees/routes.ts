import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { contractSettingsRoutes } from '../contract-settings/routes.ts';
import { findBank, findBranch, searchBanks, searchBranches } from '../../domain/bank-directory.ts';
import { ownBank } from './own-bank.ts';
import { confirmationPasswordField, payeeEntryFields, reasonField, type PayeeDetails, type PayeeEntry } from './form-input.ts';
import { openDraft, sealDraft } from './draft.ts';
import {
  admitPayeeForm,
  approvePayee,
  changePayee,
  deletePayee,
  detailsOf,
  payeeList,
  payeePage,
  payeeRights,
  registerPayee,
  rejectPayee,
  reviewEntry,
  withdrawPayee,
  type ListFilter,
  type PayeePage,
} from './service.ts';
import { destinationFacts, errorBox, payeesTable, stateFacts, type Destination } from './views.ts';
import { entryPage, reviewPage, type EntryValues, type Search } from './form-views.ts';
import { actionForm, type PayeeAction } from './action-views.ts';

/** A search typed into the bank or branch search is cut at this length. */
const searchQueryLengthMax = 40;

function queryText(request: PageRequest<'active'>, name: string, lengthMax = 100): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length <= lengthMax ? value : undefined;
}

function bodyText(request: PageRequest<'active'>, name: string): string | undefined {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** A payee of the path: a positive id, or nothing (NOT_FOUND); whose it is, the service checks. */
function payeeIdParam(request: PageRequest<'active'>): number {
  const id = (request.params as Record<string, unknown>).payeeId;
  if (typeof id !== 'string' || !/^[1-9][0-9]{0,8}$/.test(id)) throw new AppError('NOT_FOUND');
  return Number(id);
}

const doneKeys: Record<string, MessageKey> = {
  registered: 'payees.done.registered',
  registeredPending: 'payees.done.registeredPending',
  changed: 'payees.done.changed',
  changedPending: 'payees.done.changedPending',
  unchanged: 'payees.done.unchanged',
  deleted: 'payees.done.deleted',
  approved: 'payees.done.approved',
  approvalRecorded: 'payees.done.approvalRecorded',
  rejected: 'payees.done.rejected',
  withdrawn: 'payees.done.withdrawn',
};

const actionTexts: Record<PayeeAction, { title: MessageKey; intro: MessageKey; submit: MessageKey }> = {
  approve: { title: 'payees.approve.title', intro: 'payees.approve.intro', submit: 'payees.approve.submit' },
  reject: { title: 'payees.reject.title', intro: 'payees.reject.intro', submit: 'payees.reject.submit' },
  withdraw: { title: 'payees.withdraw.title', intro: 'payees.withdraw.intro', submit: 'payees.withdraw.submit' },
  delete: { title: 'payees.delete.title', intro: 'payees.delete.intro', submit: 'payees.delete.submit' },
};

/**
 * R8.2 payees and R8.5 their approval: the list, registering and changing (form → review with the
 * confirmation password), a payee's page, and approve, reject, withdraw and delete. Every page first
 * asks the service whether the person holds the transfer business (FORBIDDEN otherwise).
 */
export function payeesRoutes(app: FastifyInstance, deps: Deps): void {
  contractSettingsRoutes(app, deps);

  registerPage(app, deps, {
    path: '/payees',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const { t } = page;
      const filter: ListFilter = queryText(request, 'show') === 'ended' ? 'ended' : 'current';
      const { rights, payees } = await payeeList(deps, request.live, filter);
      const done = queryText(request, 'done');
      const bankName = (code: string) => findBank(ownBank(deps), code)?.name ?? '';
      const body = html`${noticeBox(done && Object.hasOwn(doneKeys, done) ? t(doneKeys[done]!) : undefined)}
<p>${t('payees.intro')}</p>
${rights.register ? html`<p class="actions"><a href="/payees/new">${t('payees.new')}</a></p>` : ''}
<p class="payee-filter">${filter === 'current'
  ? html`<strong>${t('payees.list.current')}</strong> | <a href="/payees?show=ended">${t('payees.list.ended')}</a>`
  : html`<a href="/payees">${t('payees.list.current')}</a> | <strong>${t('payees.list.ended')}</strong>`}</p>
${payeesTable(t, payees, bankName)}`;
      return layout(page, 'payees.title', body, sessionChrome(deps, request.live));
    },
  });

  /** The form page of a registration (payeeId undefined) or a change. */
  const entryRoute = (options: { path: string; title: MessageKey; submitLabel: MessageKey; target: (request: PageRequest<'active'>) => number | undefined }) => {
    const review = (payeeId: number | undefined) => (payeeId === undefined ? '/payees/new/confirm' : `/payees/${payeeId}/change/confirm`);
    registerPage(app, deps, {
      path: options.path,
      access: 'active',
      async render(request, state: FormState) {
        const page = pageContext(deps, request);
        const { t } = page;
        const chrome = sessionChrome(deps, request.live);
        const payeeId = options.target(request);
        const current = payeeId === undefined ? undefined : await changeable(request, payeeId, state);
        if (payeeId === undefined) {
          const rights = await payeeRights(deps, request.live);
          if (!rights.register && !state.error) throw new AppError('PAYEES_REGISTER_FORBIDDEN');
        }
        const path = payeeId === undefined ? '/payees/new' : `/payees/${payeeId}/change`;
        const { values, search } = await entryState(request, state, path, payeeId, current && detailsOf(current.payee));
        const body = entryPage(t, state, {
          action: path,
          csrfToken: chrome.csrfToken,
          values,
          search,
          submitLabel: t(options.submitLabel),
          current: current ? html`<h2>${t('payees.change.current')}</h2>${destinationFacts(t, await destinationOf(current.payee))}` : undefined,
        });
        return layout(page, options.title, html`${body}<p><a href="${payeeId === undefined ? '/payees' : `/payees/${payeeId}`}">${t('payees.back')}</a></p>`, chrome);
      },
      async submit(request) {
        const payeeId = options.target(request);
        const context = requestContext(request);
        await admitPayeeForm(deps, request.live, payeeId === undefined ? 'payee.register' : 'payee.change', context, payeeId);
        const entry = await payeeEntryFields(deps, deps.db, request.body);
        const outcome = await reviewEntry(deps, request.live, entry, payeeId, context);
        if (outcome === 'unchanged') return `/payees/${payeeId}?done=unchanged`;
        return `${review(payeeId)}?draft=${encodeURIComponent(sealDraft(deps, request.live, payeeId, entry))}`;
      },
      echo: ['bankCode', 'branchCode', 'accountType', 'accountNumber', 'name', 'nickname'],
    });

    registerPage(app, deps, {
      path: options.path + '/confirm',
      access: 'active',
      async render(request, state: FormState) {
        const page = pageContext(deps, request);
        const { t } = page;
        const chrome = sessionChrome(deps, request.live);
        const payeeId = options.target(request);
        if (payeeId !== undefined) await changeable(request, payeeId, state);
        const sealed = bodyText(request, 'draft') ?? queryText(request, 'draft', 4096);
        const formPath = payeeId === undefined ? '/payees/new' : `/payees/${payeeId}/change`;
        let entry: PayeeEntry;
        try {
          entry = openDraft(deps, request.live, payeeId, sealed);
        } catch (error) {
          // A submission whose draft does not open shows why, with the way back to the form.
          if (!state.error) throw error;
          return layout(page, 'payees.review.title', html`${errorBox(t, state)}<p><a href="${formPath}">${t('payees.review.restart')}</a></p>`, chrome);
        }
        const contract = await deps.db.selectFrom('contract').select('approval_mode').where('id', '=', request.live.user.contract_id).executeTakeFirstOrThrow();
        const body = reviewPage(t, state, {
          action: review(payeeId),
          csrfToken: chrome.csrfToken,
          draft: sealed!,
          destination: await destinationOf(entry),
          nameTyped: entry.nameTyped,
          needsApproval: contract.approval_mode !== 'none',
          backHref: `${formPath}?draft=${encodeURIComponent(sealed!)}`,
          submitLabel: t(payeeId === undefined ? 'payees.review.register' : 'payees.review.change'),
        });
        return layout(page, 'payees.review.title', body, chrome);
      },
      async submit(request) {
        const payeeId = options.target(request);
        const context = requestContext(request);
        await admitPayeeForm(deps, request.live, payeeId === undefined ? 'payee.register' : 'payee.change', context, payeeId);
        const entry = openDraft(deps, request.live, payeeId, bodyText(request, 'draft'));
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
  };

  /** The payee a change page is about; opened afresh, a change that is not allowed is refused. */
  const changeable = async (request: PageRequest<'active'>, payeeId: number, state: FormState): Promise<PayeePage> => {
    const found = await payeePage(deps, request.live, payeeId);
    const refusal = found.refused.change;
    if (refusal && !state.error) throw new AppError(refusal);
    return found;
  };

  const destinationOf = async (details: PayeeDetails | Parameters<typeof detailsOf>[0]): Promise<Destination> => {
    const d = 'bank_code' in details ? detailsOf(details) : details;
    const own = ownBank(deps);
    return { details: d, bank: findBank(own, d.bankCode), branch: await findBranch(own, d.bankCode, d.branchCode) };
  };

  /** What the form shows: the values sent (after an error), else a draft, else the payee, with the searches asked for. */
  const entryState = async (
    request: PageRequest<'active'>,
    state: FormState,
    path: string,
    payeeId: number | undefined,
    stored: PayeeDetails | undefined,
  ): Promise<{ values: EntryValues; search: Search }> => {
    let draft: PayeeEntry | undefined;
    let sealed = queryText(request, 'draft', 4096);
    if (sealed) {
      try {
        draft = openDraft(deps, request.live, payeeId, sealed);
      } catch {
        sealed = undefined;
      }
    }
    const base: EntryValues = draft
      ? { bankCode: draft.bankCode, branchCode: draft.branchCode, accountType: draft.accountType, accountNumber: draft.accountNumber, name: draft.nameTyped, nickname: draft.nickname ?? '' }
      : stored
        ? { bankCode: stored.bankCode, branchCode: stored.branchCode, accountType: stored.accountType, accountNumber: stored.accountNumber, name: stored.nameKana, nickname: stored.nickname ?? '' }
        : { bankCode: '', branchCode: '', accountType: 'ordinary', accountNumber: '', name: '', nickname: '' };
    let values = base;
    if (state.error) {
      const sent = state.values ?? {};
      values = {
        bankCode: sent.bankCode ?? '',
        branchCode: sent.branchCode ?? '',
        accountType: sent.accountType ?? '',
        accountNumber: sent.accountNumber ?? '',
        name: sent.name ?? '',
        nickname: sent.nickname ?? '',
      };
    } else {
      const pickedBank = queryText(request, 'bankCode', 4);
      const pickedBranch = queryText(request, 'branchCode', 3);
      // A bank picked from the search replaces the branch too, unless the branch was picked with it.
      if (pickedBank !== undefined && pickedBank !== values.bankCode) values = { ...values, bankCode: pickedBank, branchCode: '' };
      if (pickedBranch !== undefined) values = { ...values, branchCode: pickedBranch };
    }
    const own = ownBank(deps);
    const bank = /^[0-9]{4}$/.test(values.bankCode) ? findBank(own, values.bankCode) : undefined;
    const branch = bank && /^[0-9]{3}$/.test(values.branchCode) ? await findBranch(own, bank.code, values.branchCode) : undefined;
    const bankQuery = (queryText(request, 'bankQuery') ?? '').slice(0, searchQueryLengthMax);
    const branchQuery = (queryText(request, 'branchQuery') ?? '').slice(0, searchQueryLengthMax);
    return {
      values,
      search: {
        path,
        bankQuery,
        branchQuery,
        banks: bankQuery.trim() ? searchBanks(own, bankQuery) : undefined,
        branches: bank && branchQuery.trim() ? await searchBranches(own, bank.code, branchQuery) : undefined,
        bank,
        branch,
        draft: sealed,
      },
    };
  };

  entryRoute({ path: '/payees/new', title: 'payees.create.title', submitLabel: 'payees.form.next', target: () => undefined });
  entryRoute({ path: '/payees/:payeeId/change', title: 'payees.change.title', submitLabel: 'payees.form.next', target: payeeIdParam });

  registerPage(app, deps, {
    path: '/payees/:payeeId',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const { t } = page;
      const found = await payeePage(deps, request.live, payeeIdParam(request));
      const { payee, refused } = found;
      const done = queryText(request, 'done');
      const path = `/payees/${payee.id}`;
      const links = (['approve', 'reject', 'withdraw'] as const).filter((act) => !refused[act]).map((act) => ({ href: `${path}/${act}`, label: t(`payees.${act}.link` as MessageKey) }));
      if (!refused.change) links.push({ href: `${path}/change`, label: t('payees.change.link') });
      if (!refused.delete) links.push({ href: `${path}/delete`, label: t('payees.delete.link') });
      const body = html`${noticeBox(done && Object.hasOwn(doneKeys, done) ? t(doneKeys[done]!) : undefined)}
${destinationFacts(t, await destinationOf(payee), stateFacts(t, payee, found.registrant.user_id, found.approvals))}
${found.replaces ? html`<p>${t('payees.detail.replaces')} <a href="/payees/${found.replaces.id}">${found.replaces.name_kana}</a></p>` : ''}
${found.pendingChange ? html`<p class="notice">${t('payees.detail.changePending')} <a href="/payees/${found.pendingChange.id}">${t('payees.detail.seeChange')}</a></p>` : ''}
${links.length > 0 ? html`<h2>${t('payees.detail.actions')}</h2><ul class="payee-actions">${links.map((l) => html`<li><a href="${l.href}">${l.label}</a></li>`)}</ul>` : ''}
<p><a href="/payees">${t('payees.back')}</a></p>`;
      return layout(page, 'payees.detail.title', body, sessionChrome(deps, request.live));
    },
  });

  for (const act of ['approve', 'reject', 'withdraw', 'delete'] as const) {
    const texts = actionTexts[act];
    registerPage(app, deps, {
      path: `/payees/:payeeId/${act}`,
      access: 'active',
      async render(request, state: FormState) {
        const page = pageContext(deps, request);
        const { t } = page;
        const chrome = sessionChrome(deps, request.live);
        const found = await payeePage(deps, request.live, payeeIdParam(request));
        const refusal = found.refused[act];
        if (!state.error && refusal) throw new AppError(refusal);
        const path = `/payees/${found.payee.id}`;
        const body = html`<p>${t(texts.intro)}</p>
${destinationFacts(t, await destinationOf(found.payee), stateFacts(t, found.payee, found.registrant.user_id, found.approvals))}
${actionForm(t, state, { action: act, path: `${path}/${act}`, csrfToken: chrome.csrfToken, submitLabel: t(texts.submit) })}
<p><a href="${path}">${t('payees.detail.back')}</a></p>`;
        return layout(page, texts.title, body, chrome);
      },
      echo: act === 'reject' ? ['reason'] : [],
      async submit(request) {
        const payeeId = payeeIdParam(request);
        const context = requestContext(request);
        await admitPayeeForm(deps, request.live, `payee.${act}`, context, payeeId);
        const path = `/payees/${payeeId}`;
        switch (act) {
          case 'approve': {
            const status = await approvePayee(deps, request.live, payeeId, confirmationPasswordField(request.body), context);
            return `${path}?done=${status === 'active' ? 'approved' : 'approvalRecorded'}`;
          }
          case 'reject':
            await rejectPayee(deps, request.live, payeeId, reasonField(request.body), context);
            return `${path}?done=rejected`;
          case 'withdraw':
            await withdrawPayee(deps, request.live, payeeId, context);
            return `${path}?done=withdrawn`;
          case 'delete':
            await deletePayee(deps, request.live, payeeId, confirmationPasswordField(request.body), context);
            return `${path}?done=deleted`;
        }
      },
    });
  }
}
