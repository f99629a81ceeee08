import { html, type Html } from '../../web/html.ts';
import { tokenCodeInput } from '../../web/token-field.ts';
import type { TokenAsk } from '../../access/hardware-token/requirement.ts';
import { csrfField } from '../../web/layout.ts';
import { errorSummary, field, submitButton, type FormState } from '../../web/form.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import type { Account } from '../../db/schema.ts';
import { emailLengthMax, userIdLengthMax } from '../../domain/identifiers.ts';
import { businesses, grantOf, hasLimits, hasSteps, roleOf, steps, type Business, type Grant, type Person } from '../../domain/permissions.ts';
import type { CardState, PersonRecord } from './repository.ts';
import type { FormModel } from './form-model.ts';
import { accountFieldName, checkboxName, dailyName, displayNameLengthMax, perTransactionName, stepName, yenTextLengthMax } from './form-input.ts';

/** The users pages (R1.4): the list, the person form (create and change) and the status actions. */

export function formatYen(amount: bigint): string {
  return amount.toLocaleString('en-US');
}

export function roleLabel(t: Translate, person: Person): string {
  return t(`users.role.${roleOf(person)}`);
}

function businessLabel(t: Translate, business: Business): string {
  return t(`users.business.${business}`);
}

/** "資金移動（振込・振替）：登録・承認" — what a person may do, one business a line. */
export function permissionsSummary(t: Translate, grants: readonly Grant[]): Html {
  const ordered = businesses.map((b) => grants.find((g) => g.business === b)).filter((g): g is Grant => g !== undefined);
  if (ordered.length === 0) return html`${t('users.noPermissions')}`;
  const lines = ordered.map((grant) => {
    const label = businessLabel(t, grant.business);
    if (!hasSteps(grant.business)) return label;
    return t('users.withSteps', { business: label, steps: grant.steps.map((s) => t(`users.step.${s}`)).join(t('users.stepSeparator')) });
  });
  return html`${lines.map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`)}`;
}

/** The card column of the list is short; a person's page names the serial. */
export function cardLabel(t: Translate, card: CardState | undefined, withSerial = true): string {
  if (card?.validSerial) return withSerial ? t('users.card.valid', { serial: card.validSerial }) : t('users.card.issued');
  if (card?.requested) return t('users.card.requested');
  return t('users.card.none');
}

export function usersTable(t: Translate, people: readonly PersonRecord[], cards: Map<number, CardState>): Html {
  return html`<table class="uses people">
<thead><tr><th>${t('users.col.userId')}</th><th>${t('users.col.name')}</th><th>${t('users.col.role')}</th><th>${t('users.col.status')}</th><th>${t('users.col.permissions')}</th><th>${t('users.col.stopped')}</th><th>${t('users.col.card')}</th></tr></thead>
<tbody>
${people.map(
  ({ user, person }) => html`<tr class="${user.status}" data-user-id="${user.user_id}">
<td><a href="/users/${user.user_id}">${user.user_id}</a></td>
<td>${user.display_name}</td>
<td>${roleLabel(t, person)}</td>
<td>${t(`users.status.${user.status}`)}</td>
<td>${permissionsSummary(t, person.grants)}</td>
<td>${user.stopped_at ? html`<span class="warning">${t('users.stopped.yes')}</span>` : t('users.stopped.no')}</td>
<td>${cardLabel(t, cards.get(user.id), false)}</td>
</tr>`,
)}
</tbody>
</table>`;
}

/**
 * R7.3: the address notices go to, marked when its owner never confirmed it, and an address an
 * administrator set that waits for its owner's code — which receives nothing until then.
 */
function addressFacts(t: Translate, user: PersonRecord['user']): Html {
  const inUse = user.email ? html`${user.email}${user.email_confirmed_at ? '' : html` <span class="warning">${t('users.email.notConfirmed')}</span>`}` : t('email.none');
  const waiting = user.unconfirmed_email ? html`<br><span class="warning" id="email-unconfirmed">${t('users.email.unconfirmed', { email: user.unconfirmed_email })}</span>` : '';
  return html`${inUse}${waiting}`;
}

/** The facts of one person, at the top of their page. */
export function personFacts(t: Translate, record: PersonRecord, card: CardState | undefined): Html {
  const { user, person } = record;
  return html`<dl class="facts">
  <dt>${t('users.col.userId')}</dt><dd>${user.user_id}</dd>
  <dt>${t('users.col.name')}</dt><dd>${user.display_name}</dd>
  <dt>${t('users.field.email')}</dt><dd>${addressFacts(t, user)}</dd>
  <dt>${t('users.col.role')}</dt><dd>${roleLabel(t, person)}</dd>
  <dt>${t('users.col.status')}</dt><dd>${t(`users.status.${user.status}`)}</dd>
  <dt>${t('users.field.stopped')}</dt><dd>${user.stopped_at ? t('users.stopped.yes') : t('users.stopped.no')}</dd>
  <dt>${t('users.col.card')}</dt><dd>${cardLabel(t, card)}</dd>
  <dt>${t('users.col.permissions')}</dt><dd>${permissionsSummary(t, person.grants)}</dd>
