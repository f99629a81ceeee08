import { defineMessages } from '../../web/i18n/define.ts';

/** Messages of the top page after logon [トップページ] and of the menu's groups. */
export const homeMessages = defineMessages({
  ja: {
    'home.waiting.title': 'あなたの操作を待っている取引',
    'home.waiting.none': 'あなたの承認・送信を待っている取引はありません。',
    'home.waiting.link': '承認待ち一覧へ（{count} 件）',
    'home.balances.title': 'ご利用口座の残高',
    'home.balances.none': 'ご利用いただける口座はありません。',
    'home.balances.account': '口座',
    'home.balances.balance': '残高',
    'home.notice.certificateExpiry': '電子証明書の有効期限は {date} です。期限が切れる前に更新してください。',
    'home.notice.otpAddressMissing': 'ワンタイムパスワード用のメールアドレスが登録されていません。',
    'home.notice.registerOtpAddress': '登録する',
    'menu.group.inquiry': '照会',
    'menu.group.transfer': '振込・振替',
    'menu.group.approval': '承認',
    'menu.group.admin': '管理',
    'menu.group.settings': '設定',
  },
  en: {
    'home.waiting.title': 'Waiting for you',
    'home.waiting.none': 'Nothing is waiting for your approval or sending.',
    'home.waiting.link': 'To the waiting items ({count})',
    'home.balances.title': 'Balances of your accounts',
    'home.balances.none': 'You have no accounts to use.',
    'home.balances.account': 'Account',
    'home.balances.balance': 'Balance',
    'home.notice.certificateExpiry': 'Your client certificate expires on {date}. Renew it before then.',
    'home.notice.otpAddressMissing': 'No address for one-time passwords is registered.',
    'home.notice.registerOtpAddress': 'Register one',
    'menu.group.inquiry': 'Inquiry',
    'menu.group.transfer': 'Transfers',
    'menu.group.approval': 'Approval',
    'menu.group.admin': 'Administration',
    'menu.group.settings': 'Settings',
  },
});
