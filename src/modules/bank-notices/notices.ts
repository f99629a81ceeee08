import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/transaction.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { BankNotice } from '../../db/schema-bank-notices.ts';
import type { Staff } from '../../db/schema.ts';
import { recordAudit } from '../../audit/audit-trail.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../access/request-context.ts';

/** Bounds of a notice, as the table's checks hold them (migration 0011). */
export const bankNoticeTitleLengthMax = 100;
export const bankNoticeBodyLengthMax = 2000;

export interface BankNoticeInput {
  title: unknown;
  body: unknown;
  shownFrom: unknown;
  shownUntil: unknown;
  /** An 11-digit contract ID, or empty for every contract. */
  contractId: unknown;
}

function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** Control characters other than line breaks and tabs have no place in a notice. */
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\p{Cf}]/u;

/**
 * A member of the bank's staff posts a notice for the customers' top page: checked, written and
 * recorded in the audit trail (against the contract it targets, or the bank's own chain) in one
 * transaction (house rule 8).
 */
export async function postBankNotice(deps: Deps, staff: Staff, input: BankNoticeInput, context: RequestContext): Promise<bigint> {
  const title = typeof input.title === 'string' ? input.title.trim() : '';
  if (title.length === 0 || [...title].length > bankNoticeTitleLengthMax || controlCharacters.test(title) || /[\r\n]/.test(title)) {
    throw new AppError('BANK_NOTICE_TITLE_REQUIRED', { field: 'title' });
  }
  const body = typeof input.body === 'string' ? input.body.replace(/\r\n/g, '\n').trim() : undefined;
  if (body === undefined || [...body].length > bankNoticeBodyLengthMax || controlCharacters.test(body)) throw new AppError('BANK_NOTICE_BODY_INVALID', { field: 'body' });
  if (!isDate(input.shownFrom)) throw new AppError('BANK_NOTICE_DATE_INVALID', { field: 'shownFrom' });
  if (!isDate(input.shownUntil)) throw new AppError('BANK_NOTICE_DATE_INVALID', { field: 'shownUntil' });
  if (input.shownUntil < input.shownFrom) throw new AppError('BANK_NOTICE_PERIOD_ORDER', { field: 'shownUntil' });
  const target = typeof input.contractId === 'string' ? input.contractId.trim() : '';
  if (target !== '' && !/^\d{11}$/.test(target)) throw new AppError('BANK_NOTICE_CONTRACT_UNKNOWN', { field: 'contractId' });
  const shownFrom = input.shownFrom;
  const shownUntil = input.shownUntil;
  return inTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    if (target !== '' && !(await tx.selectFrom('contract').select('id').where('id', '=', target).executeTakeFirst())) {
      throw new AppError('BANK_NOTICE_CONTRACT_UNKNOWN', { field: 'contractId' });
    }
    const { id } = await tx
      .insertInto('bank_notice')
      .values({ contract_id: target === '' ? null : target, title, body, shown_from: shownFrom, shown_until: shownUntil, posted_by: staff.id, posted_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      at: now,
      contractId: target === '' ? null : target,
      userRef: null,
      actor: `staff:${staff.login_id}`,
      action: 'bank_notice.post',
      outcome: 'success',
      ip: context.ip,
      userAgent: context.userAgent,
      details: { noticeId: id.toString(), target: target === '' ? 'all' : target, shownFrom, shownUntil },
    });
    return id;
  });
}

/** The notices a contract's people see today: within their period, for every contract or for this one, newest first. */
export function noticesShownTo(executor: Executor, contractId: string, now: Date): Promise<BankNotice[]> {
  const today = tokyoDate(now);
  return executor
    .selectFrom('bank_notice')
    .selectAll()
    .where('shown_from', '<=', today)
    .where('shown_until', '>=', today)
    .where((eb) => eb.or([eb('contract_id', 'is', null), eb('contract_id', '=', contractId)]))
    .orderBy('shown_from', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Every notice, newest first, for the console's list. */
export function recentNotices(executor: Executor, limit = 50) {
  return executor
    .selectFrom('bank_notice')
    .innerJoin('staff', 'staff.id', 'bank_notice.posted_by')
    .select(['bank_notice.id', 'bank_notice.contract_id', 'bank_notice.title', 'bank_notice.shown_from', 'bank_notice.shown_until', 'staff.login_id'])
    .orderBy('bank_notice.id', 'desc')
    .limit(limit)
    .execute();
}
