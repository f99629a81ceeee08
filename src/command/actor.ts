import type { LiveSession } from '../access/sessions.ts';
import type { RequestContext } from '../access/request-context.ts';

/** Who asks for a change: a person's live session, and where the request came from. */
export interface CommandActor {
  live: LiveSession;
  context: RequestContext;
}
