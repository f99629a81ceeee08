import { defineMessages } from '../define.ts';

/** Messages of the ledger area: the double-entry ledger and transfer execution (R8.6). */
export const ledgerMessages = defineMessages({
  ja: {},
  en: {},
});
