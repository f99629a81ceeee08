import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../errors.ts';
import { secretsEqual } from '../../../crypto/compare.ts';
import { formSecret, formText, sentText } from '../../../web/form-input.ts';
import { pageContext, requestContext } from '../../../web/request-context.ts';
import { answerStaffTotp, checkStaffPassword } from '../../staff/logon.ts';
import { endStaffSession, resumeStaffSession } from '../../../access/staff-sessions.ts';
import { totpDigits } from '../../staff/totp.ts';
import { clearStaffSessionCookie, setStaffSessionCookie, staffSessionCookie } from '../cookies.ts';
import type { FormState } from '../../../web/form.ts';
import { chromeOf, consoleGet, consolePost, consoleStageHome, consoleStageOf, type ConsoleRequest } from '../page-route.ts';
import { consolePaths } from '../paths.ts';
import { staffLogonPage, staffTotpPage } from '../views/logon.ts';

/** Long enough for any real password, short enough that a huge input is refused before hashing. */
const passwordInputLengthMax = 128;
const loginInputLengthMax = 32;

export function logonRoutes(app: FastifyInstance, deps: Deps): void {
  const logonPage = (request: ConsoleRequest<'anonymous'>, state: FormState) => {
    return staffLogonPage(pageContext(deps, request), request.anonymousCsrf, state, sentText(request.query, 'ended'));
  };
  consoleGet(app, deps, { path: consolePaths.logon, access: 'anonymous', render: logonPage });
  consolePost(app, deps, {
    path: consolePaths.logon,
    access: 'anonymous',
    echo: ['login'],
    render: logonPage,
    async submit(request, reply) {
      const login = formText(request.body, 'login', { maxLength: loginInputLengthMax, code: 'OPERATOR_LOGON_FAILED' });
      const password = formSecret(request.body, 'password', { maxLength: passwordInputLengthMax, code: 'OPERATOR_LOGON_FAILED' });
      const { token } = await checkStaffPassword(deps, { login, password }, requestContext(request));
      setStaffSessionCookie(reply, token);
      return consolePaths.totp;
    },
  });

  const totpPage = (request: ConsoleRequest<'totp'>, state: FormState) =>
    staffTotpPage(pageContext(deps, request), chromeOf(deps, request.staffLive), state);
  consoleGet(app, deps, { path: consolePaths.totp, access: 'totp', render: totpPage });
  consolePost(app, deps, {
    path: consolePaths.totp,
    access: 'totp',
    render: totpPage,
    async submit(request, reply) {
      const code = formText(request.body, 'code', { maxLength: totpDigits, code: 'OPERATOR_TOTP_FAILED' });
      if (!new RegExp(`^[0-9]{${totpDigits}}$`).test(code)) throw new AppError('OPERATOR_TOTP_FAILED', { field: 'code' });
      const { token, live } = await answerStaffTotp(deps, request.staffLive, code, requestContext(request));
      setStaffSessionCookie(reply, token);
      // Straight to where the new session belongs: the password change while IT's password is in force.
      return consoleStageHome[consoleStageOf(live)];
    },
  });

  // Logging off needs the session's CSRF token like every other form, at either stage.
  app.post(consolePaths.logout, async (request, reply) => {
    const found = await resumeStaffSession(deps, request.cookies[staffSessionCookie]);
    const sent = sentText(request.body, '_csrf');
    if ('live' in found && sent !== undefined && secretsEqual(sent, found.live.session.csrf_token)) {
      await endStaffSession(deps.db, found.live.session.id, 'logout', deps.clock.now());
      clearStaffSessionCookie(reply);
      return reply.redirect(`${consolePaths.logon}?ended=logout`, 303);
    }
    if (!('live' in found)) clearStaffSessionCookie(reply);
    return reply.redirect('live' in found ? consolePaths.home : consolePaths.logon, 303);
  });
}
