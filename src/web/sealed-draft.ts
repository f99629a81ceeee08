import type { Deps } from '../deps.ts';
import type { AppError } from '../errors.ts';

/**
 * A form's inputs on their way to its confirmation page, sealed with the keyring (AES-256-GCM) in
 * the page's address and its form: an address is logged and kept in the browser's history, where an
 * account number or an amount does not belong, and a sealed draft cannot be altered between what the
 * person saw and what is sent. It is bound to the session that made it (its purpose names the
 * session) and expires. Each form says what its body holds and checks it when opened.
 */
export interface DraftKind {
  /** Names the form, so one form's draft never opens as another's. */
  name: string;
  validSeconds: number;
  /** Far longer than any sealed draft of the form; a longer value is refused unread. */
  lengthMax: number;
  refused(): AppError;
}

function purpose(kind: DraftKind, sessionId: string): string {
  return `${kind.name}:${sessionId}`;
}

export function sealDraftBody(deps: Deps, kind: DraftKind, sessionId: string, body: object): string {
  return deps.keyring.seal(JSON.stringify({ ...body, exp: deps.clock.now().getTime() + kind.validSeconds * 1000 }), purpose(kind, sessionId));
}

/** The body of a draft this session sealed for this form and that has not expired; anything else is refused. */
export function openDraftBody<Body>(deps: Deps, kind: DraftKind, sessionId: string, sealed: unknown): Body {
  if (typeof sealed !== 'string' || sealed.length > kind.lengthMax || !/^[A-Za-z0-9._-]+$/.test(sealed)) throw kind.refused();
  let body: Body & { exp?: unknown };
  try {
    body = JSON.parse(deps.keyring.open(sealed, purpose(kind, sessionId))) as Body & { exp?: unknown };
  } catch {
    throw kind.refused();
  }
  if (typeof body.exp !== 'number' || body.exp < deps.clock.now().getTime()) throw kind.refused();
  return body;
}
