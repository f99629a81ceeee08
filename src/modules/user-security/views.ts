import { html, type Html } from '../../web/html.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, submitButton, type FormState } from '../../web/form.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { lockoutFailuresMax } from '../../access/attempts.ts';
import type { SubjectView } from './service.ts';
import { tokenSection } from './token-views.ts';
import { tokenCodeInput } from '../../web/token-field.ts';
import { secretInput, subjectPath, type SubjectForm } from './secret-input.ts';
import { momentText } from '../../web/day.ts';

export { subjectPath, type SubjectForm } from './secret-input.ts';

export const roleKey = {
  master: 'userSecurity.role.master',
  admin_user: 'userSecurity.role.admin_user',
  general_user: 'userSecurity.role.general_user',
} as const;

export function subjectPage(
  t: Translate,
  csrfToken: string,
  view: SubjectView,
  state: FormState,
  posted: SubjectForm,
  done: string | undefined,
): Html {
  const { subject } = view;
  const path = subjectPath(subject.user_id);
  const stateText = subject.stopped_at
    ? t('userSecurity.state.stopped', { at: momentText(t, subject.stopped_at) })
    : subject.status === 'suspended'
      ? t('userSecurity.state.suspended')
      : t('userSecurity.state.usable');
  const pending = [
    subject.must_change_login ? t('password.kind.login') : '',
    subject.must_change_confirmation ? t('password.kind.confirmation') : '',
  ].filter(Boolean);
  const kind = state.values?.kind === 'confirmation' ? 'confirmation' : 'login';

  const lift = view.liftRefusal
    ? html`<p class="hint" id="lift-refused">${t('userSecurity.lift.operatorOnly')}</p>`
    : !subject.stopped_at
      ? html`<p class="hint" id="lift-not-stopped">${t('userSecurity.lift.notStopped')}</p>`
      : html`<p>${t('userSecurity.lift.intro')}</p>
<form method="post" action="${path}/lift" class="card" novalidate>
  ${csrfField(csrfToken)}
  ${secretInput(state, 'lift', posted, 'confirmationPassword', t('userSecurity.confirmationPassword'), 'current-password')}
  ${tokenCodeInput(t, posted === 'lift' ? state : {}, view.tokenAsk)}
  ${submitButton(t('userSecurity.lift.submit'))}
</form>`;

  const reset = view.resetRefusal
    ? html`<p class="hint" id="reset-refused">${t(view.resetRefusal === 'PASSWORD_RESET_SELF' ? 'error.PASSWORD_RESET_SELF' : 'userSecurity.reset.operatorOnly')}</p>`
    : html`<p>${t('userSecurity.reset.intro')}</p>
<p class="hint">${t('password.rules')}</p>
<form method="post" action="${path}/reset" class="card" novalidate>
  ${csrfField(csrfToken)}
  <fieldset class="field"><legend>${t('userSecurity.reset.kind')}</legend>
    <label><input type="radio" name="kind" value="login"${kind === 'login' ? html` checked` : ''}> ${t('password.kind.login')}</label>
    <label><input type="radio" name="kind" value="confirmation"${kind === 'confirmation' ? html` checked` : ''}> ${t('password.kind.confirmation')}</label>
  </fieldset>
  ${secretInput(state, 'reset', posted, 'temporary', t('userSecurity.reset.temporary'), 'new-password')}
  ${secretInput(state, 'reset', posted, 'temporaryRepeat', t('userSecurity.reset.temporaryRepeat'), 'new-password')}
  ${secretInput(state, 'reset', posted, 'confirmationPassword', t('userSecurity.confirmationPassword'), 'current-password')}
  ${tokenCodeInput(t, posted === 'reset' ? state : {}, view.tokenAsk)}
  ${submitButton(t('userSecurity.reset.submit'))}
</form>`;

  return html`${done ? html`<div class="notice" role="status">${done}</div>` : ''}
${errorSummary(t, state)}
<dl class="facts">
  <dt>${t('userSecurity.userId')}</dt><dd>${subject.user_id}</dd>
  <dt>${t('userSecurity.name')}</dt><dd>${subject.display_name}</dd>
  <dt>${t('userSecurity.role')}</dt><dd>${t(roleKey[view.subjectKind])}</dd>
  <dt>${t('userSecurity.state')}</dt><dd id="subject-state">${stateText}</dd>
  <dt>${t('userSecurity.failures')}</dt><dd>${t('userSecurity.failuresValue', { count: subject.failed_attempts, max: lockoutFailuresMax })}</dd>
  <dt>${t('userSecurity.pending')}</dt><dd id="subject-pending">${pending.length > 0 ? pending.join(t('securityPage.separator')) : t('userSecurity.pending.none')}</dd>
</dl>
<section id="lift">
<h2>${t('userSecurity.lift.title')}</h2>
${lift}
</section>
<section id="reset">
<h2>${t('userSecurity.reset.title')}</h2>
${reset}
</section>
${tokenSection(t, csrfToken, view, state, posted)}
<p><a href="/security">${t('userSecurity.back')}</a></p>`;
}

/** What is left of the page when the actor may not see the person: the error alone. */
export function refusedPage(t: Translate, state: FormState): Html {
  return html`${errorSummary(t, state)}<p><a href="/security">${t('userSecurity.back')}</a></p>`;
}
