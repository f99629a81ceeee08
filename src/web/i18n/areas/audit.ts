import { defineMessages } from '../define.ts';

/** Messages of the audit area. */
export const auditMessages = defineMessages({
  ja: {},
  en: {},
});
