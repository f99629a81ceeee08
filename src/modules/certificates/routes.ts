import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { noticeBox, type FormState } from '../../web/form.ts';
import { registerPage, type PageRequest } from '../../web/page-route.ts';
import { sentText } from '../../web/form-input.ts';
import { pageContext, requestContext, sessionChrome } from '../../web/request-context.ts';
import { isValidUserId } from '../../domain/identifiers.ts';
import { daySeconds } from '../../domain/tokyo-time.ts';
import { confirmationPasswordField } from '../users/form-input.ts';
import { certificatesOverview, reissueCertificate, reissuePage } from './administration.ts';
import { authorityCertificateDer, crlCacheSeconds, currentCrl } from './crl.ts';
import { certificatesTable, reissueForm, validUntil } from './views.ts';

function userIdParam(request: PageRequest<'active'>): string {
  const userId = sentText(request.params, 'userId');
  if (userId === undefined || !isValidUserId(userId)) throw new AppError('NOT_FOUND');
  return userId;
}

/**
 * R4.5: the master's certificates page (reissue of approvers' and general users' certificates) and
 * the CA's public files: its revocation list and its certificate, which need no session.
 */
export function certificatesRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: '/certificates',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const { t } = page;
      const overview = await certificatesOverview(deps, request.live, requestContext(request));
      const user = sentText(request.query, 'user');
      const reissued = sentText(request.query, 'done') === 'reissued' && user !== undefined && isValidUserId(user) ? user : undefined;
      const body = html`${noticeBox(reissued ? t('certificates.done.reissued', { userId: reissued }) : undefined)}
<p class="${overview.required ? 'hint' : 'notice'}" id="certificate-mode">${t(overview.required ? 'certificates.required' : 'certificates.notRequired')}</p>
<p>${t('certificates.intro')}</p>
<p class="hint">${t('certificates.masterByBank')}</p>
${certificatesTable(t, overview, deps.clock.now())}`;
      return layout(page, 'certificates.title', body, sessionChrome(deps, request.live));
    },
  });

  registerPage(app, deps, {
    path: '/certificates/:userId/reissue',
    access: 'active',
    async render(request, state: FormState) {
      const page = pageContext(deps, request);
      const { t } = page;
      const chrome = sessionChrome(deps, request.live);
      const userId = userIdParam(request);
      // A refused submission shows its error on the page; a page opened afresh is refused outright.
      const found = await reissuePage(deps, request.live, userId).catch((error: unknown) => {
        if (state.error) return undefined;
        throw error;
      });
      const intro = found
        ? t('certificates.reissue.intro', {
            userId: found.subject.user.user_id,
            name: found.subject.user.display_name,
            serial: found.certificate.serial_hex,
            validUntil: validUntil(found.certificate),
          })
        : '';
      const body = html`${reissueForm(t, state, { action: `/certificates/${userId}/reissue`, csrfToken: chrome.csrfToken, intro })}
<p><a href="/certificates">${t('certificates.back')}</a></p>`;
      return layout(page, 'certificates.reissue.title', body, chrome);
    },
    async submit(request) {
      const userId = userIdParam(request);
      await reissueCertificate(deps, request.live, userId, confirmationPasswordField(request.body), requestContext(request));
      return `/certificates?done=reissued&user=${encodeURIComponent(userId)}`;
    },
  });

  // R4.5: public, no session. Cached briefly: a revocation shows in the list within minutes.
  app.get('/pki/crl', async (_request, reply) => {
    const der = await currentCrl(deps);
    return reply.type('application/pkix-crl').header('cache-control', `public, max-age=${crlCacheSeconds}`).send(Buffer.from(der));
  });
  app.get('/pki/ca.crt', async (_request, reply) => {
    const der = await authorityCertificateDer(deps);
    return reply.type('application/pkix-cert').header('cache-control', `public, max-age=${daySeconds}`).send(Buffer.from(der));
  });
}
