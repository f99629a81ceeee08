import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { secretsEqual } from '../../crypto/compare.ts';
import { isValidContractId } from '../../domain/contract-id.ts';
import { isValidUserId, userIdLengthMax } from '../../domain/identifiers.ts';
import { gridChallengeCellsCount } from '../../auth/grid-card.ts';
import { registerPage } from '../../web/page-route.ts';
import { formSecret, formText, sentText } from '../../web/form-input.ts';
import { clearSessionCookie, pageContext, requestContext, sessionChrome, setSessionCookie } from '../../web/request-context.ts';
import { endSession } from '../../access/sessions.ts';
import { resumeRequestSession } from '../../access/request-session.ts';
import { checkPresentedCertificate } from '../certificates/presented.ts';
import { answerGrid, checkPassword, gridPrompt } from './service.ts';
import type { CertificateGate } from './certificate-gate.ts';
import { renewalDate } from './renewal-notice.ts';
import { acquisitionLogonPage, acquisitionLogonPath, gridPage, logonPage, type LogonPageCertificates } from './views.ts';

/** Long enough for any real password, short enough that a huge input is refused before hashing. */
const passwordInputLengthMax = 128;

const stageHome = { setup: '/setup', active: '/status', certificate: '/certificate/acquire' } as const;

export function logonRoutes(app: FastifyInstance, deps: Deps, listener: { certificateListener: boolean } = { certificateListener: false }): void {
  app.get('/', async (_request, reply) => reply.redirect('/logon', 303));

  const certificates = (extra: Partial<LogonPageCertificates> = {}): LogonPageCertificates => ({
    certificateListener: listener.certificateListener,
    certificateLogonUrl: `${deps.config.certPublicUrl}/logon`,
    ...extra,
  });
  const gate = (request: FastifyRequest, purpose: CertificateGate['purpose']): CertificateGate => ({
    purpose,
    certificateListener: listener.certificateListener,
    presented: () => checkPresentedCertificate(deps, request),
  });
  const credentials = (body: unknown) => {
    const contractId = formText(body, 'contractId', { maxLength: 11, code: 'CONTRACT_ID_INVALID' });
    if (!isValidContractId(contractId)) throw new AppError('CONTRACT_ID_INVALID', { field: 'contractId' });
    const userId = formText(body, 'userId', { maxLength: userIdLengthMax, code: 'USER_ID_INVALID' });
    if (!isValidUserId(userId)) throw new AppError('USER_ID_INVALID', { field: 'userId' });
    const password = formSecret(body, 'password', { maxLength: passwordInputLengthMax });
    return { contractId, userId, password };
  };

  registerPage(app, deps, {
    path: '/logon',
    access: 'anonymous',
    echo: ['contractId', 'userId'],
    render: async (request, state) => {
      const ended = sentText(request.query, 'ended');
      // R4.4: on the certificate listener, the presented certificate's renewal notice.
      const renewal = listener.certificateListener ? renewalDate(deps, await checkPresentedCertificate(deps, request)) : undefined;
      return logonPage(pageContext(deps, request), request.anonymousCsrf, state, ended, certificates({ renewalDate: renewal }));
    },
    async submit(request, reply) {
      const { token } = await checkPassword(deps, credentials(request.body), requestContext(request), gate(request, 'logon'));
      setSessionCookie(reply, token);
      return '/logon/grid';
    },
  });

  // R4.3: 電子証明書の取得・更新 — the same IDs, password and grid card, without a certificate.
  registerPage(app, deps, {
    path: acquisitionLogonPath,
    access: 'anonymous',
    echo: ['contractId', 'userId'],
    render: (request, state) => acquisitionLogonPage(pageContext(deps, request), request.anonymousCsrf, state, certificates()),
    async submit(request, reply) {
      const { token } = await checkPassword(deps, credentials(request.body), requestContext(request), gate(request, 'certificate'));
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
      return stageHome[done.stage];
    },
  });

  // Logging off needs the session's CSRF token like every other form; it works at any stage.
  app.post('/logout', async (request, reply) => {
    const found = await resumeRequestSession(deps, request);
    const sent = sentText(request.body, '_csrf');
    if ('live' in found && sent !== undefined && secretsEqual(sent, found.live.session.csrf_token)) {
      await endSession(deps.db, found.live.session.id, 'logout', deps.clock.now());
      clearSessionCookie(reply);
      return reply.redirect('/logon?ended=logout', 303);
    }
    if (!('live' in found)) clearSessionCookie(reply);
    return reply.redirect('live' in found ? '/status' : '/logon', 303);
  });
}
