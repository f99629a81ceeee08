import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { recordAudit, userActor } from '../../audit/audit-trail.ts';
import { tokyoDate } from '../../domain/business-days.ts';
import type { LiveSession } from '../../access/sessions.ts';
import type { RequestContext } from '../../access/request-context.ts';
import { inquiryBalances } from './inquiry-balances.ts';
import { statementLines, statementSliceAndTotal, type AccountBalance, type StatementLine } from './repository.ts';
import { pageCount, statementRowsPerPage, type CsvEncoding, type StatementPeriod, type StatementQuery } from './statement-query.ts';

/**
 * R8.1 inquiry: the balances and statements of the accounts a person may use. Inquiry is a
 * business of its own (R1.4): without it a person sees no account (FORBIDDEN). The master may use
 * every open account of the contract; anyone else the accounts linked to them. An account outside
 * those does not exist for the person (NOT_FOUND, never a hint that it exists).
 */

/** The accounts the session's person may inquire into, with their balances; FORBIDDEN without inquiry. */
export async function inquiryAccounts(deps: Deps, live: LiveSession): Promise<AccountBalance[]> {
  // Read afresh, not from the logon: a permission or a link may have been taken away since. One
  // statement reads the person, the grant, the links and the balances (./inquiry-balances.ts).
  const balances = await inquiryBalances(deps.db, live.user.contract_id, live.user.id);
  if (!balances) throw new AppError('FORBIDDEN');
  return balances;
}

/** One account the person may inquire into, by the id a page was asked for. */
export async function inquiryAccount(deps: Deps, live: LiveSession, accountId: number): Promise<AccountBalance> {
  const account = (await inquiryAccounts(deps, live)).find((candidate) => candidate.id === accountId);
  if (!account) throw new AppError('NOT_FOUND');
  return account;
}

export interface StatementPage {
  lines: StatementLine[];
  page: number;
  pages: number;
  total: number;
}

/** One page of an account's statement for a period; a page beyond the last is refused. */
export async function statementPage(deps: Deps, account: AccountBalance, query: StatementQuery): Promise<StatementPage> {
  const { lines, total } = await statementSliceAndTotal(deps.db, account.ledgerAccountId, query.from, query.to, {
    offset: (query.page - 1) * statementRowsPerPage,
    limit: statementRowsPerPage,
  });
  const pages = pageCount(total);
  if (query.page > pages) throw new AppError('ACCOUNTS_PAGE_INVALID', { field: 'page' });
  return { lines, page: query.page, pages, total };
}

/** The most lines one download holds; a longer period is refused, to be asked for in parts. */
export const statementCsvRowsMax = 10_000;

/**
 * Every line of a period, for a download, and its record in the audit trail (inquiry data is
 * personal data: who took which account's statement out, for which period, is evidence, R9.1).
 * The record is written before anything is sent: no download leaves without it.
 */
export async function statementForDownload(
  deps: Deps,
  live: LiveSession,
  account: AccountBalance,
  period: StatementPeriod,
  encoding: CsvEncoding,
  context: RequestContext,
): Promise<StatementLine[]> {
  // One more than the maximum tells a period that is too long from one that fits exactly.
  const lines = await statementLines(deps.db, account.ledgerAccountId, period.from, period.to, { offset: 0, limit: statementCsvRowsMax + 1 });
  if (lines.length > statementCsvRowsMax) throw new AppError('ACCOUNTS_CSV_TOO_MANY_ROWS', { field: 'from' });
  await recordAudit(deps.db, {
    at: deps.clock.now(),
    contractId: live.user.contract_id,
    userRef: live.user.id,
    actor: userActor(live.user.contract_id, live.user.user_id),
    action: 'statement.download',
    outcome: 'success',
    ip: context.ip,
    userAgent: context.userAgent,
    details: {
      accountId: account.id,
      branchCode: account.branchCode,
      accountType: account.accountType,
      accountNumber: account.accountNumber,
      from: period.from,
      to: period.to,
      lines: lines.length,
      encoding,
    },
  });
  return lines;
}

/** Today in Tokyo, where the bank's day begins and ends: the latest day a statement may cover. */
export function inquiryToday(deps: Deps): string {
  return tokyoDate(deps.clock.now());
}
