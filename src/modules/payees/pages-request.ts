import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import type { PageRoute } from '../../web/page-route.ts';
import { sentText } from '../../web/form-input.ts';

/** What the payee pages are, and what they read from an address or a form besides the form's own fields. */

/** A page of the payees area, made with the process's dependencies for registerPage. */
export type PayeeRoute = (deps: Deps) => PageRoute<'active'>;

/** A text value of an address or a form within a bound; anything else (a list, a longer text) is left out. */
export function sentTextUpTo(source: unknown, name: string, lengthMax = 100): string | undefined {
  const value = sentText(source, name);
  return value !== undefined && value.length <= lengthMax ? value : undefined;
}

/** A payee of the path: a positive id, or nothing (NOT_FOUND); whose it is, the service checks. */
export function payeeIdParam(request: { params: unknown }): number {
  const id = sentText(request.params, 'payeeId');
  if (id === undefined || !/^[1-9][0-9]{0,8}$/.test(id)) throw new AppError('NOT_FOUND');
  return Number(id);
}

/** The notice after a change, by the `done` of the address (a Map: no inherited names such as `constructor`). */
const doneKeys = new Map<string | undefined, MessageKey>([
  ['registered', 'payees.done.registered'],
  ['registeredPending', 'payees.done.registeredPending'],
  ['changed', 'payees.done.changed'],
  ['changedPending', 'payees.done.changedPending'],
  ['unchanged', 'payees.done.unchanged'],
  ['deleted', 'payees.done.deleted'],
  ['approved', 'payees.done.approved'],
  ['approvalRecorded', 'payees.done.approvalRecorded'],
  ['rejected', 'payees.done.rejected'],
  ['withdrawn', 'payees.done.withdrawn'],
]);

export function doneNotice(t: Translate, query: unknown): string | undefined {
  const key = doneKeys.get(sentText(query, 'done'));
  return key === undefined ? undefined : t(key);
}
