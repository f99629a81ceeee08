import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError, expectedFailureOf } from '../../errors.ts';
import { secretsEqual } from '../../crypto/compare.ts';
import { registerPage } from '../../web/page-route.ts';
import { sentText } from '../../web/form-input.ts';
import { clearSessionCookie, pageContext, requestContext } from '../../web/request-context.ts';
import type { LiveSession } from '../../access/sessions.ts';
import { resumeRequestSession } from '../../access/request-session.ts';
import { acquireWithSession, acquisitionView } from './service.ts';
import { acquirePage } from './views.ts';
import { dayText } from '../../web/day.ts';
import { replyJsonFailure } from '../../web/error-status.ts';
import { tokyoDate } from '../../domain/business-days.ts';

const acquirePath = '/certificate/acquire';
/** A browser's P-256 or RSA-4096 request is under 2 KiB of PEM; this bound stops anything else before it is parsed. */
const requestPemCharsMax = 8192;

/** The certificate-acquire pages (R4.3): the page the acquisition logon leads to, and its JSON endpoint. */
export function certificateAcquireRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: acquirePath,
    access: 'certificate',
    async render(request) {
      return acquirePage(pageContext(deps, request), {
        live: request.live,
        view: await acquisitionView(deps, request.live),
        certificateLogonUrl: `${deps.config.certPublicUrl}/logon`,
      });
    },
  });

  // The browser's script posts the certificate request and reads JSON: a redirect would lose the
  // certificate. Refusals answer JSON too, in the person's language, for the script to show.
  app.post(acquirePath, { config: { answersJson: true } }, async (request, reply) => {
    try {
      const live = await admitAcquisition(deps, request, reply);
      const csr = sentText(request.body, 'csr');
      if (csr === undefined || csr.length === 0 || csr.length > requestPemCharsMax) throw new AppError('CERT_REQUEST_INVALID');
      const replaceExisting = sentText(request.body, 'replace') === 'yes';
      const issued = await acquireWithSession(deps, live, csr, { replaceExisting, ...requestContext(request) });
      clearSessionCookie(reply);
      const { t } = pageContext(deps, request);
      return reply.type('application/json; charset=utf-8').send({
        certificatePem: issued.certificatePem,
        authorityCertificatePem: issued.authorityCertificatePem,
        notAfter: issued.notAfter.toISOString(),
        // The last day as the page shows days (src/domain/display-date.ts), for the script to show as it is.
        notAfterShown: dayText(t, tokyoDate(issued.notAfter)),
      });
    } catch (error) {
      const expected = expectedFailureOf(error);
      if (!expected) throw error;
      if (expected !== error) request.log.warn({ err: error }, 'database unavailable');
      return replyJsonFailure(reply, pageContext(deps, request).t, expected);
    }
  });
}

/**
 * The same admission as a page of stage 'certificate' (registerPage), answered as errors instead
 * of redirects: a live session at that stage, and its CSRF token in the body.
 */
async function admitAcquisition(deps: Deps, request: FastifyRequest, reply: FastifyReply): Promise<LiveSession> {
  const found = await resumeRequestSession(deps, request);
  if (!('live' in found)) {
    clearSessionCookie(reply);
    throw new AppError('SESSION_REQUIRED');
  }
  if (found.live.session.stage !== 'certificate') throw new AppError('CERT_ACQUIRE_STAGE');
  const sent = sentText(request.body, '_csrf');
  if (sent === undefined || !secretsEqual(sent, found.live.session.csrf_token)) throw new AppError('CSRF_INVALID');
  return found.live;
}
