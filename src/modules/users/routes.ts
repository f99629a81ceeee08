import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { errorSummary, noticeBox, type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { isValidUserId } from '../../domain/identifiers.ts';
import { refusalToAct } from '../../domain/permissions.ts';
import { registrationPasswordValidDays } from '../../auth/password-rules.ts';
import { administrator, changeUser, createUser, newPersonPage, personPage, setUserStatus, statusAllows, usersOverview, type StatusAction } from './service.ts';
import {
  accountsField,
  confirmationPasswordField,
  displayNameField,
  emailField,
  grantsField,
  initialPasswordFields,
  refusalField,
  userIdField,
} from './form-input.ts';
import { emptyModel, modelFromBody, modelFromRecord } from './form-model.ts';
import { accountsList, personFacts, personForm, statusForm, usersTable } from './views.ts';

/** The person a page is about: a user ID of the actor's contract, or nobody (NOT_FOUND). */
function userIdParam(request: PageRequest<'active'>): string {
  const userId = (request.params as Record<string, unknown>).userId;
  if (typeof userId !== 'string' || !isValidUserId(userId)) throw new AppError('NOT_FOUND');
  return userId;
}

const doneKeys: Record<string, MessageKey> = {
  created: 'users.done.created',
  changed: 'users.done.changed',
  unchanged: 'users.done.unchanged',
  suspended: 'users.done.suspended',
  resumed: 'users.done.resumed',
  deleted: 'users.done.deleted',
};

function doneKey(request: PageRequest<'active'>): MessageKey | undefined {
  const done = (request.query as Record<string, unknown>).done;
  return typeof done === 'string' && Object.hasOwn(doneKeys, done) ? doneKeys[done] : undefined;
}

const statusPages: Record<StatusAction, { title: MessageKey; intro: MessageKey; submit: MessageKey; done: string }> = {
  suspend: { title: 'users.suspend.title', intro: 'users.suspend.intro', submit: 'users.suspend.submit', done: 'suspended' },
  resume: { title: 'users.resume.title', intro: 'users.resume.intro', submit: 'users.resume.submit', done: 'resumed' },
  delete: { title: 'users.delete.title', intro: 'users.delete.intro', submit: 'users.delete.submit', done: 'deleted' },
};

/**
 * R1.4 the master and admin users manage the contract's people; R1.5 every change is confirmed
 * with the actor's confirmation password. Every page first asks whether the session's person may
 * administer (FORBIDDEN otherwise, before any input is read or any person looked up).
 */
export function usersRoutes(app: FastifyInstance, deps: Deps): void {

  registerPage(app, deps, {
    path: '/users',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const { t } = page;
      const { people, cards } = await usersOverview(deps, request.live);
      const body = html`<p>${t('users.intro')}</p>
<p class="actions"><a href="/users/new">${t('users.new')}</a></p>
${usersTable(t, people, cards)}`;
      return layout(page, 'users.title', body, sessionChrome(deps, request.live));
    },
  });

  registerPage(app, deps, {
    path: '/users/new',
    access: 'active',
    async render(request, state: FormState) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const { actor, accounts } = await newPersonPage(deps, request.live);
      const form = personForm(page.t, state, {
        mode: 'create',
        action: '/users/new',
        csrfToken: chrome.csrfToken,
        model: state.error ? modelFromBody(request.body) : emptyModel(),
        actor: actor.person,
        accounts,
        registrationDays: registrationPasswordValidDays,
      });
      return layout(page, 'users.create.title', html`${form}<p><a href="/users">${page.t('users.back')}</a></p>`, chrome);
    },
    async submit(request) {
      const context = requestContext(request);
      await administrator(deps, request.live, { action: 'user.create', context });
      const { body } = request;
      const userId = userIdField(body);
      const initial = initialPasswordFields(body);
      await createUser(
        deps,
        request.live,
        {
          userId,
          displayName: displayNameField(body),
          email: emailField(body),
          initialPassword: initial.password,
          initialPasswordRepeat: initial.repeat,
          grants: grantsField(body),
          accountIds: accountsField(body),
          confirmationPassword: confirmationPasswordField(body),
        },
        context,
      );
      return `/users/${userId}?done=created`;
    },
  });

  registerPage(app, deps, {
    path: '/users/:userId',
    access: 'active',
    async render(request, state: FormState) {
      const page = pageContext(deps, request);
      const { t } = page;
      const chrome = sessionChrome(deps, request.live);
      const { actor, subject, accounts, card } = await personPage(deps, request.live, userIdParam(request));
      const done = doneKey(request);
      const refused = refusalToAct(actor.person, subject.person, 'change');
      const path = `/users/${subject.user.user_id}`;
      const editing = refused
        ? html`${errorSummary(t, state)}<p class="notice">${t(
            refused.code === 'USERS_MASTER_PROTECTED' ? 'users.readOnly.master' : refused.code === 'USERS_DELETED' ? 'users.readOnly.deleted' : 'users.readOnly.protected',
          )}</p>
<h2>${t('users.section.accounts')}</h2>
${accountsList(t, subject, accounts)}`
        : personForm(t, state, {
            mode: 'change',
            action: path,
            csrfToken: chrome.csrfToken,
            model: state.error ? modelFromBody(request.body) : modelFromRecord(subject),
            actor: actor.person,
            accounts,
            registrationDays: registrationPasswordValidDays,
          });
      const links = (['suspend', 'resume', 'delete'] as const).filter((act) => !refusalToAct(actor.person, subject.person, act) && statusAllows(act, subject.user.status));
      const body = html`${noticeBox(done ? t(done, { userId: subject.user.user_id }) : undefined)}
${personFacts(t, subject, card)}
${editing}
${links.length > 0 ? html`<h2>${t('users.section.actions')}</h2><ul class="user-actions">${links.map((act) => html`<li><a href="${path}/${act}">${t(`users.${act}.link` as MessageKey)}</a></li>`)}</ul>` : ''}
<p><a href="/users">${t('users.back')}</a></p>`;
      return layout(page, 'users.detail.title', body, chrome);
    },
    async submit(request) {
      const context = requestContext(request);
      await administrator(deps, request.live, { action: 'user.change', context });
      const userId = userIdParam(request);
      const { body } = request;
      const outcome = await changeUser(
        deps,
        request.live,
        userId,
        {
          displayName: displayNameField(body),
          email: emailField(body),
          grants: grantsField(body),
          accountIds: accountsField(body),
          confirmationPassword: confirmationPasswordField(body),
        },
        context,
      );
      return `/users/${userId}?done=${outcome}`;
    },
  });

  for (const act of ['suspend', 'resume', 'delete'] as const) {
    const texts = statusPages[act];
    registerPage(app, deps, {
      path: `/users/:userId/${act}`,
      access: 'active',
      async render(request, state: FormState) {
        const page = pageContext(deps, request);
        const { t } = page;
        const chrome = sessionChrome(deps, request.live);
        const { actor, subject, card } = await personPage(deps, request.live, userIdParam(request));
        // A refused submission shows its own error with the form; a page opened afresh is refused
        // when the action is not allowed to this actor or in this state.
        const refused = refusalToAct(actor.person, subject.person, act);
        if (!state.error && refused) throw new AppError(refused.code, { field: refusalField(refused) });
        if (!state.error && !statusAllows(act, subject.user.status)) throw new AppError('USERS_STATUS_CONFLICT');
        const path = `/users/${subject.user.user_id}`;
        const body = html`${personFacts(t, subject, card)}
${statusForm(t, state, {
  action: `${path}/${act}`,
  csrfToken: chrome.csrfToken,
  intro: t(texts.intro, { userId: subject.user.user_id, name: subject.user.display_name }),
  submitLabel: t(texts.submit),
})}
<p><a href="/users">${t('users.back')}</a></p>`;
        return layout(page, texts.title, body, chrome);
      },
      async submit(request) {
        const context = requestContext(request);
        await administrator(deps, request.live, { action: `user.${act}`, context });
        const userId = userIdParam(request);
        await setUserStatus(deps, request.live, userId, act, confirmationPasswordField(request.body), context);
        return `/users/${userId}?done=${texts.done}`;
      },
    });
  }
}
