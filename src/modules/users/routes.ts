import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { errorSummary, noticeBox, type FormState } from '../../web/form.ts';
import { sentText } from '../../web/form-input.ts';
import { registerPage, type PageRequest, type PageRoute } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { isValidUserId } from '../../domain/identifiers.ts';
import { refusalToAct } from '../../domain/permissions.ts';
import { registrationPasswordValidDays } from '../../auth/password-rules.ts';
import { administrator } from './administrator.ts';
import { tokenAsk } from '../../access/hardware-token/requirement.ts';
import { newPersonPage, personPage, usersOverview } from './pages-data.ts';
import { createUser } from './create-user.ts';
import { changeUser } from './change-user.ts';
import { setUserStatus, statusActions, statusAllows, type StatusAction } from './user-status.ts';
import {
  accountsField,
  confirmationPasswordField,
  tokenCodeField,
  displayNameField,
  emailField,
  grantsField,
  initialPasswordFields,
  refusalField,
  userIdField,
} from './form-input.ts';
import { emptyModel, modelFromBody, modelFromRecord } from './form-model.ts';
import { accountsList, personFacts, personForm, statusForm, usersTable } from './views.ts';

/** A page of the users area, given the process's dependencies. */
type UsersPage = (deps: Deps) => PageRoute<'active'>;

/** The person a page is about: a user ID of the actor's contract, or nobody (NOT_FOUND). */
function userIdParam(request: PageRequest<'active'>): string {
  const userId = sentText(request.params, 'userId');
  if (userId === undefined || !isValidUserId(userId)) throw new AppError('NOT_FOUND');
  return userId;
}

const doneKeys = new Map<string, MessageKey>([
  ['created', 'users.done.created'],
  ['changed', 'users.done.changed'],
  ['unchanged', 'users.done.unchanged'],
  ['suspended', 'users.done.suspended'],
  ['resumed', 'users.done.resumed'],
  ['deleted', 'users.done.deleted'],
]);

/** The notice of a change just made; an unknown `done` shows none. */
function doneKey(request: PageRequest<'active'>): MessageKey | undefined {
  const done = sentText(request.query, 'done');
  return done === undefined ? undefined : doneKeys.get(done);
}

/** The list: everyone of the contract with their role, status, permissions, stop and card (R1.4, R3.3). */
const usersListPage: UsersPage = (deps) => ({
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

/** R1.2, R1.4: a new user, with permissions within the actor's own and an initial password. */
const newUserPage: UsersPage = (deps) => ({
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
      token: await tokenAsk(deps, request.live.user, request.live.contract),
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
        tokenCode: tokenCodeField(body),
      },
      context,
    );
    return `/users/${userId}?done=created`;
  },
});

/** One person: their facts, the change form when the actor may change them, and the status actions. */
const userPage: UsersPage = (deps) => ({
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
          token: await tokenAsk(deps, request.live.user, request.live.contract),
        });
    // R1.4, R2.5: lifting a stop and resetting a password are reached from the person's own page,
    // the path the stop email names (利用者管理 → the user → 利用中止解除・暗証番号の再設定).
    const security = subject.user.id !== request.live.user.id && subject.user.status !== 'deleted';
    const links = statusActions.filter((act) => !refusalToAct(actor.person, subject.person, act) && statusAllows(act, subject.user.status));
    const body = html`${noticeBox(done ? t(done, { userId: subject.user.user_id }) : undefined)}
${personFacts(t, subject, card)}
${editing}
${links.length > 0 || security ? html`<h2>${t('users.section.actions')}</h2><ul class="user-actions">${security ? html`<li data-action="security"><a href="${path}/security">${t('userSecurity.title')}</a></li>` : ''}${links.map((act) => html`<li><a href="${path}/${act}">${t(`users.${act}.link`)}</a></li>`)}</ul>` : ''}
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
        tokenCode: tokenCodeField(body),
      },
      context,
    );
    return `/users/${userId}?done=${outcome}`;
  },
});

const statusDone = { suspend: 'suspended', resume: 'resumed', delete: 'deleted' } as const satisfies Record<StatusAction, string>;

/** R1.4: suspend, resume or delete a person, confirmed with the actor's confirmation password. */
const statusPage =
  (act: StatusAction): UsersPage =>
  (deps) => ({
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
  intro: t(`users.${act}.intro`, { userId: subject.user.user_id, name: subject.user.display_name }),
  submitLabel: t(`users.${act}.submit`),
  token: await tokenAsk(deps, request.live.user, request.live.contract),
})}
<p><a href="/users">${t('users.back')}</a></p>`;
      return layout(page, `users.${act}.title`, body, chrome);
    },
    async submit(request) {
      const context = requestContext(request);
      await administrator(deps, request.live, { action: `user.${act}`, context });
      const userId = userIdParam(request);
      await setUserStatus(deps, request.live, userId, act, confirmationPasswordField(request.body), context, tokenCodeField(request.body));
      return `/users/${userId}?done=${statusDone[act]}`;
    },
  });

/**
 * R1.4 the master and admin users manage the contract's people; R1.5 every change is confirmed
 * with the actor's confirmation password. Every page first asks whether the session's person may
 * administer (FORBIDDEN otherwise, before any input is read or any person looked up).
 */
export function usersRoutes(app: FastifyInstance, deps: Deps): void {
  for (const page of [usersListPage, newUserPage, userPage, ...statusActions.map(statusPage)]) registerPage(app, deps, page(deps));
}
