import { defineMessages } from '../define.ts';

/** Messages of the user-security area. */
export const userSecurityMessages = defineMessages({
  ja: {},
  en: {},
});