</dl>`;
}

function invalid(state: FormState, name: string): Html | '' {
  return state.error?.field === name ? html` aria-invalid="true" aria-describedby="form-error"` : '';
}

function tick(state: FormState, name: string, label: string, checked: boolean): Html {
  return html`<label><input type="checkbox" id="f-${name}" name="${name}" value="1"${checked ? html` checked` : ''}${invalid(state, name)}> ${label}</label>`;
}

/**
 * R1.4: each business with its steps and limits, one group per business. Everything is offered to
 * every administrator; what is beyond the actor's own is refused when submitted, and each limit
 * names the actor's own as its ceiling.
 */
function permissionGroups(t: Translate, state: FormState, model: FormModel, actor: Person): Html {
  const values: Record<string, string> = {};
  for (const business of businesses) {
    values[perTransactionName(business)] = model.grants[business].perTransaction;
    values[dailyName(business)] = model.grants[business].daily;
  }
  const shown: FormState = { error: state.error, values };
  const limit = (name: string, label: MessageKey, ceiling: bigint | null | undefined) =>
    field(shown, {
      name,
      label: ceiling === null || ceiling === undefined ? t(label) : `${t(label)}　${t('users.hint.ceiling', { amount: formatYen(ceiling) })}`,
      inputMode: 'numeric',
      maxLength: yenTextLengthMax,
    });
  return html`${businesses.map((business) => {
    const row = model.grants[business];
    const own = grantOf(actor, business);
    return html`<fieldset class="field grant" data-business="${business}">
  <legend>${businessLabel(t, business)}</legend>
  ${own ? '' : html`<p class="hint">${t('users.hint.notYours')}</p>`}
  ${business === 'user_admin' ? html`<p class="hint">${t('users.hint.userAdmin')}</p>` : ''}
  ${tick(state, checkboxName(business), t('users.field.grant'), row.granted)}
  ${hasSteps(business) ? html`<span class="hint">${t('users.field.steps')}:</span> ${steps.map((step) => tick(state, stepName(business, step), t(`users.step.${step}`), row.steps.has(step)))}` : ''}
  ${hasLimits(business) ? html`${limit(perTransactionName(business), 'users.field.perTransaction', own?.perTransactionLimitYen)}${limit(dailyName(business), 'users.field.daily', own?.dailyLimitYen)}` : ''}
</fieldset>`;
  })}
<p class="hint">${t('users.hint.limits')}</p>`;
}

function accountRow(t: Translate, account: Account): Html {
  return html`<td>${account.branch_code}</td><td>${t(`users.accountType.${account.account_type}`)}</td><td>${account.account_number}</td><td>${account.holder_kana}</td>`;
}

function accountsTable(t: Translate, state: FormState, model: FormModel, accounts: readonly Account[]): Html {
  if (accounts.length === 0) return html`<p class="hint">${t('users.noAccounts')}</p>`;
  return html`<table class="uses accounts">
<thead><tr><th scope="col">${t('users.account.use')}</th><th scope="col">${t('users.account.branch')}</th><th scope="col">${t('users.account.type')}</th><th scope="col">${t('users.account.number')}</th><th scope="col">${t('users.account.holder')}</th></tr></thead>
<tbody>
${accounts.map(
  (account) => html`<tr>
<td><label><input type="checkbox" id="f-account-${account.id}" name="${accountFieldName}" value="${account.id}"${model.accountIds.has(account.id) ? html` checked` : ''}${invalid(state, accountFieldName)}><span class="visually-hidden">${account.branch_code} ${account.account_number}</span></label></td>
${accountRow(t, account)}
</tr>`,
)}
</tbody>
</table>`;
}

function confirmSection(t: Translate, state: FormState, submitLabel: string, token: PersonFormOptions['token']): Html {
  return html`<h2>${t('users.section.confirm')}</h2>
