import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { secretsEqual } from '../../crypto/compare.ts';
import { isValidContractId } from '../../domain/contract-id.ts';
import { isValidUserId, userIdLengthMax } from '../../domain/identifiers.ts';
import { gridChallengeCellsCount } from '../../auth/grid-card.ts';
import { registerPage } from '../../web/page-route.ts';
import { formSecret, formText } from '../../web/form-input.ts';
import { clearSessionCookie, pageContext, requestContext, sessionChrome, sessionCookie, setSessionCookie } from '../../web/request-context.ts';
import { endSession, resumeSession } from '../session/store.ts';
import { answerGrid, checkPassword, gridPrompt } from './service.ts';
import { gridPage, logonPage } from './views.ts';

/** Long enough for any real password, short enough that a huge input is refused before hashing. */
const passwordInputLengthMax = 128;

export function logonRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/', async (_request, reply) => reply.redirect('/logon', 303));

  registerPage(app, deps, {
    path: '/logon',
    access: 'anonymous',
    echo: ['contractId', 'userId'],
    render: (request, state) => {
      const ended = (request.query as Record<string, unknown>).ended;
      return logonPage(pageContext(deps, request), request.anonymousCsrf, state, typeof ended === 'string' ? ended : undefined);
    },
    async submit(request, reply) {
      const contractId = formText(request.body, 'contractId', { maxLength: 11, code: 'CONTRACT_ID_INVALID' });
      if (!isValidContractId(contractId)) throw new AppError('CONTRACT_ID_INVALID', { field: 'contractId' });
      const userId = formText(request.body, 'userId', { maxLength: userIdLengthMax, code: 'USER_ID_INVALID' });
      if (!isValidUserId(userId)) throw new AppError('USER_ID_INVALID', { field: 'userId' });
      const password = formSecret(request.body, 'password', { maxLength: passwordInputLengthMax });
      const { token } = await checkPassword(deps, { contractId, userId, password }, requestContext(request));
      setSessionCookie(reply, token);
      return '/logon/grid';
    },
  });

  registerPage(app, deps, {
    path: '/logon/grid',
    access: 'grid',
    render: async (request, state) =>
      gridPage(pageContext(deps, request), sessionChrome(deps, request.live), await gridPrompt(deps, request.live), state),
    async submit(request, reply) {
      let answer = '';
      for (let i = 0; i < gridChallengeCellsCount; i++) {
        const digit = formText(request.body, `cell${i}`, { maxLength: 1 });
        if (!/^[0-9]$/.test(digit)) throw new AppError('INPUT_INVALID', { field: `cell${i}` });
        answer += digit;
      }
      const done = await answerGrid(deps, request.live, answer, requestContext(request));
      setSessionCookie(reply, done.token);
      return done.stage === 'setup' ? '/setup' : '/status';
    },
  });

  // Logging off needs the session's CSRF token like every other form; it works at any stage.
  app.post('/logout', async (request, reply) => {
    const found = await resumeSession(deps, request.cookies[sessionCookie]);
    const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
    if ('live' in found && typeof sent === 'string' && secretsEqual(sent, found.live.session.csrf_token)) {
      await endSession(deps.db, found.live.session.id, 'logout', deps.clock.now());
      clearSessionCookie(reply);
      return reply.redirect('/logon?ended=logout', 303);
    }
    if (!('live' in found)) clearSessionCookie(reply);
    return reply.redirect('live' in found ? '/status' : '/logon', 303);
  });
}
