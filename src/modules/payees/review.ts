import type { Deps } from '../../deps.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { change } from './change.ts';
import type { PayeeEntry } from './form-input.ts';
import { judgeCommand } from '../../command/pipeline.ts';
import { registration } from './register.ts';

/**
 * The form's step before the review: the same judgement as the registration or change itself, so a
 * refusal shows on the form rather than after the confirmation password.
 */
export async function reviewEntry(deps: Deps, live: LiveSession, entry: PayeeEntry, payeeId: number | undefined, context: RequestContext): Promise<'review' | 'unchanged'> {
  const actor = { live, context };
  const judged =
    payeeId === undefined
      ? await judgeCommand(deps, actor, registration(deps, live, context, entry))
      : await judgeCommand(deps, actor, change(deps, live, context, payeeId, entry));
  return 'unchanged' in judged ? 'unchanged' : 'review';
}
