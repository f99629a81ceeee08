import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../errors.ts';
import type { FormState } from '../../../web/form.ts';
import { sentText } from '../../../web/form-input.ts';
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
  const raw = sentText(request.params, 'id') ?? '';
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
    const done = sentText(request.query, 'done');
    const chrome = chromeOf(deps, request.staffLive);
    // The page is also the answer to its forms' refusals: its language switch leads to the page itself.
    const page = { ...pageContext(deps, request), path: consolePaths.application(row.id) };
    return applicationPage(page, { ...chrome, staff: request.staffLive.staff }, row, done, state);
  };
  const path = `${consolePaths.applications}/:id`;
  consoleGet(app, deps, { path, access: 'active', render: applicationView });

  // The decisions on a recorded application, each a button of its page: another member approves or
  // rejects it, the one who recorded it withdraws it (the use cases judge who may).
  const decisions: { step: string; done: string; decide(request: ConsoleRequest<'active'>, id: number): Promise<unknown> }[] = [
    { step: 'approve', done: 'approved', decide: (request, id) => approveApplication(deps, staffContext(request), id) },
    {
      step: 'reject',
      done: 'rejected',
      decide: (request, id) =>
        rejectApplication(deps, staffContext(request), id, optionalText(request.body, 'note', { maxLength: decisionNoteLengthMax, code: 'OPERATOR_NOTE_INVALID' })),
    },
    { step: 'withdraw', done: 'withdrawn', decide: (request, id) => withdrawApplication(deps, staffContext(request), id) },
  ];
  for (const decision of decisions) {
    consolePost(app, deps, {
      path: `${path}/${decision.step}`,
      access: 'active',
      render: applicationView,
      async submit(request) {
        const id = applicationIdParam(request);
        await decision.decide(request, id);
        return `${consolePaths.application(id)}?done=${decision.done}`;
      },
    });
  }
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
