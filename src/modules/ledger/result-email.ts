import type { Deps } from '../../deps.ts';
import type { Tx } from '../../db/transaction.ts';
import { composeNotice, type NoticeParam } from '../../mail/compose.ts';
import { formatYen } from '../../domain/money.ts';
import type { MessageKey } from '../../web/i18n/index.ts';
import type { AccountType } from '../../db/schema.ts';
import { findBank, findBranch } from '../../domain/bank-directory.ts';
import { ownBank } from '../payees/own-bank.ts';
import type { ClaimedTransfer } from './claim.ts';
import type { ExecutionFailure } from './execution-failure.ts';
import type { OutgoingEmail } from '../../outbox/enqueue.ts';

/** One line of a notice: its message and the values it shows. */
type NoticeLine = { key: MessageKey; params?: Record<string, NoticeParam> };

/** Who is told: the contract's setting (R7.3) applied to the people of the transfer. */
export function resultRecipients(claimed: ClaimedTransfer): string[] {
  const { transfer, resultEmailTo, people } = claimed;
  const operators = resultEmailTo === 'operator' || resultEmailTo === 'operator_and_master';
  const master = resultEmailTo === 'master' || resultEmailTo === 'operator_and_master';
  const chosen = people.filter(
    (person) => (operators && (person.id === transfer.created_by || person.id === transfer.sent_by)) || (master && person.role === 'master'),
  );
  return [...new Set(chosen.map((person) => person.email).filter((email): email is string => Boolean(email)))];
}

/**
 * R7.3: the result of a transfer, mailed in the transaction that executed it (house rule 8), in
 * Japanese with the English below: what was transferred, to whom, and whether it went through.
 * Returned for the execution to put into the outbox in the statement of its audit record
 * (ledger/execute.ts): one message per recipient, none when the contract's setting names no one.
 */
export async function transferResultMails(
  deps: Deps,
  tx: Tx,
  claimed: ClaimedTransfer,
  result: { outcome: 'completed' } | { outcome: 'failed'; reason: ExecutionFailure; posted: boolean },
  at: Date,
): Promise<OutgoingEmail[]> {
  const recipients = resultRecipients(claimed);
  if (recipients.length === 0) return [];
  const { transfer, source } = claimed;
  const bank = findBank(ownBank(deps), transfer.to_bank_code);
  const branchName =
    transfer.to_bank_code === deps.config.bankCode
      ? claimed.ownBranchName
      : ((await findBranch(ownBank(deps, tx), transfer.to_bank_code, transfer.to_branch_code))?.name ?? null);
  const accountType = (type: AccountType): NoticeParam => ({ message: `ledger.accountType.${type}` });
  const headline: NoticeLine =
    result.outcome === 'completed'
      ? { key: 'ledger.mail.completed' as const }
      : {
          key: result.posted ? ('ledger.mail.failed' as const) : ('ledger.mail.failedNotPosted' as const),
          params: { reason: { message: `ledger.failure.${result.reason}` } },
        };
  const notice = composeNotice(deps.config, {
    subject: result.outcome === 'completed' ? 'ledger.mail.completed.subject' : 'ledger.mail.failed.subject',
    lines: [
      headline,
      {
        key: 'ledger.mail.facts',
        params: {
          id: transfer.id.toString(),
          company: claimed.companyName,
          fromBranch: source.branchCode,
          fromType: accountType(source.accountType),
          fromNumber: source.accountNumber,
          bank: bank ? `${bank.name} (${transfer.to_bank_code})` : transfer.to_bank_code,
          branch: branchName ? `${branchName} (${transfer.to_branch_code})` : transfer.to_branch_code,
          accountType: accountType(transfer.to_account_type),
          accountNumber: transfer.to_account_number,
          name: transfer.to_name_kana,
          amount: formatYen(transfer.amount_yen),
          fee: formatYen(transfer.fee_yen),
          date: { day: transfer.execution_date },
          outcome: { message: `ledger.outcome.${result.outcome}` },
          at: { moment: at },
        },
      },
    ],
  });
  return recipients.map((recipient) => ({ contractId: transfer.contract_id, recipient, ...notice }));
}
