import { defineMessages } from '../define.ts';

/** Messages of the transfer pages: the transfer form, its confirmation, lists and approvals (R8.2, R8.5). */
export const transferPagesMessages = defineMessages({
  ja: {},
  en: {},
});
