import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { confirmationPasswordField, sentText } from '../../web/form-input.ts';
import { changePassword } from './password-service.ts';
import { confirmEmailCode, pendingEmail, requestEmailCode } from './email-service.ts';
import { changePasswordForm, emailAddressForm, emailCodeForm, prefilled } from './views.ts';
import { codeField, emailField, passwordChangeFields } from './form-fields.ts';

function query(request: PageRequest<'active'>, name: string): string | undefined {
  return sentText(request.query, name);
}

/** R2.7 password change and the email address change confirmed by a code. */
export function settingsRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: '/settings/password',
    access: 'active',
    render(request, state: FormState) {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const asked = state.values?.kind ?? query(request, 'kind');
      const done = query(request, 'done') === '1' ? page.t('password.changed') : undefined;
      return layout(page, 'password.changeTitle', html`${noticeBox(done)}${changePasswordForm(page.t, chrome.csrfToken, asked === 'confirmation' ? 'confirmation' : 'login', state)}`, chrome);
    },
    echo: ['kind'],
    async submit(request) {
      const change = passwordChangeFields(request.body);
      await changePassword(deps, request.live, change, requestContext(request));
      return `/settings/password?done=1&kind=${change.kind}`;
    },
  });

  const renderEmail = async (request: PageRequest<'active'>, state: FormState) => {
    const page = pageContext(deps, request);
    const { t } = page;
    const chrome = sessionChrome(deps, request.live);
    const { user } = request.live;
    // A refused address is shown on the address form again, not on the code form of an earlier address.
    const again = query(request, 'again') === '1' || (state.error !== undefined && request.routeOptions.url === '/settings/email');
    const pending = again ? undefined : await pendingEmail(deps, user.id);
    const done = query(request, 'done') === '1' ? t('email.changed') : undefined;
    const current = html`<p>${t('email.current')}: <strong>${user.email ?? t('email.none')}</strong></p>`;
    // An address an administrator set waits for the code sent to it (its own, longer expiry).
    const setByAdministrator = pending !== undefined && pending === user.unconfirmed_email;
    const sent = setByAdministrator ? t('email.unconfirmed', { email: pending }) : t('email.codeSent');
    const form = pending
      ? html`${noticeBox(sent)}${emailCodeForm(t, chrome.csrfToken, '/settings/email/verify', pending, state)}
<p class="hint"><a href="/settings/email?again=1">${t('email.again')}</a></p>`
      : emailAddressForm(t, chrome.csrfToken, '/settings/email', prefilled(state, user.unconfirmed_email));
    return layout(page, 'email.title', html`${noticeBox(done)}${current}${form}`, chrome);
  };

  registerPage(app, deps, {
    path: '/settings/email',
    access: 'active',
    echo: ['email'],
    render: renderEmail,
    async submit(request) {
      await requestEmailCode(deps, request.live, emailField(request.body), confirmationPasswordField(request.body), requestContext(request));
      return '/settings/email';
    },
  });

  registerPage(app, deps, {
    path: '/settings/email/verify',
    access: 'active',
    render: renderEmail,
    async submit(request) {
      await confirmEmailCode(deps, request.live, codeField(request.body), requestContext(request));
      return '/settings/email?done=1';
    },
  });
}
