import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { echoValues, sentValue } from '../../web/form-input.ts';
import { openDraftBody, sealDraftBody, type DraftKind } from '../../web/sealed-draft.ts';
import { draftLengthMax, draftValidSeconds } from './pages-draft.ts';
import { transferFormFields } from './form-input.ts';

/**
 * R8.2: what was typed on the transfer form while the person looks a bank or branch up by name.
 * The look-up is a page of its own (it works without JavaScript), so the form's values travel to it
 * and back sealed, as a draft does (web/sealed-draft.ts): an account number and an amount do not
 * belong in an address in clear, and nothing typed is lost by looking a code up.
 */
const typedKind: DraftKind = {
  name: 'transfer-typed',
  validSeconds: draftValidSeconds,
  lengthMax: draftLengthMax,
  refused: () => new AppError('TRANSFER_PAGES_DRAFT_INVALID'),
};

/** The name of the form's button that goes to the look-up, and of the address parameter that carries the values. */
export const lookupAction = { name: 'do', value: 'lookup' } as const;
export const typedParam = 'typed';

export function isLookupRequest(body: unknown): boolean {
  return sentValue(body, lookupAction.name) === lookupAction.value;
}

export function sealTyped(deps: Deps, sessionId: string, body: unknown): string {
  return sealDraftBody(deps, typedKind, sessionId, { values: echoValues(body, transferFormFields) });
}

/** The values sealed by this session, or none when there are none (or they expired: the form starts empty). */
export function openTyped(deps: Deps, sessionId: string, query: unknown): { sealed: string | undefined; values: Record<string, string> } {
  const sealed = sentValue(query, typedParam);
  if (sealed === undefined) return { sealed: undefined, values: {} };
  try {
    const body = openDraftBody<{ values: Record<string, string> }>(deps, typedKind, sessionId, sealed);
    const values: Record<string, string> = {};
    for (const name of transferFormFields) {
      const value = body.values[name];
      if (typeof value === 'string') values[name] = value;
    }
    return { sealed: sealed as string, values };
  } catch (error) {
    if (error instanceof AppError) return { sealed: undefined, values: {} };
    throw error;
  }
}
