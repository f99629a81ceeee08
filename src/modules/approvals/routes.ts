import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { layout } from '../../web/layout.ts';
import { registerPage } from '../../web/page-route.ts';
import { pageContext, sessionChrome } from '../../web/request-context.ts';
import { waitingForRequest } from './request-waiting.ts';
import { waitingPage } from './views.ts';

/** R8.5 [承認待ち]: every kind of item waiting for the person's step, with the count of each kind. */
export function approvalsRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: '/approvals',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const list = await waitingForRequest(deps, request.live);
      return layout(page, 'approvals.title', waitingPage(page.t, list), sessionChrome(deps, request.live));
    },
  });
}
