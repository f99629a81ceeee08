import { defineMessages } from '../define.ts';

/** Messages of the accounts area: inquiry of balances and statements (R8.1). */
export const accountsMessages = defineMessages({
  ja: {},
  en: {},
});
