import { defineMessages } from '../define.ts';

/** Messages of the security-page area. */
export const securityPageMessages = defineMessages({
  ja: {},
  en: {},
});
