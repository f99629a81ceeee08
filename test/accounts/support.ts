import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { depositPostings } from '../../src/domain/ledger.ts';
import { bankLedgerAccountId, customerLedgerAccountId, postJournalEntry } from '../../src/modules/ledger/post.ts';
import { Client, errorCode } from '../helpers/client.ts';
import { logon, type TestPerson } from '../helpers/people.ts';
import { assertNoStackTrace, ja } from '../helpers/http-app.ts';

/** Pieces shared by the inquiry tests: money on an account, the codes a page answers with. */

/** A deposit (+) or a withdrawal (−) on a customer's account, against the bank's cash account. */
export async function move(deps: Deps, accountId: number, amountYen: bigint, valueDate: string, description: string): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    const customer = await customerLedgerAccountId(tx, accountId);
    const cash = await bankLedgerAccountId(tx, 'cash');
    const postings =
      amountYen > 0n
        ? depositPostings({ cashLedgerAccountId: cash, customerLedgerAccountId: customer, amountYen })
        : [
            { ledgerAccountId: customer, amountYen },
            { ledgerAccountId: cash, amountYen: -amountYen },
          ];
    await postJournalEntry(tx, { kind: amountYen > 0n ? 'deposit' : 'withdrawal', description, valueDate, postedAt: deps.clock.now(), postings });
  });
}

export async function balanceOf(deps: Deps, accountId: number): Promise<bigint> {
  const row = await deps.db.selectFrom('ledger_account').select('balance_yen').where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return row.balance_yen;
}

/** A person logged on with the status page open. */
export async function loggedOn(app: Client['app'], person: TestPerson, ip = '198.51.100.40'): Promise<Client> {
  const client = new Client(app, { ip });
  const done = await logon(client, person);
  assert.equal(done.headers.location, '/status', `${person.userId} logs on`);
  await client.get('/status');
  return client;
}

/** The code a refused request answers with: a form's data-code, or the message of the error page. */
export function refusal(response: LightMyRequestResponse): string | undefined {
  const code = errorCode(response.body);
  if (code) return code;
  for (const candidate of ['FORBIDDEN', 'NOT_FOUND'] as const) {
    if (response.body.includes(ja(`error.${candidate}`))) return candidate;
  }
  return undefined;
}

export interface ShownLine {
  date: string;
  description: string;
  withdrawal: string;
  deposit: string;
  balance: string;
}

/** The statement table's rows as a person reads them. */
export function statementRows(page: string): ShownLine[] {
  const table = /<table class="uses statement">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
  return [...table.matchAll(/<tr data-posting="\d+">([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    return { date: cells[0]!, description: cells[1]!, withdrawal: cells[2]!, deposit: cells[3]!, balance: cells[4]! };
  });
}

/** A refused statement query: the statement page again, with the code and the period form, no lines, no trace. */
export function assertRefusedQuery(response: LightMyRequestResponse, code: string, label: string): void {
  assert.equal(response.statusCode, 400, `${label}: status`);
  assert.equal(errorCode(response.body), code, `${label}: code`);
  assert.match(response.body, /class="card period-form"/, `${label}: the period form is shown again`);
  assert.doesNotMatch(response.body, /class="uses statement"/, `${label}: no lines are shown`);
  assert.match(String(response.headers['content-type']), /^text\/html/, `${label}: a page, not a file`);
  assertNoStackTrace(response);
}