${field(state, { name: 'confirmationPassword', label: t('users.field.confirmationPassword'), type: 'password', autocomplete: 'current-password' })}
<p class="hint">${t('users.hint.confirm')}</p>
${tokenCodeInput(t, state, token)}
${submitButton(submitLabel)}`;
}

export interface PersonFormOptions {
  mode: 'create' | 'change';
  action: string;
  csrfToken: string;
  model: FormModel;
  actor: Person;
  accounts: readonly Account[];
  registrationDays: number;
  /** R6.5: whether the actor's token password is asked, and the end of the grace period. */
  token?: TokenAsk;
}

/** The create and change form: profile, permissions and limits, accounts, the actor's confirmation. */
export function personForm(t: Translate, state: FormState, options: PersonFormOptions): Html {
  const { model } = options;
  const shown: FormState = { error: state.error, values: { userId: model.userId, displayName: model.displayName, email: model.email } };
  const create = options.mode === 'create';
  return html`${errorSummary(t, state)}
<form method="post" action="${options.action}" class="card person-form" novalidate>
  ${csrfField(options.csrfToken)}
  <h2>${t('users.section.profile')}</h2>
  ${create ? field(shown, { name: 'userId', label: t('users.field.userId'), maxLength: userIdLengthMax, pattern: '[A-Za-z0-9]{1,30}' }) : ''}
  ${field(shown, { name: 'displayName', label: t('users.field.name'), maxLength: displayNameLengthMax })}
  ${field(shown, { name: 'email', label: t('users.field.email'), type: 'email', inputMode: 'email', maxLength: emailLengthMax })}
  <p class="hint">${t('users.hint.email')}</p>
  ${
    create
      ? html`${field(shown, { name: 'initialPassword', label: t('users.field.initialPassword'), type: 'password', autocomplete: 'new-password' })}
  ${field(shown, { name: 'initialPasswordRepeat', label: t('users.field.initialPasswordRepeat'), type: 'password', autocomplete: 'new-password' })}
  <p class="hint">${t('password.rules')}</p>
  <p class="hint">${t('users.hint.initialPassword', { days: options.registrationDays })}</p>`
      : ''
  }
  <h2>${t('users.section.permissions')}</h2>
  ${permissionGroups(t, state, model, options.actor)}
  <h2>${t('users.section.accounts')}</h2>
  ${accountsTable(t, shown, model, options.accounts)}
  ${create ? html`<p class="notice">${t('users.hint.card')}</p>` : ''}
  ${confirmSection(t, shown, t(create ? 'users.create.submit' : 'users.change.submit'), options.token)}
</form>`;
}

/** The accounts a person may use, for a page that shows rather than changes them. */
export function accountsList(t: Translate, record: PersonRecord, accounts: readonly Account[]): Html {
  if (record.person.role === 'master') return html`<p class="hint">${t('users.allAccounts')}</p>`;
  const used = accounts.filter((a) => record.person.accountIds.includes(a.id));
  if (used.length === 0) return html`<p class="hint">${t('users.noAccounts')}</p>`;
  return html`<table class="uses accounts">
<thead><tr><th scope="col">${t('users.account.branch')}</th><th scope="col">${t('users.account.type')}</th><th scope="col">${t('users.account.number')}</th><th scope="col">${t('users.account.holder')}</th></tr></thead>
<tbody>${used.map((account) => html`<tr>${accountRow(t, account)}</tr>`)}</tbody>
</table>`;
}

/** Suspend, resume or delete: what will happen, and the actor's confirmation. */
export function statusForm(t: Translate, state: FormState, options: { action: string; csrfToken: string; intro: string; submitLabel: string; token?: TokenAsk }): Html {
  return html`<p>${options.intro}</p>
${errorSummary(t, state)}
<form method="post" action="${options.action}" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  ${confirmSection(t, state, options.submitLabel, options.token)}
</form>`;
}
