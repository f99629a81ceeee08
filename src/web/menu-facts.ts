import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import type { LiveSession } from '../access/sessions.ts';
import { pageStageOf } from '../access/page-stage.ts';

/**
 * What the menu needs to know of the person beyond the session: which businesses they hold (only
 * entries they may use are shown) and how many items wait for their step (R8.5). The modules know
 * how to read these; the page frame cannot import them (it sits below), so the application gives
 * the frame a source, and each page reads the facts once, before it renders.
 */
export interface MenuFacts {
  waiting: number;
  inquiry: boolean;
  transfer: boolean;
  registerTransfer: boolean;
  /** Holds the approve or send step of transfers or bulk files. */
  approval: boolean;
  bulk: boolean;
  taxPayment: boolean;
}

export type MenuFactsSource = (deps: Deps, live: LiveSession) => Promise<MenuFacts>;

const sources = new WeakMap<FastifyInstance, MenuFactsSource>();
const factsOfSession = new WeakMap<LiveSession, MenuFacts>();

export function setMenuFactsSource(app: FastifyInstance, source: MenuFactsSource): void {
  sources.set(app, source);
}

/** Read once per request for a person who sees the menu; the page's sessionChrome then finds them. */
export async function loadMenuFacts(app: FastifyInstance, deps: Deps, live: LiveSession | undefined): Promise<void> {
  if (!live || pageStageOf(live) !== 'active') return;
  const source = sources.get(app);
  if (source) factsOfSession.set(live, await source(deps, live));
}

export function menuFactsOf(live: LiveSession): MenuFacts | undefined {
  return factsOfSession.get(live);
}
