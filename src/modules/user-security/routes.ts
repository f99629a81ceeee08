import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../errors.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { formSecret } from '../../web/form-input.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { newPasswordField } from '../settings/form-fields.ts';
import type { PasswordKind } from '../settings/password-service.ts';
import { liftUserStop, resetUserPassword, subjectView } from './service.ts';
import { refusedPage, subjectPage, subjectPath, type SubjectForm } from './views.ts';

/** The actor's confirmation password is taken as typed; a wrong one is counted by the use case. */
const confirmationPasswordLengthMax = 128;

function userIdParam(request: PageRequest<'active'>): string {
  const value = (request.params as Record<string, unknown>).userId;
  return typeof value === 'string' ? value : '';
}

function confirmationField(body: unknown): string {
  return formSecret(body, 'confirmationPassword', { maxLength: confirmationPasswordLengthMax, code: 'CONFIRMATION_PASSWORD_WRONG' });
}

function kindField(body: unknown): PasswordKind {
  const kind = (body as Record<string, unknown> | undefined)?.kind;
  if (kind !== 'login' && kind !== 'confirmation') throw new AppError('INPUT_INVALID', { field: 'kind' });
  return kind;
}

const doneKeys = {
  lifted: 'userSecurity.lift.done',
  'reset-login': 'userSecurity.reset.done',
  'reset-confirmation': 'userSecurity.reset.done',
} as const;

/**
 * R2.3, R2.5: a person's page for the master and admin users — lift the stop, reset a password —
 * at /users/:userId/security, next to the users pages. Every query is scoped by the actor's
 * contract (./people.ts).
 */
export function userSecurityRoutes(app: FastifyInstance, deps: Deps): void {
  const render = async (request: PageRequest<'active'>, state: FormState) => {
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
    const posted: SubjectForm = request.method === 'POST' ? (request.url.endsWith('/lift') ? 'lift' : 'reset') : undefined;
    const doneParam = (request.query as Record<string, unknown>).done;
    const doneKey = typeof doneParam === 'string' && Object.hasOwn(doneKeys, doneParam) ? doneKeys[doneParam as keyof typeof doneKeys] : undefined;
    const done = doneKey
      ? t(doneKey, { kind: t(doneParam === 'reset-confirmation' ? 'password.kind.confirmation' : 'password.kind.login') })
      : undefined;
    return layout(page, 'userSecurity.title', subjectPage(t, chrome.csrfToken, view, state, posted, done), chrome);
  };

  registerPage(app, deps, { path: '/users/:userId/security', access: 'active', render });

  registerPage(app, deps, {
    path: '/users/:userId/security/lift',
    access: 'active',
    render,
    async submit(request) {
      const userId = userIdParam(request);
      await liftUserStop(deps, request.live, userId, confirmationField(request.body), requestContext(request));
      return `${subjectPath(userId)}?done=lifted`;
    },
  });

  registerPage(app, deps, {
    path: '/users/:userId/security/reset',
    access: 'active',
    echo: ['kind'],
    render,
    async submit(request) {
      const userId = userIdParam(request);
      const input = {
        kind: kindField(request.body),
        temporary: newPasswordField(request.body, 'temporary'),
        temporaryRepeat: newPasswordField(request.body, 'temporaryRepeat'),
        confirmationPassword: confirmationField(request.body),
      };
      await resetUserPassword(deps, request.live, userId, input, requestContext(request));
      return `${subjectPath(userId)}?done=reset-${input.kind}`;
    },
  });
}
