import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { layout } from '../../web/layout.ts';
import { registerPage, type PageRoute } from '../../web/page-route.ts';
import { pageContext, sessionChrome } from '../../web/request-context.ts';
import { securityOverview } from './service.ts';
import { securityPageBody } from './views.ts';

/** R7.4: the contract's security status and the security guidance, for every logged-on person. */
const securityPage = (deps: Deps): PageRoute<'active'> => ({
  path: '/security',
  access: 'active',
  async render(request) {
    const page = pageContext(deps, request);
    const overview = await securityOverview(deps, request.live);
    const body = securityPageBody({ t: page.t, now: deps.clock.now(), passwordMaxAgeDays: deps.config.passwordMaxAgeDays }, overview);
    return layout(page, 'securityPage.title', body, sessionChrome(deps, request.live));
  },
});

export function securityPageRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, securityPage(deps));
}
