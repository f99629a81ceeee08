import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { html } from '../web/html.ts';
import { gridColumns, gridRows } from '../auth/grid-card.ts';
import type { IssuedCard } from '../modules/contracts/service.ts';
import { formatDay } from '../domain/display-date.ts';
import { tokyoDate } from '../domain/business-days.ts';

/** The card's last day in Japan time, in both languages as the card is printed: '2031年4月1日（火） / 2031-04-01 (Tue)'. */
function validUntil(expiresAt: Date): string {
  const day = tokyoDate(expiresAt);
  return `${formatDay(day, 'ja')} / ${formatDay(day, 'en')}`;
}

/**
 * R3.3: a printable card per person. The page carries its own style (it is a file to print, not a
 * page served under the CSP) and is written readable by its owner only: it is the card.
 */
export function gridCardHtml(card: IssuedCard, holder: { bankName: string; companyName: string; contractId: string; userId: string }): string {
  const rows = gridRows(card.digits);
  return html`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>乱数表 ${card.serial}</title>
<style>
body { font-family: "Noto Sans CJK JP", sans-serif; margin: 2em; }
.card { border: 2px solid #0b4f8a; border-radius: 8px; width: 32em; padding: 1em 1.5em; }
table { border-collapse: collapse; margin: .8em 0; }
th, td { border: 1px solid #333; width: 2.4em; height: 2em; text-align: center; font-size: 1.3em; font-family: monospace; }
th { background: #e3ecf5; }
.meta { font-size: .9em; }
.warn { font-size: .8em; color: #a40e26; }
</style></head>
<body><div class="card">
<strong>${holder.bankName} 法人インターネットバンキング　乱数表（ご利用者カード）</strong>
<p class="meta">カード番号 / Card No.: ${card.serial}<br>有効期限 / Valid until: ${validUntil(card.expiresAt)}<br>
契約者ID: ${holder.contractId}　利用者ID: ${holder.userId}<br>${holder.companyName}</p>
<table><thead><tr><th></th>${gridColumns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${rows.map((row, r) => html`<tr><th>${r + 1}</th>${row.map((d) => html`<td>${d}</td>`)}</tr>`)}</tbody></table>
<p class="warn">このカードは他人に見せたり、メール・電話で伝えたりしないでください。紛失した場合は直ちに銀行へご連絡ください。<br>
Never show this card to anyone or tell its digits by email or telephone. If it is lost, tell the bank at once.</p>
</div></body></html>`.value;
}

export function writeGridCardFile(dataDir: string, card: IssuedCard, holder: Parameters<typeof gridCardHtml>[1]): string {
  const dir = join(dataDir, 'cards');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = resolve(dir, `${holder.contractId}-${holder.userId}-${card.serial}.html`);
  writeFileSync(file, gridCardHtml(card, holder), { mode: 0o600 });
  return file;
}
