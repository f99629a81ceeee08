import { html, type Html } from '../../../web/html.ts';
import type { Translate } from '../../../web/i18n/index.ts';
import type { TokenAssignReason } from '../../../db/schema-tokens.ts';
import { formatYen } from '../../../domain/money.ts';
import type { ChangeKind } from '../../../modules/contracts/application-payload.ts';
import type { ApplicationRow } from '../../../modules/contracts/console-queries.ts';
import { tokenPaths } from '../token-paths.ts';
import { dayText } from '../../../web/day.ts';

/**
 * The hardware-token applications (R6.2) on the console's application pages: what an import or an
 * assignment asks for, and what its approval did. Never a secret: an import's payload carries its
 * tokens' sealed secrets, of which only the serials and expiry dates are shown.
 */
export const tokenKinds: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['import_tokens', 'assign_token']);

interface ImportedToken {
  serial: string;
  expires: string;
}

function importedTokens(payload: Record<string, unknown>): ImportedToken[] {
  const tokens = Array.isArray(payload.tokens) ? (payload.tokens as Record<string, unknown>[]) : [];
  return tokens.map((token) => ({ serial: String(token.serial), expires: String(token.expires) }));
}

/** An application without a contract: an onboarding makes one; a token import is the bank's own stock. */
export function withoutContract(t: Translate, kind: ChangeKind): string {
  return t(kind === 'import_tokens' ? 'tokens.console.application.bankStock' : 'operatorConsole.application.newContract');
}

export function assignReasonLabel(t: Translate, reason: TokenAssignReason | string): string {
  return t(`tokens.console.reason.${reason as TokenAssignReason}`);
}

/** One line for the application tables. */
export function tokenPayloadSummary(t: Translate, row: Pick<ApplicationRow, 'kind' | 'payload'>): string {
  if (row.kind === 'assign_token') {
    return t('tokens.console.application.assignSummary', { serial: String(row.payload.serial), reason: assignReasonLabel(t, String(row.payload.reason)) });
  }
  const tokens = importedTokens(row.payload);
  if (tokens.length === 1) return t('tokens.console.application.importSingle', { serial: tokens[0]!.serial });
  return t('tokens.console.application.importSummary', { count: tokens.length, first: tokens[0]?.serial ?? '', last: tokens.at(-1)?.serial ?? '' });
}

/** The approver checks the file's tokens against the vendor's delivery note: each serial with its expiry date. */
export function importedTokensTable(t: Translate, row: Pick<ApplicationRow, 'kind' | 'payload'>): Html | '' {
  if (row.kind !== 'import_tokens') return '';
  const tokens = importedTokens(row.payload);
  return html`<h2>${t('tokens.console.application.tokens', { count: tokens.length })}</h2>
<div class="scroll"><table class="uses tokens" id="imported-tokens">
<thead><tr><th>${t('tokens.console.column.serial')}</th><th>${t('tokens.console.column.expires')}</th></tr></thead>
<tbody>${tokens.map((token) => html`<tr data-serial="${token.serial}"><td>${token.serial}</td><td>${dayText(t, token.expires)}</td></tr>`)}</tbody></table></div>`;
}

/** What the approver checks before approving: the vendor's delivery note, or the customer's application and the fee. */
export function tokenApproveIntro(t: Translate, kind: ChangeKind): string {
  return t(kind === 'import_tokens' ? 'tokens.console.application.approveImport' : 'tokens.console.application.approveAssign');
}

/** What the approval of a token application did, as the application keeps it. */
export function tokenResultFacts(t: Translate, row: Pick<ApplicationRow, 'kind' | 'result'>): Html {
  const result = row.result ?? {};
  const facts: [string, Html | string][] = [];
  if (row.kind === 'import_tokens') {
    facts.push([t('tokens.console.result.imported'), t('tokens.console.result.importedValue', { count: Number(result.imported ?? 0) })]);
  } else {
    const serial = String(result.serial ?? '');
    const fee = BigInt(String(result.feeYen ?? '0'));
    facts.push([t('tokens.console.result.serial'), html`<a href="${tokenPaths.token(serial)}">${serial}</a>`]);
    facts.push([t('tokens.console.result.reason'), assignReasonLabel(t, String(result.reason ?? ''))]);
    facts.push([t('tokens.console.result.fee'), fee > 0n ? t('tokens.console.result.feeValue', { fee: formatYen(fee) }) : t('tokens.console.result.free')]);
  }
  return html`<dl class="facts" id="application-result">${facts.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}
