import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { sentText } from '../../../web/form-input.ts';
import { pageContext } from '../../../web/request-context.ts';
import { recordedStops } from '../../../access/stop-origins.ts';
import { recentLogonRefusals } from '../../../access/logon-refusals.ts';
import { lockoutFailuresMax } from '../../../access/attempts.ts';
import { chromeOf, consoleGet } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { logonWatchPage } from '../views/logon-watch.ts';

/**
 * R2.3, R2.4: attacks on the logon across all contracts, for the bank's staff only. Stops from
 * addresses never seen are shown unless `?stops=all` asks for every stop.
 */
export function logonWatchRoutes(app: FastifyInstance, deps: Deps): void {
  consoleGet(app, deps, {
    path: consolePaths.logonWatch,
    access: 'active',
    async render(request) {
      const neverSeenOnly = sentText(request.query, 'stops') !== 'all';
      return logonWatchPage(pageContext(deps, request), chromeOf(deps, request.staffLive), {
        neverSeenOnly,
        stops: await recordedStops(deps.db, { neverSeenOnly }),
        refusals: await recentLogonRefusals(deps.db),
        failuresMax: lockoutFailuresMax,
        ratePerMinute: deps.config.logonRatePerMinute,
      });
    },
  });
}
