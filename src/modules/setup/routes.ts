import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import type { FormState } from '../../web/form.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { setInitialPasswords } from '../settings/password-service.ts';
import { confirmEmailCode, pendingEmail, requestEmailCode } from '../settings/email-service.ts';
import { emailAddressForm, emailCodeForm, initialPasswordsForm } from '../settings/views.ts';
import { codeField, emailField, newPasswordField } from '../settings/form-fields.ts';

/**
 * R1.3: after the first logon the person sets both passwords and a confirmed email address before
 * anything else; only then does the session become a normal one.
 */
/** The steps go in order: no address is taken before both passwords are set. */
function passwordsFirst(request: PageRequest<'setup'>): void {
  if (!request.live.user.login_password_hash) throw new AppError('INPUT_INVALID');
}

export function setupRoutes(app: FastifyInstance, deps: Deps): void {
  const render = async (request: PageRequest<'setup'>, state: FormState) => {
    const page = pageContext(deps, request);
    const { t } = page;
    const chrome = sessionChrome(deps, request.live);
    const { user } = request.live;
    let body;
    if (!user.login_password_hash) {
      body = html`<p>${t('setup.passwords.intro')}</p>${initialPasswordsForm(t, chrome.csrfToken, state)}`;
    } else {
      const again = (request.query as Record<string, unknown>).again === '1';
      const pending = again ? undefined : await pendingEmail(deps, user.id);
      body = pending
        ? html`${emailCodeForm(t, chrome.csrfToken, '/setup/email/verify', pending, state)}
<p class="hint"><a href="/setup?again=1">${t('email.again')}</a></p>`
        : html`<p>${t('setup.email.intro')}</p>${emailAddressForm(t, chrome.csrfToken, '/setup/email', state)}`;
    }
    return layout(page, 'setup.title', body, chrome);
  };

  registerPage(app, deps, { path: '/setup', access: 'setup', render });

  registerPage(app, deps, {
    path: '/setup/passwords',
    access: 'setup',
    render,
    async submit(request) {
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
      return '/setup';
    },
  });

  registerPage(app, deps, {
    path: '/setup/email',
    access: 'setup',
    echo: ['email'],
    render,
    async submit(request) {
      passwordsFirst(request);
      await requestEmailCode(deps, request.live, emailField(request.body), requestContext(request));
      return '/setup';
    },
  });

  registerPage(app, deps, {
    path: '/setup/email/verify',
    access: 'setup',
    render,
    async submit(request) {
      passwordsFirst(request);
      await confirmEmailCode(deps, request.live, codeField(request.body), requestContext(request));
      await deps.db.updateTable('session').set({ stage: 'active' }).where('id', '=', request.live.session.id).execute();
      return '/status';
    },
  });
}
