import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { layout } from '../../web/layout.ts';
import type { FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { formText, sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { activateToken, serialPattern, skipActivation } from '../../access/hardware-token/activate.ts';
import { graceEnd, withinGrace } from '../../access/hardware-token/standing.ts';
import { usableTokenOf } from '../../access/hardware-token/check.ts';
import { activationPage } from './views.ts';

/**
 * R6.3, R6.4: the token activation. A person whose operations need a token and who has none usable is
 * offered `/token-activation` after logon (every page leads there, web/page-route.ts) until they
 * activate one or skip it for the session; `/settings/token` is the same page from the menu, to
 * activate a new token after a revocation or an expiry (R6.7).
 */
const places = [
  // After an activation both lead to the settings page, which says which token is now in use.
  { path: '/token-activation', access: 'token', afterActivation: '/settings/token' },
  { path: '/settings/token', access: 'active', afterActivation: '/settings/token' },
] as const;

async function currentToken(deps: Deps, live: PageRequest<'active'>['live']) {
  try {
    const token = await usableTokenOf(deps, live.user);
    return { serial: token.serial, expires: token.expires_on, since: new Date(live.user.token_activated_at!) };
  } catch {
    return undefined;
  }
}

type Place = (typeof places)[number];

function renderer(deps: Deps, place: Place) {
  return async (request: PageRequest<Place['access']>, state: FormState) => {
      const page = pageContext(deps, request);
      const chrome = sessionChrome(deps, request.live);
      const { contract } = request.live;
      const done = sentText(request.query, 'done');
      const body = activationPage(page.t, state, {
        csrfToken: chrome.csrfToken,
        path: place.path,
        current: await currentToken(deps, request.live),
        graceEnd: graceEnd(contract, deps.config.tokenGraceDays),
        graceOver: !withinGrace(contract, deps.config.tokenGraceDays, deps.clock.now()),
        offered: place.access === 'token',
        done: done !== undefined && serialPattern.test(done) ? done : undefined,
      });
      return layout(page, 'hardwareToken.activation.title', body, chrome);
  };
}

export function tokenActivationRoutes(app: FastifyInstance, deps: Deps): void {
  for (const place of places) {
    const render = renderer(deps, place);
    registerPage(app, deps, {
      path: place.path,
      access: place.access,
      echo: ['serial'],
      render,
      async submit(request) {
        const serial = formText(request.body, 'serial', { maxLength: 32, code: 'TOKEN_SERIAL_INVALID' });
        const code = formText(request.body, 'tokenCode', { maxLength: 6, code: 'TOKEN_CODE_FORMAT' });
        const activated = await activateToken(deps, request.live, serial, code, requestContext(request));
        return `${place.afterActivation}?done=${encodeURIComponent(activated)}`;
      },
    });
  }

  registerPage(app, deps, {
    path: '/token-activation/skip',
    access: 'token',
    render: renderer(deps, places[0]),
    async submit(request) {
      await skipActivation(deps, request.live, requestContext(request));
      return '/status';
    },
  });
}
