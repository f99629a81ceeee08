import { defineMessages } from '../define.ts';

/** Messages of the payees area: payees, bank and branch look-up, Zengin kana (R8.2). */
export const payeesMessages = defineMessages({
  ja: {},
  en: {},
});
