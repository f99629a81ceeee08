import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import type { FormState } from '../../../web/form.ts';
import { AppError } from '../../../errors.ts';
import { sentText } from '../../../web/form-input.ts';
import { pageContext, requestContext } from '../../../web/request-context.ts';
import { deliveryAttemptsMax } from '../../../outbox/delivery.ts';
import { failedMessages, longWaitingMessages, outboxWaitingLongSeconds } from '../../../outbox/watch.ts';
import { requeueFailedMessage } from '../../../outbox/requeue.ts';
import { chromeOf, consoleGet, consolePost, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { mailPage } from '../views/mail.ts';

/** An outbox id as a path names it: a positive bigint of at most 19 digits. */
function outboxIdParam(request: ConsoleRequest<'active'>): bigint {
  const raw = sentText(request.params, 'id') ?? '';
  if (!/^[1-9][0-9]{0,17}$/.test(raw)) throw new AppError('NOT_FOUND');
  return BigInt(raw);
}

/**
 * R7.3: the notices and codes customers wait for. When mail stops arriving, the staff see here what
 * failed and what waits, and put a failed message back in the queue once its cause is put right.
 */
export function mailRoutes(app: FastifyInstance, deps: Deps): void {
  const view = async (request: ConsoleRequest<'active'>, state: FormState) =>
    mailPage({ ...pageContext(deps, request), path: consolePaths.mail }, chromeOf(deps, request.staffLive), state, {
      failed: await failedMessages(deps.db),
      waiting: await longWaitingMessages(deps.db, deps.clock.now()),
      attemptsMax: deliveryAttemptsMax,
      waitingLongMinutes: outboxWaitingLongSeconds / 60,
      requeued: sentText(request.query, 'requeued'),
    });
  consoleGet(app, deps, { path: consolePaths.mail, access: 'active', render: view });
  consolePost(app, deps, {
    path: consolePaths.mailRequeue(':id'),
    access: 'active',
    render: view,
    async submit(request) {
      const id = outboxIdParam(request);
      await requeueFailedMessage(deps, request.staffLive.staff, id, requestContext(request));
      return `${consolePaths.mail}?requeued=${id}`;
    },
  });
}
