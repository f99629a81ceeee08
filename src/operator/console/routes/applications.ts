import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../errors.ts';
import type { FormState } from '../../../web/form.ts';
import { pageContext } from '../../../web/request-context.ts';
import { applicationById, applicationQueue } from '../../../modules/contracts/console-queries.ts';
import { decisionNoteLengthMax, optionalText, parseApplicationForm } from '../../../modules/contracts/application-payload.ts';
import { approveApplication, handOverSecrets, recordApplication, rejectApplication, withdrawApplication } from '../../../modules/contracts/applications.ts';
import { chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { applicationPage, handoverPage, newContractPage, queuePage } from '../views/applications.ts';
import { staffContext } from './staff-context.ts';

const applicationIdMax = 2_147_483_647;

function applicationIdParam(request: ConsoleRequest<'active'>): number {
  const raw = (request.params as Record<string, string>).id ?? '';
  if (!/^[1-9][0-9]{0,9}$/.test(raw) || Number(raw) > applicationIdMax) throw new AppError('NOT_FOUND');
  return Number(raw);
}

export function applicationRoutes(app: FastifyInstance, deps: Deps): void {
  consoleGet(app, deps, {
    path: consolePaths.applications,
    access: 'active',
    render: async (request) => queuePage(pageContext(deps, request), chromeOf(deps, request.staffLive), await applicationQueue(deps)),
  });

  const newContractView = (request: ConsoleRequest<'active'>, state: FormState) => newContractPage(pageContext(deps, request), chromeOf(deps, request.staffLive), state);
  consoleGet(app, deps, { path: consolePaths.newContract, access: 'active', render: newContractView });
  consolePost(app, deps, {
    path: consolePaths.newContract,
    access: 'active',
    echo: ['companyName', 'masterUserId', 'masterName', 'masterEmail', 'lockMode', 'reference'],
    render: newContractView,
    async submit(request) {
      const { id } = await recordApplication(deps, staffContext(request), parseApplicationForm('onboard', null, request.body));
      return `${consolePaths.application(id)}?done=recorded`;
    },
  });

  const applicationView = async (request: ConsoleRequest<'active'>, state: FormState) => {
    const row = await applicationById(deps, applicationIdParam(request));
    if (!row) throw new AppError('NOT_FOUND');
    const done = (request.query as Record<string, unknown>).done;
    const chrome = chromeOf(deps, request.staffLive);
    // The page is also the answer to its forms' refusals: its language switch leads to the page itself.
    const page = { ...pageContext(deps, request), path: consolePaths.application(row.id) };
    return applicationPage(page, { ...chrome, staff: request.staffLive.staff }, row, typeof done === 'string' ? done : undefined, state);
  };
  const path = `${consolePaths.applications}/:id`;
  consoleGet(app, deps, { path, access: 'active', render: applicationView });

  consolePost(app, deps, {
    path: `${path}/approve`,
    access: 'active',
    render: applicationView,
    async submit(request) {
      const id = applicationIdParam(request);
      await approveApplication(deps, staffContext(request), id);
      return `${consolePaths.application(id)}?done=approved`;
    },
  });
  consolePost(app, deps, {
    path: `${path}/reject`,
    access: 'active',
    render: applicationView,
    async submit(request) {
      const id = applicationIdParam(request);
      const note = optionalText(request.body, 'note', { maxLength: decisionNoteLengthMax, code: 'OPERATOR_NOTE_INVALID' });
      await rejectApplication(deps, staffContext(request), id, note);
      return `${consolePaths.application(id)}?done=rejected`;
    },
  });
  consolePost(app, deps, {
    path: `${path}/withdraw`,
    access: 'active',
    render: applicationView,
    async submit(request) {
      const id = applicationIdParam(request);
      await withdrawApplication(deps, staffContext(request), id);
      return `${consolePaths.application(id)}?done=withdrawn`;
    },
  });
  // The one-time display answers the POST itself: there is no address to open it again.
  consolePost(app, deps, {
    path: `${path}/handover`,
    access: 'active',
    render: applicationView,
    async submit(request) {
      const id = applicationIdParam(request);
      const handed = await handOverSecrets(deps, staffContext(request), id);
      return handoverPage({ ...pageContext(deps, request), path: consolePaths.application(id) }, chromeOf(deps, request.staffLive), handed);
    },
  });
}
