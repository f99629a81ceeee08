import { dayText, momentText } from '../../web/day.ts';
import { html, type Html } from '../../web/html.ts';
import { tokenCodeInput } from '../../web/token-field.ts';
import type { TokenAsk } from '../../access/hardware-token/requirement.ts';
import { csrfField } from '../../web/layout.ts';
import { submitButton, type FormState } from '../../web/form.ts';
import type { MessageKey, Translate } from '../../web/i18n/index.ts';
import { sendBackReasonLengthMax } from '../../domain/approval.ts';
import { isExecutionFailure } from '../ledger/execution-failure.ts';
import { field } from './form-input.ts';
import { otpField, otpInput } from './views-otp.ts';
import type { PersonLabel, TransferDetail } from './service.ts';
import { accountTypeLabel, facts, formError, textInput, yen } from './views-controls.ts';
import { bankLabel, branchLabel } from './views-confirm.ts';

/** One transfer (R8.2, R8.5): its facts, its approvals, and the steps this person may take now. */

export type TransferAction = 'approve' | 'send' | 'withdraw' | 'send-back';
export const transferActions: readonly TransferAction[] = ['approve', 'send', 'withdraw', 'send-back'];

const actionKeys: Record<TransferAction, { label: MessageKey; intro: MessageKey }> = {
  approve: { label: 'transferPages.action.approve', intro: 'transferPages.action.approve.intro' },
  send: { label: 'transferPages.action.send', intro: 'transferPages.action.send.intro' },
  withdraw: { label: 'transferPages.action.withdraw', intro: 'transferPages.action.withdraw.intro' },
  'send-back': { label: 'transferPages.action.sendBack', intro: 'transferPages.action.sendBack.intro' },
};

/** The fields of each action's form, besides its key. */
const actionFields: Record<TransferAction, readonly string[]> = {
  approve: [field.confirmationPassword, otpField],
  send: [field.confirmationPassword, otpField],
  withdraw: [],
  'send-back': [field.reason],
};

export function personLabel(t: Translate, person: PersonLabel): string {
  return t('transferPages.person', { name: person.displayName, userId: person.userId });
}

export function statusLabel(t: Translate, status: TransferDetail['status']): string {
  return t(`transferPages.status.${status}`);
}

/** A failure is named by its reason's message; a send-back reason is the approver's own words. */
function reasonText(t: Translate, detail: TransferDetail): string | undefined {
  const reason = detail.statusReason;
  if (reason === null) return undefined;
  return detail.status === 'failed' && isExecutionFailure(reason) ? t(`ledger.failure.${reason}`) : reason;
}

export function detailFacts(t: Translate, detail: TransferDetail): Html {
  const reason = reasonText(t, detail);
  return facts([
    [t('transferPages.col.id'), html`<span id="transfer-id">${detail.id.toString()}</span>`],
    [t('transferPages.col.status'), html`<span class="status ${detail.status}" id="transfer-status" data-status="${detail.status}">${statusLabel(t, detail.status)}</span>`],
    ...(reason === undefined ? [] : [[t('transferPages.col.statusReason'), reason] as const]),
    [t('transferPages.col.from'), t('transferPages.account.label', { branch: detail.fromAccount.branchCode, type: accountTypeLabel(t, detail.fromAccount.accountType), number: detail.fromAccount.accountNumber })],
    [t('transferPages.col.payeeKind'), t(detail.to.payeeId === null ? 'transferPages.payeeKind.adHoc' : 'transferPages.payeeKind.registered')],
    [t('transferPages.col.bank'), bankLabel(t, detail.to)],
    [t('transferPages.col.branch'), branchLabel(t, detail.to)],
    [t('transferPages.col.account'), t('transferPages.accountText', { type: accountTypeLabel(t, detail.to.accountType), number: detail.to.accountNumber })],
    [t('transferPages.col.name'), html`<span class="kana">${detail.to.nameKana}</span>`],
    [t('transferPages.col.amount'), yen(t, detail.amountYen)],
    [t('transferPages.col.fee'), yen(t, detail.feeYen)],
    [t('transferPages.col.total'), html`<strong>${yen(t, detail.amountYen + detail.feeYen)}</strong>`],
    [t('transferPages.col.executionDate'), dayText(t, detail.executionDate)],
    [t('transferPages.col.approvals'), detail.approvalsRequired > 0 ? `${detail.approvalsDone} / ${detail.approvalsRequired}` : t('transferPages.approvals.notRequired')],
    [t('transferPages.col.createdBy'), personLabel(t, detail.createdBy)],
    [t('transferPages.col.createdAt'), momentText(t, detail.createdAt)],
    ...(detail.sentBy && detail.sentAt ? [[t('transferPages.col.sentAt'), `${momentText(t, detail.sentAt)} ${personLabel(t, detail.sentBy)}`] as const] : []),
    ...(detail.completedAt ? [[t('transferPages.col.completedAt'), momentText(t, detail.completedAt)] as const] : []),
  ]);
}

