import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { waitingFor, type WaitingList } from './waiting-items.ts';

/**
 * R8.5: the items waiting for the person of one request, read once for that request. The menu's
 * count and the page (the top page's section, the approvals list) show the same list, so a page read
 * it twice: five statements each time. A LiveSession is made afresh for every request
 * (access/sessions.ts, resumeSession), so keying by it keeps the list to its one request.
 */
const listOfRequest = new WeakMap<LiveSession, Promise<WaitingList>>();

export function waitingForRequest(deps: Deps, live: LiveSession): Promise<WaitingList> {
  let list = listOfRequest.get(live);
  if (!list) {
    list = waitingFor(deps.db, live.user, tokyoDate(deps.clock.now()));
    listOfRequest.set(live, list);
  }
  return list;
}
