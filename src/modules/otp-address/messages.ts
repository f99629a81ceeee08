import { defineMessages } from '../../web/i18n/define.ts';

/** Messages of the OTP address pages (R5.1). */
export const otpAddressMessages = defineMessages({
  ja: {
    'otpAddress.title': 'ワンタイムパスワード用メールアドレス',
    'otpAddress.intro.required': 'お客さまは振込などの資金移動を確定できる権限をお持ちです。ご利用を始める前に、ワンタイムパスワード用メールアドレスを登録してください。登録が完了するまで、ほかの画面はご利用いただけません。',
    'otpAddress.intro.change': 'ワンタイムパスワード用メールアドレスを変更できます。新しいアドレスに届くワンタイムパスワードを入力すると変更が完了します。',
    'otpAddress.explain': '振込を確定するときに、振込先と金額を記載したメールをこのアドレスへお送りします。ウイルスによる不正送金を防ぐため、パソコンとは別の端末（携帯電話など）で受け取れるアドレスをおすすめします。',
    'otpAddress.current': '登録済みのアドレス',
    'otpAddress.none': '未登録',
    'otpAddress.field.address': 'ワンタイムパスワード用メールアドレス',
    'otpAddress.field.confirmationPassword': '確認用暗証番号',
    'otpAddress.hint.confirmationPassword': '確認用暗証番号の誤りが7回続くと、ご利用が停止されます。',
    'otpAddress.sendCode': '確認のワンタイムパスワードを送信',
    'otpAddress.codeSent': '{address} にワンタイムパスワードを送信しました。メールに記載の6桁の数字を入力してください（有効期限 {at}）。',
    'otpAddress.field.code': 'ワンタイムパスワード（半角数字6桁）',
    'otpAddress.confirm': '登録する',
    'otpAddress.again': 'メールが届かない・別のアドレスにする（再送信は {at} 以降）',
    'otpAddress.done': 'ワンタイムパスワード用メールアドレスを登録しました。',
  },
  en: {
    'otpAddress.title': 'Address for one-time passwords',
    'otpAddress.intro.required': 'You may finalise transfers and other payments. Before you go on, register an address for one-time passwords. No other page opens until it is registered.',
    'otpAddress.intro.change': 'You can change your address for one-time passwords. The change is made once you enter the one-time password sent to the new address.',
    'otpAddress.explain': 'When you finalise a transfer, an email stating the payee and the amount is sent to this address. Against malware, an address you read on another device (a mobile phone) is best.',
    'otpAddress.current': 'Registered address',
    'otpAddress.none': 'none',
    'otpAddress.field.address': 'Address for one-time passwords',
    'otpAddress.field.confirmationPassword': 'Confirmation password',
    'otpAddress.hint.confirmationPassword': 'After seven wrong confirmation passwords in a row, your use of the service is stopped.',
    'otpAddress.sendCode': 'Send a one-time password to confirm',
    'otpAddress.codeSent': 'A one-time password was sent to {address}. Enter its 6 digits (valid until {at}).',
    'otpAddress.field.code': 'One-time password (6 digits)',
    'otpAddress.confirm': 'Register',
    'otpAddress.again': 'No email, or another address (a new one can be sent from {at})',
    'otpAddress.done': 'Your address for one-time passwords is registered.',
  },
});
