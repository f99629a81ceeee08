import { defineMessages } from '../web/i18n/define.ts';

/**
 * The lines of the notices about stops (R2.3) and the contract-wide changes every person of a
 * contract is told of (R4.2, R7.3): who can help, and what each person must do.
 */
export const noticeMessages = defineMessages({
  ja: {
    'stopNotice.liftByAdmin':
      '停止の解除は、マスターユーザまたは利用者管理の権限を持つ管理者ユーザが行えます。メニューの「利用者管理」から利用者ID「{userId}」を開き、「利用中止解除・暗証番号の再設定」で解除してください。暗証番号をお忘れの場合は、同じ画面で再設定できます。',
    'stopNotice.liftByBank': '停止の解除は銀行のみが行えます。マスターユーザから {contact} までお電話でご連絡ください。',
    'stopNotice.origins': '誤った入力（直近{count}回分）の接続元IPアドレス: {addresses}',
    'stopNotice.neverSeen':
      'このうち {addresses} からは、利用者ID「{userId}」でログオンされたことがありません。お心当たりのない場合は、第三者がログオンを試みたおそれがあります。',
    'stopNotice.contractStopped': 'この停止により、{company} のマスターユーザとすべての利用者のご利用を停止しました。銀行が停止を解除するまで、どなたもログオンできません。',
    'stopNotice.contract.body': '{company} の利用者ID「{userId}」で暗証番号または乱数表の誤りが続いたため、{at} にご契約先のすべてのご利用を停止しました。あなたの利用者ID「{yourUserId}」も、銀行が停止を解除するまでログオンできません。',
    'stopNotice.contract.forMaster': 'マスターユーザの方は、{contact} までお電話でご連絡ください。ご本人確認のうえ、銀行が停止を解除します。',
    'stopNotice.contract.forUser': 'あなたの暗証番号や乱数表を変更する必要はありません。解除はマスターユーザから銀行へご依頼いただきます。解除されるとメールでお知らせします。',
    'stopNotice.resumed.subject': 'ご利用再開のお知らせ',
    'stopNotice.resumed.body': '{at}、銀行が {company} のご利用の停止を解除しました。利用者ID「{yourUserId}」は、これまでの暗証番号と乱数表で再びログオンできます。',
    'stopNotice.resumed.stillStopped':
      'ただし、利用者ID「{yourUserId}」はご自身の暗証番号などの誤りによる停止が続いています。マスターユーザまたは管理者ユーザに、「利用者管理」の利用者ID「{yourUserId}」の画面で解除を依頼してください。',
    'contractNotice.certificates.subject': '【重要】電子証明書方式への切り替えのお知らせ',
    'contractNotice.certificatesOff.subject': '電子証明書方式の終了のお知らせ',
    'contractNotice.certificates.todo':
      '利用者ID「{yourUserId}」の方へ：次回のログオンまでに、ご利用のパソコンで電子証明書を取得してください。{logonUrl} のログオン画面の「電子証明書の取得・更新」を押し、契約者ID・利用者ID・ログイン暗証番号と乱数表で認証すると、パソコンのブラウザに電子証明書が取り込まれます。以後は {certificateLogonUrl} からログオンしてください。',
    'contractNotice.certificates.forMaster': 'マスターユーザの方へ：電子証明書は1つの利用者IDにつき1台のパソコンに発行されます。複数のパソコンでご利用の方には、パソコンの台数分の利用者IDを「利用者管理」で登録してください。',
    'contractNotice.certificatesOff.todo': '利用者ID「{yourUserId}」の方へ：今後は {logonUrl} から、電子証明書なしでログオンしてください。',
    'contractNotice.facts': '契約先: {company}\n操作者: {actor}\n日時: {at}',
    'error.AUTH_CONTRACT_STOPPED':
      'ご契約先のすべてのご利用が停止されているため、ログオンできません。停止の解除は銀行のみが行えます。マスターユーザから {contact} へご連絡ください。',
    'grid.noCard.title': '乱数表がまだ発行されていません',
    'grid.noCard.body': 'この利用者IDの乱数表（ご利用者カード）は、銀行での発行手続き中です。乱数表がお手元に届くまでログオンできません。届いたら、もう一度ログオンしてください。',
    'grid.noCard.help': 'お急ぎの場合は、マスターユーザから {contact} へお問い合わせください。',
  },
  en: {
    'stopNotice.liftByAdmin':
      'The master user, or an admin user with the user administration permission, can lift the stop: open "Users" in the menu, choose user ID "{userId}" and use "Lift a stop, reset a password". A forgotten password can be reset on the same page.',
    'stopNotice.liftByBank': 'Only the bank can lift this stop. The master user should call {contact}.',
    'stopNotice.origins': 'The wrong entries (the last {count}) came from IP addresses: {addresses}',
    'stopNotice.neverSeen':
      'User ID "{userId}" has never logged on from {addresses}. If these entries were not yours, someone else may have tried to log on.',
    'stopNotice.contractStopped': 'This stop has stopped the master user and every user of {company}. Nobody can log on until the bank lifts the stop.',
    'stopNotice.contract.body':
      'Repeated wrong passwords or grid card answers of user ID "{userId}" of {company} stopped every service of your contract at {at}. Your user ID "{yourUserId}" cannot log on either until the bank lifts the stop.',
    'stopNotice.contract.forMaster': 'As the master user, please call {contact}. The bank lifts the stop after confirming your identity.',
    'stopNotice.contract.forUser': 'You need not change your passwords or grid card. The master user asks the bank to lift the stop; you will be told by email when it is lifted.',
    'stopNotice.resumed.subject': 'Service resumed',
    'stopNotice.resumed.body': 'At {at} the bank lifted the stop of {company}. User ID "{yourUserId}" can log on again with the same passwords and grid card.',
    'stopNotice.resumed.stillStopped':
      'User ID "{yourUserId}" is still stopped by its own wrong entries, however. Ask the master user or an admin user to lift it on the page of user ID "{yourUserId}" under "Users".',
    'contractNotice.certificates.subject': 'Important: your contract now uses client certificates',
    'contractNotice.certificatesOff.subject': 'Client certificates are no longer used',
    'contractNotice.certificates.todo':
      'For user ID "{yourUserId}": before your next logon, obtain your certificate on the PC you use. On the logon page at {logonUrl} press "Get or renew a client certificate" and authenticate with your contract ID, user ID, login password and grid card; the certificate is installed into the PC\'s browser. From then on log on at {certificateLogonUrl}.',
    'contractNotice.certificates.forMaster': 'For the master user: a certificate is issued for one user ID on one PC. Register one user ID per PC under "Users" for people who use several PCs.',
    'contractNotice.certificatesOff.todo': 'For user ID "{yourUserId}": from now on log on at {logonUrl}, without a certificate.',
    'contractNotice.facts': 'Contract: {company}\nBy: {actor}\nAt: {at}',
    'error.AUTH_CONTRACT_STOPPED': 'Every service of your contract is stopped, so you cannot log on. Only the bank can lift the stop: the master user should call {contact}.',
    'grid.noCard.title': 'Your grid card has not been issued yet',
    'grid.noCard.body': 'The bank is still issuing the grid card of this user ID. You cannot log on until the card reaches you; please log on again once it has arrived.',
    'grid.noCard.help': 'If it is urgent, the master user can ask {contact}.',
  },
});
