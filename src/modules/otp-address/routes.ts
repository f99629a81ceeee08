import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { confirmationPasswordField, formText, oneTimePasswordField, sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { emailLengthMax } from '../../domain/identifiers.ts';
import { confirmedOtpAddress } from '../../access/email-otp/otp-address.ts';
import { confirmOtpAddress, pendingOtpAddress, requestOtpAddressCode } from './service.ts';
import { otpAddressPage } from './views.ts';

/**
 * R5.1: the OTP address pages. A person who can finalise payments and has no confirmed address is
 * held at `/otp-address` (every other page sends them there, web/page-route.ts) until it is
 * confirmed; everyone else changes theirs at `/settings/otp-address`. Same forms, two places.
 */
const places = [
  { path: '/otp-address', access: 'otp_address', afterConfirm: '/status' },
  { path: '/settings/otp-address', access: 'active', afterConfirm: '/settings/otp-address?done=1' },
] as const;

export function otpAddressRoutes(app: FastifyInstance, deps: Deps): void {
  for (const place of places) {
    const render = async (request: PageRequest<typeof place.access>, state: FormState) => {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      // A refused address is shown on the address form again (whatever shape it was sent in), not on the code form of an earlier address.
      const again = sentText(request.query, 'again') === '1' || (state.error !== undefined && request.routeOptions.url === place.path);
      const pending = again ? undefined : await pendingOtpAddress(deps, request.live.user.id);
      const current = confirmedOtpAddress(request.live.user) ?? null;
      const body = otpAddressPage(page.t, state, {
        csrfToken: chrome.csrfToken,
        path: place.path,
        current,
        pending,
        held: place.access === 'otp_address',
        done: sentText(request.query, 'done') === '1',
      });
      return layout(page, 'otpAddress.title', body, chrome);
    };

    registerPage(app, deps, {
      path: place.path,
      access: place.access,
      echo: ['address'],
      render,
      async submit(request) {
        const address = formText(request.body, 'address', { maxLength: emailLengthMax, code: 'EMAIL_OTP_ADDRESS_INVALID' });
        const password = confirmationPasswordField(request.body);
        await requestOtpAddressCode(deps, request.live, address, password, requestContext(request));
        return place.path;
      },
    });

    registerPage(app, deps, {
      path: `${place.path}/verify`,
      access: place.access,
      render,
      async submit(request) {
        await confirmOtpAddress(deps, request.live, oneTimePasswordField(request.body), requestContext(request));
        return place.afterConfirm;
      },
    });
  }
}
