import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { AppError, isAppError } from '../../../errors.ts';
import { sentText } from '../../../web/form-input.ts';
import { replyStatusOf } from '../../../web/error-status.ts';
import { pageContext } from '../../../web/request-context.ts';
import { auditRowsToCsv, exportAuditTrail, recordTrailExport } from '../../../audit/export.ts';
import { startOfJstDay } from '../../../audit/period.ts';
import { addDaysTo, dayMs } from '../../../domain/tokyo-time.ts';
import { contractOverview } from '../../../modules/contracts/console-queries.ts';
import { staffActor } from '../../staff/logon.ts';
import { admitter, chromeOf, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { contractPage } from '../views/contracts.ts';
import { contractIdParam } from './contracts.ts';

/** R9.1: a contract's trail for a period of whole days (Japan time), as evidence for a claim. */
const exportDaysMax = 366;
/** Spreadsheet programs read UTF-8 (and so Japanese) correctly only after a byte order mark; the audit tools accept it. */
const byteOrderMark = '\uFEFF';

function periodOf(query: unknown): { from: Date; to: Date; first: string; last: string } {
  const first = sentText(query, 'from') ?? '';
  const last = sentText(query, 'to') ?? '';
  const from = startOfJstDay(first);
  const lastStart = startOfJstDay(last);
  if (!from || !lastStart || lastStart < from || (lastStart.getTime() - from.getTime()) / dayMs >= exportDaysMax) {
    throw new AppError('OPERATOR_PERIOD_INVALID');
  }
  return { from, to: addDaysTo(lastStart, 1), first, last };
}

export function exportRoutes(app: FastifyInstance, deps: Deps): void {
  const admit = admitter(deps, 'active');
  app.get(`${consolePaths.contracts}/:contractId/audit.csv`, async (raw, reply) => {
    if (!(await admit(raw, reply))) return reply;
    const request = raw as ConsoleRequest<'active'>;
    const contractId = contractIdParam(request);
    const overview = await contractOverview(deps, contractId);
    if (!overview) throw new AppError('NOT_FOUND');
    let period;
    try {
      period = periodOf(request.query);
    } catch (error) {
      if (!isAppError(error)) throw error;
      // A bad period shows the contract page again with the error, as a refused form does.
      const page = { ...pageContext(deps, request), path: consolePaths.contract(contractId) };
      const body = contractPage(page, { ...chromeOf(deps, request.staffLive), staff: request.staffLive.staff }, overview, deps.clock.now(), { error });
      return replyStatusOf(reply, error).type('text/html; charset=utf-8').send(body.value);
    }
    const rows = await exportAuditTrail(deps.db, { contractId, from: period.from, to: period.to });
    // The export is itself evidence: who took which period out, and how many records.
    await recordTrailExport(deps.db, {
      at: deps.clock.now(),
      actor: staffActor(request.staffLive.staff.login_id),
      contractId,
      from: period.from,
      to: period.to,
      records: rows.length,
      format: 'csv',
      ip: request.ip,
    });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${contractId}-${period.first}-${period.last}.csv"`)
      .send(byteOrderMark + auditRowsToCsv(rows));
  });
}
