import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import type { FormState } from '../../web/form.ts';
import { confirmationPasswordField, sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { setInitialPasswords } from '../settings/password-service.ts';
import { confirmEmailCode, pendingEmail, requestEmailCode } from '../settings/email-service.ts';
import { emailAddressForm, emailCodeForm, initialPasswordsForm, prefilled } from '../settings/views.ts';
import { codeField, emailField, newPasswordField, passwordChangeFields } from '../settings/form-fields.ts';
import { pendingSetupStep, type SetupStep } from '../../access/setup-steps.ts';
import { completeForcedChange, finishSetupIfDone, forcedKind } from './forced-change.ts';
import { forcedChangeForm, setupDoneForm } from './views.ts';

/**
 * Until this is done, a session stands at the `setup` stage and reaches nothing else
 * (access/page-stage.ts): R1.3 the first logon sets both passwords; R2.5 after a reset, the new
 * password of each kind that was reset; R1.3, R7.3 then, for anyone without one, an address they
 * confirmed by a code sent to it (access/setup-steps.ts).
 */
function stepOf(request: PageRequest<'setup'>): SetupStep {
  return pendingSetupStep(request.live.user);
}

/** Each form answers only at its own step: no address is taken before the passwords are set. */
function requireStep(request: PageRequest<'setup'>, step: SetupStep): void {
  if (stepOf(request) !== step) throw new AppError('INPUT_INVALID');
}

export function setupRoutes(app: FastifyInstance, deps: Deps): void {
  const render = async (request: PageRequest<'setup'>, state: FormState) => {
    const page = pageContext(deps, request);
    const { t } = page;
    const chrome = sessionChrome(deps, request.live);
    const step = stepOf(request);
    const forced = forcedKind(step);
    if (forced) return layout(page, 'userSecurity.forced.title', forcedChangeForm(t, chrome.csrfToken, forced, state), chrome);
    let body;
    if (step === 'passwords') {
      body = html`<p>${t('setup.passwords.intro')}</p>${initialPasswordsForm(t, chrome.csrfToken, state)}`;
    } else if (step === 'email') {
      const { user } = request.live;
      // A refused address is shown on the address form again, not on the code form of an earlier address.
      const again = sentText(request.query, 'again') === '1' || (state.error !== undefined && request.routeOptions.url === '/setup/email');
      const pending = again ? undefined : await pendingEmail(deps, user.id);
      // The address the bank or an administrator registered is offered; it counts once confirmed.
      const registered = user.unconfirmed_email ?? user.email;
      body = pending
        ? html`${emailCodeForm(t, chrome.csrfToken, '/setup/email/verify', pending, state)}
<p class="hint"><a href="/setup?again=1">${t('email.again')}</a></p>`
        : html`<p>${t('setup.email.intro')}</p>${registered ? html`<p class="hint">${t('setup.email.registered')}</p>` : ''}${emailAddressForm(t, chrome.csrfToken, '/setup/email', prefilled(state, registered))}`;
    } else {
      body = setupDoneForm(t, chrome.csrfToken, state);
    }
    return layout(page, 'setup.title', body, chrome);
  };

  registerPage(app, deps, { path: '/setup', access: 'setup', render });

  registerPage(app, deps, {
    path: '/setup/passwords',
    access: 'setup',
    render,
    async submit(request) {
      const { session, user } = request.live;
      // The same form sent twice: its twin set the passwords a moment ago, before it moved the
      // session on. This one goes where the twin leads instead of answering an error.
      const step = stepOf(request);
      if (step === 'done' || step === 'email') return finishSetupIfDone(deps.db, session.id, user.id);
      requireStep(request, 'passwords');
      await setInitialPasswords(
        deps,
        request.live,
        {
          login: newPasswordField(request.body, 'login'),
          loginRepeat: newPasswordField(request.body, 'loginRepeat'),
          confirmation: newPasswordField(request.body, 'confirmation'),
          confirmationRepeat: newPasswordField(request.body, 'confirmationRepeat'),
        },
        requestContext(request),
      );
      return finishSetupIfDone(deps.db, session.id, user.id);
    },
  });

  registerPage(app, deps, {
    path: '/setup/change',
    access: 'setup',
    render,
    async submit(request) {
      return completeForcedChange(deps, request.live, passwordChangeFields(request.body), requestContext(request));
    },
  });

  registerPage(app, deps, {
    path: '/setup/finish',
    access: 'setup',
    render,
    async submit(request) {
      requireStep(request, 'done');
      const { session, user } = request.live;
      return finishSetupIfDone(deps.db, session.id, user.id);
    },
  });

  registerPage(app, deps, {
    path: '/setup/email',
    access: 'setup',
    echo: ['email'],
    render,
    async submit(request) {
      requireStep(request, 'email');
      await requestEmailCode(deps, request.live, emailField(request.body), confirmationPasswordField(request.body), requestContext(request));
      return '/setup';
    },
  });

  registerPage(app, deps, {
    path: '/setup/email/verify',
    access: 'setup',
    render,
    async submit(request) {
      requireStep(request, 'email');
      await confirmEmailCode(deps, request.live, codeField(request.body), requestContext(request));
      return finishSetupIfDone(deps.db, request.live.session.id, request.live.user.id);
    },
  });
}
