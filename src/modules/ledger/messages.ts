import { defineMessages } from '../../web/i18n/define.ts';

/** Messages of the ledger area: the double-entry ledger and transfer execution (R8.6), result emails (R7.3). */
export const ledgerMessages = defineMessages({
  ja: {
    'ledger.mail.completed.subject': '振込完了のお知らせ',
    'ledger.mail.failed.subject': '【重要】振込不能のお知らせ',
    'ledger.mail.completed': '下記のお振込みが完了しました。',
    'ledger.mail.failed': '下記のお振込みはできませんでした（理由: {reason}）。振込金額と手数料は支払口座にお戻ししています。',
    'ledger.mail.failedNotPosted': '下記のお振込みはできませんでした（理由: {reason}）。支払口座からの引落しはありません。',
    'ledger.mail.facts':
      '受付番号: {id}\n契約先: {company}\n支払口座: {fromBranch} {fromType} {fromNumber}\n振込先: {bank} {branch} {accountType} {accountNumber} {name}\n振込金額: {amount}円\n振込手数料: {fee}円\n振込指定日: {date}\n結果: {outcome}\n処理日時: {at}',
    'ledger.outcome.completed': '完了',
    'ledger.outcome.failed': '不能',
    'ledger.failure.insufficient_funds': '支払口座の残高不足',
    'ledger.failure.account_unknown': '振込先口座なし',
    'ledger.failure.account_closed': '振込先口座解約済み',
    'ledger.failure.source_account_closed': '支払口座解約済み',
    'ledger.failure.name_mismatch': '受取人名相違（振込先口座の名義と一致しません）',
    'ledger.failure.rejected': '振込先金融機関での受付不能',
    'ledger.accountType.ordinary': '普通',
    'ledger.accountType.current': '当座',
    'ledger.accountType.savings': '貯蓄',
    'error.LEDGER_INSUFFICIENT_FUNDS': '支払口座の残高が不足しているため、振込できません（振込金額と手数料の合計が必要です）。',
  },
  en: {
    'ledger.mail.completed.subject': 'Transfer completed',
    'ledger.mail.failed.subject': '[Important] Transfer could not be made',
    'ledger.mail.completed': 'The transfer below has been completed.',
    'ledger.mail.failed': 'The transfer below could not be made (reason: {reason}). The amount and the fee have been returned to the paying account.',
    'ledger.mail.failedNotPosted': 'The transfer below could not be made (reason: {reason}). Nothing was taken from the paying account.',
    'ledger.mail.facts':
      'Reference: {id}\nCompany: {company}\nFrom account: {fromBranch} {fromType} {fromNumber}\nTo: {bank} {branch} {accountType} {accountNumber} {name}\nAmount: {amount} yen\nFee: {fee} yen\nExecution date: {date}\nResult: {outcome}\nProcessed at: {at}',
    'ledger.outcome.completed': 'Completed',
    'ledger.outcome.failed': 'Failed',
    'ledger.failure.insufficient_funds': 'insufficient funds in the paying account',
    'ledger.failure.account_unknown': 'no such account at the receiving bank',
    'ledger.failure.account_closed': 'the receiving account is closed',
    'ledger.failure.source_account_closed': 'the paying account is closed',
    'ledger.failure.name_mismatch': 'the payee name is not the name of the receiving account',
    'ledger.failure.rejected': 'refused by the receiving bank',
    'ledger.accountType.ordinary': 'Ordinary',
    'ledger.accountType.current': 'Current',
    'ledger.accountType.savings': 'Savings',
    'error.LEDGER_INSUFFICIENT_FUNDS': 'The paying account does not hold enough for this transfer (the amount plus the fee).',
  },
});