function history(t: Translate, detail: TransferDetail): Html {
  if (detail.approvals.length === 0) return html`<p class="hint">${t('transferPages.history.none')}</p>`;
  return html`<table class="uses approvals-history">
<thead><tr><th scope="col">${t('transferPages.history.stepColumn')}</th><th scope="col">${t('transferPages.history.by')}</th><th scope="col">${t('transferPages.history.at')}</th></tr></thead>
<tbody>${detail.approvals.map((a) => html`<tr><td>${t('transferPages.history.step', { step: a.step })}</td><td>${personLabel(t, a.by)}</td><td>${momentText(t, a.at)}</td></tr>`)}</tbody>
</table>`;
}

export interface DetailOptions {
  csrfToken: string;
  /** One fresh idempotency key per form (R8.6): a double submit of that form is one step. */
  keys: Record<TransferAction, string>;
  /** The action whose submission failed, whose form shows the error. */
  failed: TransferAction | undefined;
  /** R5.2: the email one-time password, when this person's approval or send finalises the transfer (views-otp.ts). */
  otpSection: Html | undefined;
  /** R6.5: the token password asked by the step that finalises an ad hoc transfer, by action. */
  tokenAsks?: Partial<Record<TransferAction, TokenAsk>>;
}

function allowed(detail: TransferDetail, action: TransferAction): boolean {
  if (action === 'approve') return detail.mayApprove;
  if (action === 'send') return detail.maySend;
  if (action === 'withdraw') return detail.mayWithdraw;
  return detail.maySendBack;
}

function actionForm(t: Translate, state: FormState, detail: TransferDetail, action: TransferAction, options: DetailOptions): Html {
  const mine: FormState = options.failed === action ? state : {};
  const keys = actionKeys[action];
  const path = `/transfers/${detail.id.toString()}/${action}`;
  return html`<section class="action" id="action-${action}">
<h3>${t(keys.label)}</h3>
<p class="hint">${t(keys.intro)}</p>
${formError(t, mine, actionFields[action])}
<form method="post" action="${path}" class="card" novalidate>
  ${csrfField(options.csrfToken)}
  <input type="hidden" name="${field.idempotencyKey}" value="${options.keys[action]}">
  ${options.otpSection && ((action === 'approve' && detail.approvalSends) || action === 'send') ? otpInput(t, mine) : ''}
  ${tokenCodeInput(t, mine, options.tokenAsks?.[action])}
  ${
    action === 'approve' || action === 'send'
      ? textInput(t, mine, { name: field.confirmationPassword, label: t('transferPages.field.confirmationPassword'), value: '', type: 'password', autocomplete: 'current-password', hint: t('transferPages.hint.confirmationPassword') })
      : ''
  }
  ${
    action === 'send-back'
      ? textInput(t, mine, { name: field.reason, label: t('transferPages.field.reason', { max: sendBackReasonLengthMax }), value: mine.values?.[field.reason] ?? '', maxLength: sendBackReasonLengthMax, size: 'long' })
      : ''
  }
  ${submitButton(t(keys.label))}
</form>
</section>`;
}

/** R8.5: whose turn it is, by name, or that nobody may take the step (a permission to set). */
export function awaitedNote(t: Translate, awaited: TransferDetail['awaited']): Html | '' {
  if (!awaited) return '';
  const names = awaited.people.map((person) => person.displayName).join(t('transferPages.awaited.separator'));
  const text = awaited.people.length === 0 ? t(`transferPages.awaited.${awaited.step}.nobody`) : t(`transferPages.awaited.${awaited.step}`, { names });
  return html`<p class="notice" id="awaited" data-step="${awaited.step}">${text}</p>`;
}

export function detailPage(t: Translate, state: FormState, detail: TransferDetail, options: DetailOptions): Html {
  const actions = transferActions.filter((action) => allowed(detail, action));
  // A refusal of a step this person can no longer take (another person was quicker) is shown above.
  const orphanError = options.failed !== undefined && !actions.includes(options.failed) ? formError(t, state, []) : '';
  return html`${orphanError}
<p class="notice status-note" role="status">${t(`transferPages.result.${detail.status}`)}</p>
${awaitedNote(t, detail.awaited)}
${detailFacts(t, detail)}
<h2>${t('transferPages.history')}</h2>
${history(t, detail)}
<h2>${t('transferPages.actions')}</h2>
${options.otpSection ?? ''}
${actions.length === 0 ? html`<p class="hint">${t('transferPages.actions.none')}</p>` : actions.map((action) => actionForm(t, state, detail, action, options))}
<p><a href="/transfers">${t('transferPages.back.list')}</a> ・ <a href="/approvals">${t('transferPages.back.approvals')}</a></p>`;
}
