import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { pageContext } from '../../../web/request-context.ts';
import { bankQueue } from '../../../modules/contracts/console-queue.ts';
import { chromeOf, consoleGet } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { queuePage } from '../views/queue.ts';

/** R3.3, R2.3: the grid card requests and stops of every contract, for the bank's staff only. */
export function queueRoutes(app: FastifyInstance, deps: Deps): void {
  consoleGet(app, deps, {
    path: consolePaths.queue,
    access: 'active',
    render: async (request) => queuePage(pageContext(deps, request), chromeOf(deps, request.staffLive), await bankQueue(deps)),
  });
}
