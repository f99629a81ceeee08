import { ja as coreJa } from './ja.ts';
import { en as coreEn } from './en.ts';
import { usersMessages } from '../../modules/users/messages.ts';
import { userSecurityMessages } from '../../modules/user-security/messages.ts';
import { operatorConsoleMessages } from '../../operator/console/messages.ts';
import { auditMessages } from '../../audit/messages.ts';
import { securityPageMessages } from '../../modules/security-page/messages.ts';
import { accountsMessages } from '../../modules/accounts/messages.ts';
import { payeesMessages } from '../../modules/payees/messages.ts';
import { emailOtpMessages } from '../../access/email-otp/messages.ts';
import { otpAddressMessages } from '../../modules/otp-address/messages.ts';
import { transfersMessages } from '../../modules/transfers/messages.ts';
import { transferPagesMessages } from '../../modules/transfers/page-messages.ts';
import { ledgerMessages } from '../../modules/ledger/messages.ts';
import { certificatesMessages } from '../../modules/certificates/messages.ts';
import { certificateLogonMessages } from '../../modules/certificates/logon-messages.ts';
import { certificateAcquireMessages } from '../../modules/certificate-acquire/messages.ts';
import { hardwareTokenMessages } from '../../access/hardware-token/messages.ts';
import { tokensMessages } from '../../modules/tokens/messages.ts';
import { zenginMessages } from '../../modules/zengin/messages.ts';
import { payEasyMessages } from '../../modules/pay-easy/messages.ts';
import { bulkMessages } from '../../modules/bulk/messages.ts';
import { bulkBuildMessages } from '../../modules/bulk/build-messages.ts';
import { noticeMessages } from '../../mail/notice-messages.ts';
import { queueMessages } from '../../operator/console/queue-messages.ts';
import { logonWatchMessages } from '../../operator/console/logon-watch-messages.ts';
import { approvalsMessages } from '../../modules/approvals/messages.ts';
import { bankNoticesMessages } from '../../modules/bank-notices/messages.ts';
import { outboxMessages } from '../../outbox/messages.ts';
import { homeMessages } from '../../modules/status/messages.ts';

export type Language = 'ja' | 'en';
export const languages: readonly Language[] = ['ja', 'en'];

/** The core catalogue and every area's, merged; an area's keys are its own (prefixed by area). */
const ja = {
  ...coreJa,
  ...usersMessages.ja,
  ...userSecurityMessages.ja,
  ...operatorConsoleMessages.ja,
  ...auditMessages.ja,
  ...securityPageMessages.ja,
  ...accountsMessages.ja,
  ...payeesMessages.ja,
  ...emailOtpMessages.ja,
  ...otpAddressMessages.ja,
  ...transfersMessages.ja,
  ...transferPagesMessages.ja,
  ...ledgerMessages.ja,
  ...certificatesMessages.ja,
  ...certificateLogonMessages.ja,
  ...certificateAcquireMessages.ja,
  ...hardwareTokenMessages.ja,
  ...tokensMessages.ja,
  ...zenginMessages.ja,
  ...payEasyMessages.ja,
  ...bulkMessages.ja,
  ...bulkBuildMessages.ja,
  ...noticeMessages.ja,
  ...queueMessages.ja,
  ...logonWatchMessages.ja,
  ...approvalsMessages.ja,
  ...bankNoticesMessages.ja,
  ...outboxMessages.ja,
  ...homeMessages.ja,
};
export type MessageKey = keyof typeof ja;
const en: Record<MessageKey, string> = {
  ...coreEn,
  ...usersMessages.en,
  ...userSecurityMessages.en,
  ...operatorConsoleMessages.en,
  ...auditMessages.en,
  ...securityPageMessages.en,
  ...accountsMessages.en,
  ...payeesMessages.en,
  ...emailOtpMessages.en,
  ...otpAddressMessages.en,
  ...transfersMessages.en,
  ...transferPagesMessages.en,
  ...ledgerMessages.en,
  ...certificatesMessages.en,
  ...certificateLogonMessages.en,
  ...certificateAcquireMessages.en,
  ...hardwareTokenMessages.en,
  ...tokensMessages.en,
  ...zenginMessages.en,
  ...payEasyMessages.en,
  ...bulkMessages.en,
  ...bulkBuildMessages.en,
  ...noticeMessages.en,
  ...queueMessages.en,
  ...logonWatchMessages.en,
  ...approvalsMessages.en,
  ...bankNoticesMessages.en,
  ...outboxMessages.en,
  ...homeMessages.en,
};

/** Every message in both languages: the core catalogue and every area's. */
export const catalogues: Record<Language, Record<MessageKey, string>> = { ja, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** A parameter that is itself a message, `msg:<key>`, shown in the reader's language (an error's reason). */
export const messageParamPrefix = 'msg:';

export function messageParam(key: MessageKey): string {
  return `${messageParamPrefix}${key}`;
}

/** Looks a message up and fills its `{name}` placeholders; a `msg:<key>` value is that message. */
export function translator(language: Language, defaults: Record<string, string> = {}): Translate {
  const catalogue = catalogues[language];
  const fill = (value: string | number): string => {
    const text = String(value);
    if (!text.startsWith(messageParamPrefix)) return text;
    const named = catalogue[text.slice(messageParamPrefix.length) as MessageKey];
    return named ?? text;
  };
  return (key, params = {}) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name] ?? defaults[name];
      return value === undefined ? whole : fill(value);
    });
}

export function isLanguage(value: unknown): value is Language {
  return value === 'ja' || value === 'en';
}
