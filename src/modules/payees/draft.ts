import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { PayeeEntry } from './form-input.ts';

/**
 * The review step between the form and the confirmation password: the checked entry travels to the
 * review page sealed with the keyring, so the payee's name and account never appear in a URL or a
 * log, and a draft opens only in the session and for the payee it was made for.
 */
export const draftValidSeconds = 30 * 60;
/** A sealed draft is never longer than this; a longer one is refused unopened. */
export const draftLengthMax = 4096;

interface Sealed extends PayeeEntry {
  issuedAtMs: number;
}

function purpose(live: LiveSession, payeeId: number | undefined): string {
  return `payee-draft/${live.session.id}/${payeeId ?? 'new'}`;
}

export function sealDraft(deps: Deps, live: LiveSession, payeeId: number | undefined, entry: PayeeEntry): string {
  const sealed: Sealed = { ...entry, issuedAtMs: deps.clock.now().getTime() };
  return deps.keyring.seal(JSON.stringify(sealed), purpose(live, payeeId));
}

export function openDraft(deps: Deps, live: LiveSession, payeeId: number | undefined, draft: unknown): PayeeEntry {
  if (typeof draft !== 'string' || draft.length === 0 || draft.length > draftLengthMax) throw new AppError('PAYEES_DRAFT_INVALID');
  let sealed: Sealed;
  try {
    sealed = JSON.parse(deps.keyring.open(draft, purpose(live, payeeId))) as Sealed;
  } catch {
    throw new AppError('PAYEES_DRAFT_INVALID');
  }
  const ageMs = deps.clock.now().getTime() - sealed.issuedAtMs;
  if (!(ageMs >= 0 && ageMs <= draftValidSeconds * 1000)) throw new AppError('PAYEES_DRAFT_INVALID');
  const { issuedAtMs: _issued, ...entry } = sealed;
  return entry;
}
