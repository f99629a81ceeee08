import { defineMessages } from '../web/i18n/define.ts';

/** Messages of the audit area. */
export const auditMessages = defineMessages({
  ja: {},
  en: {},
});
