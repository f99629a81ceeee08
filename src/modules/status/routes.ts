import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.ts';
import { html } from '../../web/html.ts';
import { layout } from '../../web/layout.ts';
import { registerPage } from '../../web/page-route.ts';
import { pageContext, sessionChrome } from '../../web/request-context.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import { statusSummary } from './service.ts';
import { homeFacts } from './home.ts';
import { balancesSection, bankNoticesSection, waitingSection } from './home-views.ts';
import { momentText } from '../../web/day.ts';

const methodLabel: Record<string, MessageKey> = { password: 'method.password', registration: 'method.registration' };

/** The top page [トップページ / ステータス] (R7.2, R2.6, R4.4, R5.1, R8.1, R8.5), where every completed logon lands. */
export function statusRoutes(app: FastifyInstance, deps: Deps): void {
  registerPage(app, deps, {
    path: '/status',
    access: 'active',
    async render(request) {
      const page = pageContext(deps, request);
      const { t } = page;
      const { user, contract } = request.live;
      const summary = await statusSummary(deps, request.live);
      const home = await homeFacts(deps, request.live);
      const passwordNotices = summary.agedPasswords.map(
        (kind) => html`<li>${t('status.notice.passwordAge', { kind: t(kind === 'login' ? 'password.kind.login' : 'password.kind.confirmation'), days: deps.config.passwordMaxAgeDays })}
  <a href="/settings/password?kind=${kind}">${t('status.notice.changeNow')}</a></li>`,
      );
      const notices = [
        ...passwordNotices,
        ...(home.certificateExpiry ? [html`<li id="notice-certificate">${t('home.notice.certificateExpiry', { date: home.certificateExpiry })}</li>`] : []),
        ...(home.otpAddressMissing
          ? [html`<li id="notice-otp-address">${t('home.notice.otpAddressMissing')} <a href="/settings/otp-address">${t('home.notice.registerOtpAddress')}</a></li>`]
          : []),
      ];
      const body = html`<p class="welcome">${t('status.welcome', { company: contract.company_name, name: user.display_name })}</p>
${notices.length > 0 ? html`<section class="security-notice" role="alert"><h2>${t('status.notice.title')}</h2><ul>${notices}</ul></section>` : ''}
${bankNoticesSection(t, home.bankNotices)}
${waitingSection(t, home.waiting)}
${balancesSection(t, home.balances)}
<dl class="facts">
  <dt>${t('status.contractId')}</dt><dd>${contract.id}</dd>
  <dt>${t('status.userId')}</dt><dd>${user.user_id}</dd>
  <dt>${t('status.email')}</dt><dd>${user.email ?? t('email.none')}</dd>
</dl>
<section>
<h2>${t('status.recent')}</h2>
<p class="${summary.failuresSinceLastLogon > 0 ? 'warning' : 'hint'}" id="failures-since">${
        summary.failuresSinceLastLogon > 0 ? t('status.failuresSince', { count: summary.failuresSinceLastLogon }) : t('status.noFailures')
      }</p>
<table class="uses">
<thead><tr><th>${t('status.when')}</th><th>${t('status.ip')}</th><th>${t('status.method')}</th><th>${t('status.result')}</th></tr></thead>
<tbody>
${summary.recentUses.map(
  (use) => html`<tr class="${use.outcome}"><td>${momentText(t, use.at)}</td><td>${use.ip ?? '-'}</td><td>${
    use.method && methodLabel[use.method] ? t(methodLabel[use.method]!) : '-'
  }</td><td>${t(use.outcome === 'success' ? 'status.result.success' : 'status.result.failure')}</td></tr>`,
)}
</tbody>
</table>
<p class="hint">${t('status.recentHint')}</p>
</section>`;
      return layout(page, 'status.title', body, sessionChrome(deps, request.live));
    },
  });
}
