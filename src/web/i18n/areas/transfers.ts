import { defineMessages } from '../define.ts';

/** Messages of the transfers area: transfers and their approval (R8.2, R8.5). */
export const transfersMessages = defineMessages({
  ja: {},
  en: {},
});
