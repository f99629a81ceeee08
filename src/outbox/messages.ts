import { defineMessages } from '../web/i18n/define.ts';

/**
 * The outbox as the bank's staff see it (the console's mail page, src/operator/console/views/mail.ts):
 * messages marked failed and messages waiting long, never their bodies.
 */
export const outboxMessages = defineMessages({
  ja: {
    'outbox.console.nav': 'メール送信',
    'outbox.console.title': 'メール送信の状況',
    'outbox.console.failed': '送信できなかったメール',
    'outbox.console.failedIntro':
      'メールサーバーが受け取りを拒否した（5xx の応答）か、{attempts}回送っても届けられなかったメールです。新しい順に表示します。原因（メールサーバーの設定、お客さまのメールボックス）が解消したら「もう一度送る」で送信待ちに戻します。戻した操作は監査記録に残ります。',
    'outbox.console.noFailed': '送信できなかったメールはありません。',
    'outbox.console.waiting': '送信待ちが長いメール',
    'outbox.console.waitingIntro':
      '登録から{minutes}分を過ぎても送れていないメールです。メールサーバーが一時的に受け取りを断っています（4xx の応答、接続できない）。間隔をあけて自動で送り直します。',
    'outbox.console.noWaiting': '送信待ちが長いメールはありません。',
    'outbox.console.col.id': '番号',
    'outbox.console.col.queuedAt': '登録日時',
    'outbox.console.col.contract': '契約者ID',
    'outbox.console.col.recipient': '宛先',
    'outbox.console.col.subject': '件名',
    'outbox.console.col.attempts': '送信回数',
    'outbox.console.col.lastError': '最後の応答',
    'outbox.console.col.nextAttempt': '次の送信',
    'outbox.console.requeue': 'もう一度送る',
    'outbox.console.requeued': 'メール（番号 {id}）を送信待ちに戻しました。',
    'error.OUTBOX_NOT_FAILED': 'このメールは送信できなかったメールではありません（すでに戻されたか、送信済みです）。',
  },
  en: {
    'outbox.console.nav': 'Mail delivery',
    'outbox.console.title': 'Mail delivery',
    'outbox.console.failed': 'Messages that could not be delivered',
    'outbox.console.failedIntro':
      'Messages the mail server refused for good (a 5xx answer), or that could not be delivered in {attempts} attempts, newest first. Once the cause (the mail server\'s set-up, the customer\'s mailbox) is put right, "Send again" puts a message back in the queue. Doing so is recorded in the audit trail.',
    'outbox.console.noFailed': 'No message has failed.',
    'outbox.console.waiting': 'Messages waiting long',
    'outbox.console.waitingIntro':
      'Messages still not sent {minutes} minutes after they were queued: the mail server is refusing them for the time being (a 4xx answer, or no connection). They are tried again at growing intervals.',
    'outbox.console.noWaiting': 'No message has been waiting long.',
    'outbox.console.col.id': 'No.',
    'outbox.console.col.queuedAt': 'Queued at',
    'outbox.console.col.contract': 'Contract ID',
    'outbox.console.col.recipient': 'To',
    'outbox.console.col.subject': 'Subject',
    'outbox.console.col.attempts': 'Attempts',
    'outbox.console.col.lastError': 'Last answer',
    'outbox.console.col.nextAttempt': 'Next attempt',
    'outbox.console.requeue': 'Send again',
    'outbox.console.requeued': 'Message {id} is back in the queue.',
    'error.OUTBOX_NOT_FAILED': 'This message has not failed (it was put back in the queue already, or it has been sent).',
  },
});
