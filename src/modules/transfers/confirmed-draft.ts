import type { Deps } from '../../deps.ts';
import { html, type Html } from '../../web/html.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { getTransfer } from './queries.ts';
import type { Actor } from './types.ts';
import { detailFacts } from './views-detail.ts';

/**
 * R8.6: the transfer a confirmation page already made, found by the page's keys (the person's own,
 * unique per person on the transfer), drawn in place of a form that would confirm it again.
 */
/** The id of the person's transfer made with one of these keys, if any. */
export async function transferOfDraft(deps: Deps, actor: Actor, ...keys: string[]): Promise<bigint | undefined> {
  const row = await deps.db.selectFrom('transfer').select('id').where('created_by', '=', actor.user.id).where('idempotency_key', 'in', keys).orderBy('id').executeTakeFirst();
  return row?.id;
}

export async function confirmedDraft(deps: Deps, actor: Actor, keys: readonly string[]): Promise<((t: Translate) => Html) | undefined> {
  const id = await transferOfDraft(deps, actor, ...keys);
  if (id === undefined) return undefined;
  const detail = await getTransfer(deps, actor, id);
  return (t) => html`<div class="notice" role="status" id="already-confirmed" data-transfer-id="${detail.id.toString()}">${t('transferPages.confirm.already', { id: detail.id.toString() })}</div>
${detailFacts(t, detail)}
<p><a href="/transfers/${detail.id.toString()}" id="existing-transfer">${t('transferPages.confirm.already.link')}</a></p>`;
}
