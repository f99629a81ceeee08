import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { isAppError } from '../../errors.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { confirmationPasswordField, formChoice, sentText, tokenCodeField } from '../../web/form-input.ts';
import { liftTokenStop, revokePersonToken, revokeReasons } from './token-actions.ts';
import { registerPage, type PageRequest, type PageRoute } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { newPasswordField } from '../settings/form-fields.ts';
import type { PasswordKind } from '../settings/password-service.ts';
import { liftUserStop, resetUserPassword, subjectView } from './service.ts';
import { refusedPage, subjectPage, subjectPath, type SubjectForm } from './views.ts';

const passwordKinds = ['login', 'confirmation'] as const satisfies readonly PasswordKind[];

/** A page of a person's security, given the process's dependencies. */
type SecurityOfPersonPage = (deps: Deps) => PageRoute<'active'>;

function userIdParam(request: PageRequest<'active'>): string {
  return sentText(request.params, 'userId') ?? '';
}

/** The notice of an action just taken, with the kind of password a reset replaced; an unknown `done` shows none. */
const doneNotices = new Map<string, { key: MessageKey; kind: MessageKey }>([
  ['lifted', { key: 'userSecurity.lift.done', kind: 'password.kind.login' }],
  ['reset-login', { key: 'userSecurity.reset.done', kind: 'password.kind.login' }],
  ['reset-confirmation', { key: 'userSecurity.reset.done', kind: 'password.kind.confirmation' }],
  ['token-lifted', { key: 'userSecurity.token.lifted', kind: 'password.kind.login' }],
  ['token-revoked', { key: 'userSecurity.token.revoked', kind: 'password.kind.login' }],
]);

/** The form a POST came from, by the last part of its path. */
function postedForm(url: string): SubjectForm {
  const last = url.split('?')[0]!.split('/').pop();
  return last === 'lift' || last === 'reset' || last === 'token-lift' || last === 'token-revoke' ? last : undefined;
}

/** The person's page, shared by the page itself and the two forms it posts to. */
const render = (deps: Deps) => async (request: PageRequest<'active'>, state: FormState) => {
  const page = pageContext(deps, request);
  const { t } = page;
  const chrome = sessionChrome(deps, request.live);
  // After a refused submission the page is shown with the error; when the refusal is that the
  // actor may not see this person at all, the error is all there is to show.
  const view = await subjectView(deps, request.live, userIdParam(request)).catch((error: unknown) => {
    if (state.error && isAppError(error)) return undefined;
    throw error;
  });
  if (!view) return layout(page, 'userSecurity.title', refusedPage(t, state), chrome);
  const posted: SubjectForm = request.method === 'POST' ? postedForm(request.url) : undefined;
  const doneParam = sentText(request.query, 'done');
  const notice = doneParam === undefined ? undefined : doneNotices.get(doneParam);
  const done = notice ? t(notice.key, { kind: t(notice.kind) }) : undefined;
  return layout(page, 'userSecurity.title', subjectPage(t, chrome.csrfToken, view, state, posted, done), chrome);
};

/** What the actor may do for this person: lift the stop, reset a password. */
const personSecurityPage: SecurityOfPersonPage = (deps) => ({ path: '/users/:userId/security', access: 'active', render: render(deps) });

/** R2.3: the person's stop lifted, confirmed with the actor's confirmation password. */
const liftStopPage: SecurityOfPersonPage = (deps) => ({
  path: '/users/:userId/security/lift',
  access: 'active',
  render: render(deps),
  async submit(request) {
    const userId = userIdParam(request);
    await liftUserStop(deps, request.live, userId, confirmationPasswordField(request.body), requestContext(request), tokenCodeField(request.body));
    return `${subjectPath(userId)}?done=lifted`;
  },
});

/** R2.5: a forgotten password replaced by a temporary one, confirmed with the actor's confirmation password. */
const resetPasswordPage: SecurityOfPersonPage = (deps) => ({
  path: '/users/:userId/security/reset',
  access: 'active',
  echo: ['kind'],
  render: render(deps),
  async submit(request) {
    const userId = userIdParam(request);
    const input = {
      kind: formChoice(request.body, 'kind', passwordKinds),
      temporary: newPasswordField(request.body, 'temporary'),
      temporaryRepeat: newPasswordField(request.body, 'temporaryRepeat'),
      confirmationPassword: confirmationPasswordField(request.body),
      tokenCode: tokenCodeField(request.body),
    };
    await resetUserPassword(deps, request.live, userId, input, requestContext(request));
    return `${subjectPath(userId)}?done=reset-${input.kind}`;
  },
});

/** R6.6: the stop of the person's token use lifted, confirmed with the actor's confirmation password. */
const liftTokenPage: SecurityOfPersonPage = (deps) => ({
  path: '/users/:userId/security/token-lift',
  access: 'active',
  render: render(deps),
  async submit(request) {
    const userId = userIdParam(request);
    await liftTokenStop(deps, request.live, userId, { confirmationPassword: confirmationPasswordField(request.body), tokenCode: tokenCodeField(request.body) }, requestContext(request));
    return `${subjectPath(userId)}?done=token-lifted`;
  },
});

/** R6.7: the person's token revoked for everyone sharing it, confirmed with the confirmation and token passwords (R6.5). */
const revokeTokenPage: SecurityOfPersonPage = (deps) => ({
  path: '/users/:userId/security/token-revoke',
  access: 'active',
  render: render(deps),
  async submit(request) {
    const userId = userIdParam(request);
    const input = {
      reason: formChoice(request.body, 'reason', revokeReasons),
      confirmationPassword: confirmationPasswordField(request.body),
      tokenCode: tokenCodeField(request.body),
    };
    await revokePersonToken(deps, request.live, userId, input, requestContext(request));
    return `${subjectPath(userId)}?done=token-revoked`;
  },
});

/**
 * R2.3, R2.5: a person's page for the master and admin users — lift the stop, reset a password —
 * at /users/:userId/security, next to the users pages. Every query is scoped by the actor's
 * contract (./people.ts).
 */
export function userSecurityRoutes(app: FastifyInstance, deps: Deps): void {
  for (const page of [personSecurityPage, liftStopPage, resetPasswordPage, liftTokenPage, revokeTokenPage]) registerPage(app, deps, page(deps));
}
