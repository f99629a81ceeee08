import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../errors.ts';
import { isValidContractId } from '../../../domain/contract-id.ts';
import type { FormState } from '../../../web/form.ts';
import { formText, sentText, sentValue } from '../../../web/form-input.ts';
import { pageContext } from '../../../web/request-context.ts';
import { contractOverview, searchContracts } from '../../../modules/contracts/console-queries.ts';
import { isApplicationKind, parseApplicationForm } from '../../../modules/contracts/application-payload.ts';
import { recordApplication } from '../../../modules/contracts/applications.ts';
import { chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { contractPage, searchPage } from '../views/contracts.ts';
import { staffContext } from './staff-context.ts';

const searchLengthMax = 100;

/** The contract ID of the path: a wrong check digit or form is simply not found. */
export function contractIdParam(request: ConsoleRequest<'active'>): string {
  const id = sentText(request.params, 'contractId') ?? '';
  if (!isValidContractId(id)) throw new AppError('NOT_FOUND');
  return id;
}

export function contractRoutes(app: FastifyInstance, deps: Deps): void {
  consoleGet(app, deps, {
    path: consolePaths.contracts,
    access: 'active',
    async render(request) {
      const raw = sentValue(request.query, 'q');
      const page = pageContext(deps, request);
      const chrome = chromeOf(deps, request.staffLive);
      if (raw === undefined || raw === '') return searchPage(page, chrome, '', undefined, {});
      let query: string;
      try {
        query = formText(request.query, 'q', { maxLength: searchLengthMax, code: 'OPERATOR_SEARCH_INVALID' });
      } catch (error) {
        return searchPage(page, chrome, '', undefined, { error: error as AppError });
      }
      return searchPage(page, chrome, query, await searchContracts(deps, query), {});
    },
  });

  const contractView = async (request: ConsoleRequest<'active'>, state: FormState) => {
    const contractId = contractIdParam(request);
    const overview = await contractOverview(deps, contractId);
    if (!overview) throw new AppError('NOT_FOUND');
    const chrome = chromeOf(deps, request.staffLive);
    // The page is also the answer to its forms' refusals: its language switch leads to the page itself.
    const page = { ...pageContext(deps, request), path: consolePaths.contract(contractId) };
    return contractPage(page, { ...chrome, staff: request.staffLive.staff }, overview, deps.clock.now(), state);
  };
  consoleGet(app, deps, { path: `${consolePaths.contracts}/:contractId`, access: 'active', render: contractView });

  // Recording is open to both roles; the application does nothing until another member approves it.
  consolePost(app, deps, {
    path: `${consolePaths.contracts}/:contractId/applications`,
    access: 'active',
    echo: ['kind', 'reference', 'userId', 'lockMode', 'certificateRequired'],
    render: contractView,
    async submit(request) {
      const contractId = contractIdParam(request);
      const kind = sentValue(request.body, 'kind');
      if (!isApplicationKind(kind) || kind === 'onboard') throw new AppError('OPERATOR_KIND_INVALID');
      const input = parseApplicationForm(kind, contractId, request.body);
      const { id } = await recordApplication(deps, staffContext(request), input);
      return `${consolePaths.application(id)}?done=recorded`;
    },
  });
}

